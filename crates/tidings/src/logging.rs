//! Logs as text for people or JSON for collectors, filtered by `log.level`.

use crate::config::{LogConfig, LogFormat};
use tracing_subscriber::EnvFilter;

/// Long-running commands log at the configured level; one-shot commands only
/// warn unless asked, so their output stays readable.
pub fn init(cfg: &LogConfig, long_running: bool) {
    let level = if long_running || cfg.level != "info" {
        cfg.level.clone()
    } else {
        "warn".to_string()
    };
    let filter = EnvFilter::try_new(&level).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match cfg.format {
        LogFormat::Json => builder.json().with_current_span(false).try_init(),
        LogFormat::Text => builder.with_target(false).try_init(),
    };
}
