//! The indicator taxonomy: canonical keys, Vietnamese names, aliases and units.
//!
//! (Stub landed first so the extractor can compile against the API.)

use std::path::Path;

/// One indicator of the taxonomy.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Indicator {
    /// Canonical key stored with each fact ("grdp_growth").
    pub key: String,
    /// Vietnamese name.
    pub name: String,
    /// Phrases used for it in reports.
    pub aliases: Vec<String>,
    /// Canonical unit as written in reports ("tỷ đồng").
    pub unit: String,
    /// Base unit values are converted to ("VND").
    pub base_unit: String,
    /// "rate" for growth and percentage indicators.
    #[serde(default)]
    pub kind: Option<String>,
}

/// A problem in an indicator file.
#[derive(Debug, thiserror::Error)]
pub enum TaxonomyError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Io {
        /// The file.
        file: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

/// The loaded taxonomy with its alias matcher.
#[derive(Debug, Default)]
pub struct Taxonomy {
    indicators: Vec<Indicator>,
}

impl Taxonomy {
    /// The taxonomy compiled into the binary.
    pub fn embedded() -> &'static Taxonomy {
        static T: std::sync::OnceLock<Taxonomy> = std::sync::OnceLock::new();
        T.get_or_init(Taxonomy::default)
    }

    /// Loads a taxonomy file.
    pub fn from_file(path: &Path) -> Result<Taxonomy, TaxonomyError> {
        let text = std::fs::read_to_string(path).map_err(|source| TaxonomyError::Io {
            file: path.display().to_string(),
            source,
        })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// Parses a taxonomy; `origin` names the file in errors.
    pub fn from_toml(_text: &str, _origin: &str) -> Result<Taxonomy, TaxonomyError> {
        Ok(Taxonomy::default())
    }

    /// The indicator with this key.
    pub fn get(&self, key: &str) -> Option<&Indicator> {
        self.indicators.iter().find(|i| i.key == key)
    }

    /// All indicators in file order.
    pub fn iter(&self) -> impl Iterator<Item = &Indicator> {
        self.indicators.iter()
    }

    /// Number of indicators.
    pub fn len(&self) -> usize {
        self.indicators.len()
    }

    /// True when there is no indicator.
    pub fn is_empty(&self) -> bool {
        self.indicators.is_empty()
    }

    /// The indicator whose alias best matches a metric phrase.
    pub fn match_metric(&self, _phrase: &str) -> Option<&Indicator> {
        None
    }
}
