//! The `keydesk` binary: the console (no command), the server (`serve`), and the
//! operator's `admin` verbs.

mod admin;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use keydesk::backend::LocalBackend;
use keydesk::domain::webhook::WebhookReach;
use keydesk::service::delivery::Relay;
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::keyfile::{default_key_path, load_or_create};
use keydesk::store::{DataKey, Store};

/// What `keydesk --help` says after the options.
const CONSOLE_HELP: &str = "\
With no command, keydesk opens the console on the embedded database in your data directory
(created on first start; its data key in the OS keyring). In the console, Settings > Profiles
switches to another file, to a shared `keydesk serve` (staff login; the session kept in the
OS keyring), or to a real Registration Server or license key server.

`keydesk serve` runs the same backend for a team and for existing clients;
`keydesk admin` creates distributors, products, API keys, resellers, pools and staff.
`keydesk <command> --help` explains each.";

/// keydesk: the desktop console and registration and licensing backend for software
/// resellers and distributors.
#[derive(Parser)]
#[command(version, about, long_about = None, after_help = CONSOLE_HELP)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Open the console on this SQLite file instead of the default one.
    #[arg(long, conflicts_with = "demo")]
    db: Option<PathBuf>,
    /// Open the console on a fresh database filled with sample data (kept in a temporary folder).
    #[arg(long)]
    demo: bool,
    /// Show each view, save DIR/<view>.png, and quit (used by scripts/screenshots.sh under Xvfb).
    #[arg(long, value_name = "DIR")]
    screenshots: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the Registration Server XML API, the license key API, the reseller keygen URL and the
    /// console API over HTTP or HTTPS (until SIGTERM or Ctrl-C).
    Serve(ServeArgs),
    /// Operator commands on a database: distributors, API keys, products, generators, releases,
    /// resellers and pools, staff, the outbox.
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
    /// Serve HTTPS with this PEM certificate chain (leaf first); needs --tls-key. Without it,
    /// keydesk serves plain HTTP: keep it on 127.0.0.1 behind a reverse proxy that does TLS.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// SMTP relay for outgoing mail, e.g. smtp://127.0.0.1:25 or smtps://user:pass@mail.example.com.
    /// Without one, the relay saved in the database (the console's Settings) is used; without
    /// either, mails stay queued in the outbox.
    #[arg(long, env = "KEYDESK_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender address of outgoing mail.
    #[arg(long, default_value = "keydesk <noreply@localhost>")]
    mail_from: String,
    /// Envato personal token: unknown keys that are Envato purchase codes of Envato products
    /// are then imported on verify and activate (code 206).
    #[arg(long, env = "KEYDESK_ENVATO_TOKEN", hide_env_values = true)]
    envato_token: Option<String>,
    /// A reverse proxy (nginx, Caddy) in front of keydesk, by address; repeat for several.
    /// Requests from it are taken to come from the address it names in X-Forwarded-For or
    /// Forwarded, so allowed addresses, blocklists and login throttles see the real client.
    /// Without it those headers are ignored: anyone can send them.
    #[arg(long = "trusted-proxy", value_name = "ADDR")]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Let queued assignments post their webhooks to loopback, private and link-local
    /// addresses too (a shop whose receiver is on the LAN). Off: public addresses only.
    #[arg(long)]
    allow_private_webhooks: bool,
    /// How long finished records are kept; a purge runs every hour.
    #[command(flatten)]
    retention: admin::RetentionArgs,
    /// Connections served at once; more wait in the listen backlog until one closes.
    #[arg(long, default_value_t = keydesk::server::Limits::default().max_connections)]
    max_connections: usize,
    /// Envato's API root (for a proxy or a test double).
    #[arg(long, default_value = keydesk::client::envato::ENVATO_API)]
    envato_api_url: String,
}

fn default_db_path() -> anyhow::Result<PathBuf> {
    let dir = dirs::data_dir().context("no data directory for this user; pass --db FILE")?.join("keydesk");
    keydesk::store::private_files::create_private_dir(&dir)
        .with_context(|| format!("cannot create {}", dir.display()))?;
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
        None => console(cli.db, cli.demo, cli.screenshots),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Admin { db, command }) => admin::run(&open_service(&db)?, command),
    }
}

/// Opens the console window on the default database, on `--db FILE`, or on demo data.
fn console(db: Option<PathBuf>, demo: bool, screenshots: Option<PathBuf>) -> anyhow::Result<()> {
    let _demo_dir;
    let mut profile = None;
    let backend = if demo {
        let dir = tempfile_dir()?;
        let path = dir.join("demo.sqlite");
        let backend = LocalBackend::open(&path, &DataKey::generate())?;
        eprintln!("Filling a demo database in {} …", dir.display());
        let summary = keydesk::demo::seed(backend.service(), &mut |phase| eprintln!("  {phase}"))?;
        eprintln!(
            "Demo: {} distributors, {} users, {} licenses and keys, {} resellers.",
            summary.distributors,
            summary.users,
            summary.licenses + summary.keys,
            summary.resellers
        );
        _demo_dir = Some(dir);
        backend
    } else {
        _demo_dir = None;
        let path = match db {
            Some(path) => path,
            None => default_db_path()?,
        };
        let (key, source) = keydesk::console::profile::data_key(&path)?;
        tracing::info!(db = %path.display(), "{}", source.describe());
        let backend = LocalBackend::open(&path, &key).with_context(|| format!("cannot open {}", path.display()))?;
        profile = Some(keydesk::console::profiles::Profile::Local(path));
        backend
    };
    let options = keydesk::console::WindowOptions { screenshots, profile };
    keydesk::console::run(Arc::new(backend), options).map_err(|error| {
        anyhow::anyhow!(
            "cannot open the console window: {error}. Without a display, run the backend headless with `keydesk serve`."
        )
    })
}

/// A fresh folder for a demo database (removed by the operating system's temp cleaning).
fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("keydesk-demo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stale = dir.join("demo.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", stale.display()));
    }
    Ok(dir)
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
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(keydesk::server::Tls::from_pem_files(cert, key)?),
        _ => None,
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    runtime.block_on(async move {
        // --smtp-url wins; otherwise the relay saved in the database (the console's Settings),
        // read again each round.
        let relay = match &args.smtp_url {
            Some(url) => Some(Relay::new(url, &args.mail_from)?),
            None => None,
        };
        tokio::spawn(keydesk::server::deliver_mail_forever(service.clone(), relay, Duration::from_secs(5)));
        let reach = if args.allow_private_webhooks { WebhookReach::AnyAddress } else { WebhookReach::PublicOnly };
        tokio::spawn(keydesk::server::run_jobs_forever(service.clone(), reach, Duration::from_secs(1)));
        let retention = args.retention.into();
        tokio::spawn(keydesk::server::purge_forever(service.clone(), retention, Duration::from_secs(3600)));
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let scheme = if tls.is_some() { "https" } else { "http" };
        let address = listener.local_addr()?;
        tracing::info!(%address, scheme, db = %service.store().path().display(), "keydesk serving");
        let options = keydesk::server::Options {
            envato,
            limits: keydesk::server::Limits { max_connections: args.max_connections.max(1), ..Default::default() },
            trusted_proxies: keydesk::server::TrustedProxies::new(args.trusted_proxies.iter().copied()),
            webhooks: reach,
        };
        let shutdown = keydesk::server::shutdown_signal();
        match &tls {
            Some(tls) => keydesk::server::serve_tls_with(listener, tls, service, options, shutdown).await?,
            None => keydesk::server::serve_with(listener, service, options, shutdown).await?,
        }
        Ok(())
    })
}
