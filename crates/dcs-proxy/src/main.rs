//! The `dcs-proxy` command line: `serve --config FILE`, `check --config FILE` and `demo`.

mod demo;

use clap::{Parser, Subcommand};
use dcs_proxy::clock::SystemClock;
use dcs_proxy::config::Config;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(version, about = "DCS cache-analysis API server and console host")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console and the API for the instances in a config file.
    Serve {
        #[arg(long)]
        config: PathBuf,
    },
    /// Check a config file without starting: exit status 0 and a summary, or 1 and the error.
    Check {
        #[arg(long)]
        config: PathBuf,
    },
    /// Start loopback Redis servers with demo data and traffic, and serve them.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        #[arg(long, default_value = "data/demo")]
        data_dir: PathBuf,
        #[arg(long, default_value = "dist")]
        console_dir: PathBuf,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    let result = match Cli::parse().command {
        Command::Serve { config } => serve(config).await,
        Command::Check { config } => check(config),
        Command::Demo {
            listen,
            data_dir,
            console_dir,
        } => demo::run(listen, data_dir, console_dir).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dcs-proxy: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(path: PathBuf) -> Result<(), String> {
    let config = Config::load(&path).map_err(|e| e.to_string())?;
    // The same checks as `check`, so serve never starts with what check refuses; its warnings
    // go to the log.
    for line in dcs_proxy::check::summary(&config, &path)? {
        if let Some(warning) = line.strip_prefix("warning: ") {
            tracing::warn!("{warning}");
        }
    }
    run(config, false).await
}

fn check(path: PathBuf) -> Result<(), String> {
    let config = Config::load(&path).map_err(|e| e.to_string())?;
    let lines = dcs_proxy::check::summary(&config, &path)?;
    println!("dcs-proxy: {} is valid", path.display());
    for line in lines {
        println!("  {line}");
    }
    Ok(())
}

/// Binds, prints the console URL, serves until Ctrl-C or SIGTERM. The URL carries the sign-in
/// token when the token was just generated (nowhere else to read it from) or `show_token`
/// (the demo, a local sandbox).
async fn run(config: Config, show_token: bool) -> Result<(), String> {
    let (token, generated) = dcs_proxy::token::load_or_create(&config)?;
    let state = dcs_proxy::open_state(&config, token.clone(), Arc::new(SystemClock))?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if generated || show_token {
        println!("dcs-proxy: console at http://{addr}/#token={token}");
    } else {
        println!("dcs-proxy: console at http://{addr}/ (sign in with the token from your configuration or {})", dcs_proxy::token::token_path(&config.data_dir).display());
    }
    dcs_proxy::serve(listener, state, dcs_proxy::shutdown_signal())
        .await
        .map_err(|e| e.to_string())
}
