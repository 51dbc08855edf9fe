//! Validators of feeds, sitemaps and listings kept between runs: the run's own source's rows of
//! `fetch_cache` are loaded at the start of a run, handed to discovery as a synchronous map and
//! written back at the end. Reading only the source's rows keeps a run's memory and CPU
//! independent of how many sources the instance crawls.

use crate::discover::ValidatorCache;
use crate::fetch::Validators;
use crate::store::{CachedValidators, Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// An in-memory copy of one source's `fetch_cache` rows that remembers what changed.
pub(crate) struct StoreValidatorCache {
    source: String,
    map: Mutex<HashMap<String, Validators>>,
    dirty: Mutex<HashSet<String>>,
}

impl StoreValidatorCache {
    /// Reads the validators stored for `source`.
    pub(crate) async fn load(store: &dyn Store, source: &str) -> Result<Self, StoreError> {
        let map = store
            .fetch_cache(source)
            .await?
            .into_iter()
            .map(|c| {
                (
                    c.url,
                    Validators {
                        etag: c.etag,
                        last_modified: c.last_modified,
                    },
                )
            })
            .collect();
        Ok(Self {
            source: source.to_string(),
            map: Mutex::new(map),
            dirty: Mutex::new(HashSet::new()),
        })
    }

    /// Writes back the validators that changed during the run.
    pub(crate) async fn flush(&self, store: &dyn Store) -> Result<(), StoreError> {
        let entries: Vec<CachedValidators> = {
            let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            let dirty = self.dirty.lock().unwrap_or_else(|p| p.into_inner());
            dirty
                .iter()
                .filter_map(|u| {
                    map.get(u).map(|v| CachedValidators {
                        url: u.clone(),
                        etag: v.etag.clone(),
                        last_modified: v.last_modified.clone(),
                        content_hash: None,
                    })
                })
                .collect()
        };
        if entries.is_empty() {
            return Ok(());
        }
        store.put_fetch_cache(&self.source, &entries).await
    }
}

impl ValidatorCache for StoreValidatorCache {
    fn get(&self, url: &str) -> Option<Validators> {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(url)
            .cloned()
    }

    fn put(&self, url: &str, v: Validators) {
        self.map
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(url.to_string(), v);
        self.dirty
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(url.to_string());
    }
}
