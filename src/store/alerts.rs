//! The alert outbox: claiming due alerts with leases, recording deliveries.
//!
//! Shared by both backends like `common.rs`: [`impl_alerts_store!`] generates the implementation
//! for each backend struct (invoked in `sqlite.rs` and `postgres.rs`).

use async_trait::async_trait;

/// The alert outbox: claiming due alerts with leases, recording deliveries.
#[async_trait]
pub trait AlertStore: Send + Sync {}

/// Implements [`AlertStore`] for a backend struct with a `pool` field of the given database.
macro_rules! impl_alerts_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::store::AlertStore for $store {}
    };
}

pub(super) use impl_alerts_store;
