//! Trend, listing and export queries over facts and the SQL views.
//!
//! Shared by both backends like `common.rs`: [`impl_query_store!`] generates the implementation
//! for each backend struct (invoked in `sqlite.rs` and `postgres.rs`).

use async_trait::async_trait;

/// Trend, listing and export queries over facts and the SQL views.
#[async_trait]
pub trait QueryStore: Send + Sync {}

/// Implements [`QueryStore`] for a backend struct with a `pool` field of the given database.
macro_rules! impl_query_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::QueryStore for $store {}
    };
}

pub(super) use impl_query_store;
