//! `shopkeep`: the command line. Parses arguments and settings, opens the
//! store, and hands over to the server or the admin commands.
#![forbid(unsafe_code)]

mod admin;
mod settings;

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use shopkeep_store::Store;
use shopkeep_store::sqlite::SqliteStore;
use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, Settings};

#[derive(Parser)]
#[command(
    name = "shopkeep",
    version,
    about = "Self-hosted live chat and visitor engagement for online shops"
)]
struct Cli {
    /// Settings file (default: ./shopkeep.toml if it exists).
    #[arg(long, global = true, env = "SHOPKEEP_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve {
        /// Also create the demo site and serve the demo shop at /demo/.
        #[arg(long)]
        demo: bool,
    },
    /// Settings.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Staff accounts.
    #[command(subcommand)]
    User(admin::UserCommand),
    /// Shop sites that embed the widget.
    #[command(subcommand)]
    Site(admin::SiteCommand),
    /// Create or upgrade the database and exit.
    Migrate,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print a commented example settings file.
    Example,
}

fn init_logs(settings: &Settings) {
    let filter =
        EnvFilter::try_from_env("RUST_LOG").unwrap_or_else(|_| EnvFilter::new(&settings.log.level));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match settings.log.format {
        LogFormat::Json => logs.json().init(),
        LogFormat::Text => logs.init(),
    }
}

async fn open_store(settings: &Settings) -> anyhow::Result<Arc<SqliteStore>> {
    std::fs::create_dir_all(&settings.data_dir)?;
    Ok(Arc::new(
        SqliteStore::open(&settings.database_path()).await?,
    ))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    if let Command::Config(ConfigCommand::Example) = cli.command {
        print!("{}", settings::EXAMPLE);
        return Ok(());
    }
    let settings = Settings::load(cli.config.as_deref())?;
    init_logs(&settings);
    match cli.command {
        Command::Config(_) => Ok(()),
        Command::Migrate => {
            std::fs::create_dir_all(&settings.data_dir)?;
            SqliteStore::migrate_file(&settings.database_path()).await?;
            println!(
                "database is up to date: {}",
                settings.database_path().display()
            );
            Ok(())
        }
        Command::Serve { demo } => {
            let store = open_store(&settings).await?;
            admin::serve(settings, store, demo).await
        }
        Command::User(command) => {
            let store = open_store(&settings).await?;
            let result = admin::user(store.as_ref(), command).await;
            store.close().await;
            result
        }
        Command::Site(command) => {
            let store = open_store(&settings).await?;
            let result = admin::site(store.as_ref(), &settings, command).await;
            store.close().await;
            result
        }
    }
}
