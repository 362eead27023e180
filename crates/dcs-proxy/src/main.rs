//! The `dcs-proxy` command line.

use clap::{Parser, Subcommand};
use dcs_proxy::{app, Settings};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(version, about = "DCS cache-analysis API server and console host")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the console and the API.
    Serve {
        /// Address to listen on; loopback by default so nothing is exposed by accident.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// The built console (`trunk build` output).
        #[arg(long, default_value = "dist")]
        console_dir: PathBuf,
        /// Project id of the API paths.
        #[arg(long, default_value = "0a1b2c3d4e5f60718293a4b5c6d7e8f9")]
        project_id: String,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .init();
    let Cli {
        command:
            Command::Serve {
                listen,
                console_dir,
                project_id,
            },
    } = Cli::parse();
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("dcs-proxy: cannot listen on {listen}: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| listen.to_string());
    tracing::info!(console_dir = %console_dir.display(), "serving");
    println!("dcs-proxy: console at http://{addr}/");
    let app = app(Settings {
        console_dir,
        project_id,
    });
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if let Err(e) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
    {
        eprintln!("dcs-proxy: {e}");
        return std::process::ExitCode::FAILURE;
    }
    std::process::ExitCode::SUCCESS
}
