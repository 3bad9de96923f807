//! The one integration-test binary: it drives the real `tidings` executable and
//! the real server on 127.0.0.1, on SQLite always and on PostgreSQL when
//! `TIDINGS_TEST_PG_URL` is set.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod ai;
mod api;
mod chromium;
mod cli;
mod common;
mod community;
mod crash;
mod crawl;
mod display;
mod greader;
mod hostile;
mod install_browser;
mod migrate;
mod opml;
mod readers;
mod readers_browser;
mod scale;
mod serve;
mod site_browser;
mod tidy;
mod web;
