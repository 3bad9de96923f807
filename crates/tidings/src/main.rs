//! The `tidings` binary: CLI, configuration, wiring. The only crate that reads
//! the environment.

mod cli;
mod cmd;
mod config;
mod logging;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let overrides = config::Overrides {
        config_file: cli.config.clone(),
        data_dir: cli.data_dir.clone(),
        database_url: cli.database_url.clone(),
        allow_private_networks: cli.allow_private_networks,
        listen: match &cli.command {
            cli::Command::Serve(a) => a.listen.clone(),
            _ => None,
        },
        no_crawl: matches!(&cli.command, cli::Command::Serve(a) if a.no_crawl),
        role: match &cli.command {
            cli::Command::Serve(a) => a.role,
            _ => None,
        },
    };
    let config = match config::Config::load(&overrides) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(78); // EX_CONFIG
        }
    };
    logging::init(&config.log, matches!(cli.command, cli::Command::Serve(_)));
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cmd::run(cli.command, config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
