//! Validators of feeds, sitemaps and listings kept between runs: loaded from `fetch_cache` at
//! the start of a run, handed to discovery as a synchronous map, written back at the end.

use crate::discover::ValidatorCache;
use crate::fetch::Validators;
use crate::store::{CachedValidators, Store, StoreError};
use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

/// An in-memory copy of `fetch_cache` that remembers what changed.
pub(crate) struct StoreValidatorCache {
    map: Mutex<HashMap<String, Validators>>,
    dirty: Mutex<HashSet<String>>,
}

impl StoreValidatorCache {
    /// Reads the stored validators.
    pub(crate) async fn load(store: &dyn Store) -> Result<Self, StoreError> {
        let map = store
            .fetch_cache()
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
        store.put_fetch_cache(&entries).await
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
