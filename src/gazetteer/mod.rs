//! Administrative units of Vietnam, before and after the July 2025 reform, and name lookup.
