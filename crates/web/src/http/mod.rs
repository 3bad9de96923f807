//! HTTP plumbing shared by both presentations: who is asking (viewer,
//! sessions, CSRF), the page cache, hosts, health and metrics, media files.
//! Never imports `html` or `api` (a tidy test checks).

pub mod health;
pub mod hosts;
pub mod media;
pub mod metrics;
pub mod page_cache;
pub mod viewer;
