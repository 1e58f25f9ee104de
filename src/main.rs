//! The `keydesk` binary: the server (`serve`), and the operator's `admin` verbs.

mod admin;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use keydesk::service::delivery::Relay;
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::Store;
use keydesk::store::keyfile::{default_key_path, load_or_create};

/// keydesk: registration and licensing backend for software resellers and distributors.
///
/// With no command, keydesk serves its APIs on the embedded default database in your
/// data directory, on 127.0.0.1:8420.
#[derive(Parser)]
#[command(version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Registration Server XML API and the license key API over HTTP (until SIGTERM or Ctrl-C).
    Serve(ServeArgs),
    /// Operator commands on a database: distributors, API keys, products, generators, releases, the outbox.
    Admin {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: admin::AdminCommand,
    },
}

#[derive(Args)]
struct DbArgs {
    /// The SQLite database file (created and migrated if missing).
    /// Default: keydesk.sqlite in your data directory.
    #[arg(long, global = true)]
    db: Option<PathBuf>,
    /// The file holding the database's data key (64 hex digits, mode 0600).
    /// Default: the database path with ".key" appended. KEYDESK_DATA_KEY overrides it.
    #[arg(long, global = true)]
    data_key_file: Option<PathBuf>,
}

#[derive(Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address and port to listen on.
    #[arg(long, default_value = "127.0.0.1:8420")]
    listen: SocketAddr,
    /// SMTP relay for outgoing mail, e.g. smtp://127.0.0.1:25 or smtps://user:pass@mail.example.com.
    /// Without one, mails stay queued in the outbox.
    #[arg(long, env = "KEYDESK_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender address of outgoing mail.
    #[arg(long, default_value = "keydesk <noreply@localhost>")]
    mail_from: String,
    /// Envato personal token: unknown keys that are Envato purchase codes of Envato products
    /// are then imported on verify and activate (code 206).
    #[arg(long, env = "KEYDESK_ENVATO_TOKEN", hide_env_values = true)]
    envato_token: Option<String>,
    /// Envato's API root (for a proxy or a test double).
    #[arg(long, default_value = keydesk::client::envato::ENVATO_API)]
    envato_api_url: String,
}

fn default_db_path() -> anyhow::Result<PathBuf> {
    let dir = dirs::data_dir().context("no data directory for this user; pass --db FILE")?.join("keydesk");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir.join("keydesk.sqlite"))
}

fn open_service(args: &DbArgs) -> anyhow::Result<Service> {
    let db = match &args.db {
        Some(path) => path.clone(),
        None => default_db_path()?,
    };
    let key_path = args.data_key_file.clone().unwrap_or_else(|| default_key_path(&db));
    let key = load_or_create(&db, &key_path)?;
    let store = Store::open(&db, &key).with_context(|| format!("cannot open {}", db.display()))?;
    Ok(Service::new(Arc::new(store), Arc::new(SystemClock)))
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match cli.command {
        None => serve(ServeArgs {
            db: DbArgs { db: None, data_key_file: None },
            listen: SocketAddr::from(([127, 0, 0, 1], 8420)),
            smtp_url: std::env::var("KEYDESK_SMTP_URL").ok(),
            mail_from: "keydesk <noreply@localhost>".into(),
            envato_token: std::env::var("KEYDESK_ENVATO_TOKEN").ok(),
            envato_api_url: keydesk::client::envato::ENVATO_API.into(),
        }),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Admin { db, command }) => admin::run(&open_service(&db)?, command),
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let service = open_service(&args.db)?;
    // Responses of the license key API are signed from the first start on.
    if service.global_signing_key()?.is_none() {
        service.create_signing_key(&Actor::Owner, None)?;
        tracing::info!("created the global signing key; its public key is served at /api/v1/public-key");
    }
    let envato = match &args.envato_token {
        Some(token) => Some(keydesk::client::envato::EnvatoClient::new(&args.envato_api_url, token)?),
        None => None,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        if let Some(url) = &args.smtp_url {
            let relay = Relay::new(url, &args.mail_from)?;
            tokio::spawn(keydesk::server::deliver_mail_forever(service.clone(), relay, Duration::from_secs(5)));
        }
        tokio::spawn(keydesk::server::run_jobs_forever(service.clone(), Duration::from_secs(1)));
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        tracing::info!(address = %listener.local_addr()?, db = %service.store().path().display(), "keydesk serving");
        let options = keydesk::server::Options { envato };
        keydesk::server::serve_with(listener, service, options, keydesk::server::shutdown_signal()).await?;
        Ok(())
    })
}
