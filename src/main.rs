//! The `keydesk` binary: the server (`serve`), and the operator's `admin` verbs.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use keydesk::domain::distributor::{DistributorCode, DistributorSettings};
use keydesk::service::delivery::Relay;
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::keyfile::{default_key_path, load_or_create};
use keydesk::store::{OutboxState, Store};

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
    /// Serve the Registration Server XML API over HTTP (until SIGTERM or Ctrl-C).
    Serve(ServeArgs),
    /// Operator commands on a database: distributors, the outbox.
    Admin {
        #[command(flatten)]
        db: DbArgs,
        #[command(subcommand)]
        command: AdminCommand,
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
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Distributors (the tenants of the Registration Server API).
    #[command(subcommand)]
    Distributor(DistributorCommand),
    /// List the mails in the outbox.
    Outbox {
        /// Only mails in this state: queued, sent or failed.
        #[arg(long)]
        state: Option<String>,
    },
}

#[derive(Subcommand)]
enum DistributorCommand {
    /// Create a distributor and print its checksum salt (shown this once).
    Add(DistributorAdd),
    /// List distributors and their settings (never their salts).
    List,
    /// Replace a distributor's checksum salt and print the new one.
    RotateSalt {
        /// The distributor's 4-character code.
        code: String,
    },
}

#[derive(Args)]
struct DistributorAdd {
    /// 4 characters, A-Z and 0-9, e.g. ACME.
    code: String,
    /// Display name, used in mails.
    #[arg(long)]
    name: String,
    /// Caller address allowed to use the API as this distributor (repeatable).
    #[arg(long = "ip")]
    ips: Vec<IpAddr>,
    /// Make this the default distributor, which may act for others and move users.
    #[arg(long)]
    default: bool,
    /// Let the default distributor act for this one with <distributor>.
    #[arg(long)]
    allow_select: bool,
    /// URL returned with -30004 when this distributor's users log in elsewhere.
    #[arg(long)]
    redirect_url: Option<String>,
    /// Depot server returned by gethostfordepot.
    #[arg(long)]
    depot_host: Option<String>,
    /// Minimum password length (ClientPasswordLength).
    #[arg(long, default_value_t = 8)]
    min_password_length: u32,
    /// Minimum username length.
    #[arg(long, default_value_t = 5)]
    min_username_length: u32,
    /// Generate usernames ($CODE-nnnn) and let the e-mail stand for them (UseEmailAsReference).
    #[arg(long)]
    email_as_reference: bool,
    /// Activate new users at once, without an activation mail (AllowActivationWithoutEmail).
    #[arg(long)]
    activation_without_email: bool,
    /// Do not create default licenses (CreateDefaultLicense off).
    #[arg(long)]
    no_default_license: bool,
    /// Allow one e-mail address on several users of this distributor.
    #[arg(long)]
    shared_email: bool,
    /// Refuse requests whose <requesttime> is further than this many seconds from now (0: off).
    #[arg(long, default_value_t = 0)]
    request_window: u32,
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
        }),
        Some(Command::Serve(args)) => serve(args),
        Some(Command::Admin { db, command }) => admin(&open_service(&db)?, command),
    }
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let service = open_service(&args.db)?;
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
        keydesk::server::serve(listener, service, keydesk::server::shutdown_signal()).await?;
        Ok(())
    })
}

fn admin(service: &Service, command: AdminCommand) -> anyhow::Result<()> {
    match command {
        AdminCommand::Distributor(DistributorCommand::Add(add)) => {
            let code = DistributorCode::parse(&add.code)?;
            let mut settings = DistributorSettings {
                allowed_ips: add.ips,
                allow_select: add.allow_select,
                redirect_url: add.redirect_url,
                create_default_license: !add.no_default_license,
                min_password_length: add.min_password_length,
                email_as_reference: add.email_as_reference,
                activation_without_email: add.activation_without_email,
                unique_email: !add.shared_email,
                depot_host_url: add.depot_host,
                request_window_secs: add.request_window,
                ..DistributorSettings::default()
            };
            settings.username_rules.min_length = add.min_username_length;
            let (distributor, salt) =
                service.create_distributor(&Actor::Owner, code, &add.name, add.default, settings)?;
            println!("created distributor {} ({})", distributor.code, distributor.name);
            println!("checksum salt (shown once, keep it secret): {salt}");
        }
        AdminCommand::Distributor(DistributorCommand::List) => {
            for d in service.distributors(&Actor::Owner)? {
                let ips: Vec<String> = d.settings.allowed_ips.iter().map(ToString::to_string).collect();
                let default = if d.is_default { " (default)" } else { "" };
                println!(
                    "{}{default}\t{}\tips: {}",
                    d.code,
                    d.name,
                    if ips.is_empty() { "-".into() } else { ips.join(",") }
                );
            }
        }
        AdminCommand::Distributor(DistributorCommand::RotateSalt { code }) => {
            let code = DistributorCode::parse(&code)?;
            let Some(distributor) = service.distributor_by_code(&code)? else {
                bail!("no distributor {code}");
            };
            let salt = service.rotate_salt(&Actor::Owner, distributor.id)?;
            println!("new checksum salt for {code} (shown once): {salt}");
        }
        AdminCommand::Outbox { state } => {
            let state = match state.as_deref() {
                None => None,
                Some("queued") => Some(OutboxState::Queued),
                Some("sent") => Some(OutboxState::Sent),
                Some("failed") => Some(OutboxState::Failed),
                Some(other) => bail!("unknown state {other:?}: use queued, sent or failed"),
            };
            for mail in service.outbox(state, 1000)? {
                println!("{}\t{}\t{}\t{}\t{}", mail.id, mail.state.as_str(), mail.kind.as_str(), mail.to, mail.subject);
            }
        }
    }
    Ok(())
}
