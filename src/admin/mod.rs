//! `keydesk admin`: the operator's verbs on a database, for a server without a console.

mod licensing;
mod resellers;
mod staff;

use std::net::IpAddr;

use anyhow::bail;
use clap::{Args, Subcommand};
use keydesk::domain::distributor::{DistributorCode, DistributorSettings};
use keydesk::service::retention::Retention;
use keydesk::service::{Actor, Service};
use keydesk::store::OutboxState;

pub use licensing::LicensingCommand;

#[derive(Subcommand)]
pub enum AdminCommand {
    /// Distributors (the tenants of the Registration Server API).
    #[command(subcommand)]
    Distributor(DistributorCommand),
    /// The license key API: API keys, signing keys, products, generators, releases, the blocklist.
    #[command(flatten)]
    Licensing(LicensingCommand),
    /// Resellers, who generate keys for their customers through the keygen URL.
    #[command(subcommand)]
    Reseller(resellers::ResellerCommand),
    /// Resellers' pools: how many licenses of an edition each bought.
    #[command(subcommand)]
    Pool(resellers::PoolCommand),
    /// Staff accounts of a shared server's console API, and their sessions.
    #[command(subcommand)]
    Staff(staff::StaffCommand),
    /// Import users from a CSV file (the console's columns: username, email, reference,
    /// department, language, status), in transactions of 5,000: each batch is all or
    /// nothing, and a name that exists is reported, never duplicated.
    ImportUsers {
        file: std::path::PathBuf,
        /// The distributor the users belong to (its 4-character code).
        #[arg(long)]
        distributor: String,
    },
    /// Write a consistent copy of the database to FILE while `keydesk serve` goes on (SQLite's
    /// online backup). FILE must not exist; it is created mode 0600. Keep the data key
    /// (DB.key) with it: the copy's sealed values need it.
    Backup { file: std::path::PathBuf },
    /// Check the database: SQLite's integrity check and its foreign keys. Exits non-zero and
    /// names each problem when there is one.
    Verify,
    /// Delete what the retention no longer keeps: sent and failed mails, finished jobs, dead
    /// sessions, old telemetry and audit entries (`keydesk serve` does this every hour).
    Purge(RetentionArgs),
    /// List the mails in the outbox.
    Outbox {
        /// Only mails in this state: queued, sent or failed.
        #[arg(long)]
        state: Option<String>,
    },
}

/// How long records are kept (`keydesk admin purge`, `keydesk serve`).
#[derive(Args, Clone, Copy)]
pub struct RetentionArgs {
    /// Days sent and failed mails are kept (their bodies carry codes and keys).
    #[arg(long, default_value_t = Retention::default().mail_days)]
    pub keep_mail_days: u32,
    /// Days finished queued jobs are kept (their results carry the assigned keys).
    #[arg(long, default_value_t = Retention::default().job_days)]
    pub keep_job_days: u32,
    /// Days expired and revoked console sessions are kept.
    #[arg(long, default_value_t = Retention::default().session_days)]
    pub keep_session_days: u32,
    /// Days telemetry records are kept.
    #[arg(long, default_value_t = Retention::default().telemetry_days)]
    pub keep_telemetry_days: u32,
    /// Telemetry records kept at most, newest first, whatever their age.
    #[arg(long, default_value_t = Retention::default().telemetry_rows)]
    pub keep_telemetry_rows: u64,
    /// Days audit entries are kept.
    #[arg(long, default_value_t = Retention::default().audit_days)]
    pub keep_audit_days: u32,
}

impl From<RetentionArgs> for Retention {
    fn from(args: RetentionArgs) -> Self {
        Self {
            mail_days: args.keep_mail_days,
            job_days: args.keep_job_days,
            session_days: args.keep_session_days,
            telemetry_days: args.keep_telemetry_days,
            telemetry_rows: args.keep_telemetry_rows,
            audit_days: args.keep_audit_days,
        }
    }
}

#[derive(Subcommand)]
pub enum DistributorCommand {
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
pub struct DistributorAdd {
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

/// Records imported per transaction.
const IMPORT_BATCH: usize = 5_000;

/// Runs one admin command.
pub fn run(service: &Service, command: AdminCommand) -> anyhow::Result<()> {
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
        AdminCommand::Licensing(command) => licensing::run(service, command)?,
        AdminCommand::Reseller(command) => resellers::run_reseller(service, command)?,
        AdminCommand::Pool(command) => resellers::run_pool(service, command)?,
        AdminCommand::Staff(command) => staff::run(service, command)?,
        AdminCommand::ImportUsers { file, distributor } => {
            let code = DistributorCode::parse(&distributor)?;
            let Some(distributor) = service.distributor_by_code(&code)? else {
                bail!("no distributor {code}");
            };
            let records = keydesk::console::csv_files::read_users(&file)?;
            let (mut created, mut refused) = (0, 0);
            for (batch, chunk) in records.chunks(IMPORT_BATCH).enumerate() {
                let report = service.import_users(&Actor::Owner, distributor.id, chunk)?;
                created += report.created;
                for (line, why) in &report.refused {
                    println!("line {}: {why}", line + batch * IMPORT_BATCH);
                }
                refused += report.refused.len();
                println!("{} of {} records read", (batch * IMPORT_BATCH + chunk.len()), records.len());
            }
            println!("imported {created} user(s); refused {refused}");
        }
        AdminCommand::Backup { file } => {
            service.store().backup_to(&file)?;
            println!("copied {} to {}", service.store().path().display(), file.display());
        }
        AdminCommand::Purge(retention) => {
            let purged = service.purge(&Actor::Owner, &retention.into())?;
            println!(
                "deleted {} mail(s), {} job(s), {} session(s), {} telemetry record(s), {} audit entr(ies)",
                purged.mail, purged.jobs, purged.sessions, purged.telemetry, purged.audit
            );
        }
        AdminCommand::Verify => {
            let problems = service.store().check()?;
            if !problems.is_empty() {
                for problem in &problems {
                    println!("{problem}");
                }
                bail!("{} problem(s) in {}", problems.len(), service.store().path().display());
            }
            println!("{}: integrity and foreign keys ok", service.store().path().display());
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

/// A password for an account: the first line of standard input (`--password-stdin`), or a
/// generated one (`generated` true: print it once).
fn new_password(from_stdin: bool, generate: impl FnOnce() -> String) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut std::io::stdin().lock(), &mut line)
            .map_err(|e| anyhow::anyhow!("reading the password: {e}"))?;
        Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((generate(), true))
    }
}
