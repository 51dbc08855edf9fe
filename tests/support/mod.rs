//! Shared helpers of the integration tests: a local HTTP server that plays the news sites.
#![allow(dead_code)]

pub mod server;
