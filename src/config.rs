//! The TOML configuration: loading, defaults and validation with errors that name the key.

/// A configuration that cannot be used; the message names the file, the key and the line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);
