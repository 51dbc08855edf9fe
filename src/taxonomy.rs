//! The indicator taxonomy: canonical keys, Vietnamese names, aliases and units.
