//! chiso: watches Vietnamese provincial news sites and turns their reports into indicator data.
//!
//! The modules follow the flow in DESIGN.md: `config` → `scrape` → `extract` → `store`, with the
//! knowledge bases (`gazetteer`, `taxonomy`) and text helpers (`text`) beside them. The binary in
//! `main.rs` only parses the command line and hands over to `cli`.

pub mod alert;
pub mod app;
pub mod backfill;
pub mod cli;
pub mod config;
pub mod crawl;
pub mod daemon;
pub mod demo;
pub mod discover;
pub mod extract;
pub mod fetch;
pub mod gazetteer;
pub mod query;
pub mod scrape;
pub mod store;
pub mod taxonomy;
pub mod text;
pub mod web;
