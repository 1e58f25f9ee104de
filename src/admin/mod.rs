//! `keydesk admin`: the operator's verbs on a database, for a server without a console.

mod licensing;
mod resellers;
mod staff;

use std::net::IpAddr;

use anyhow::bail;
use clap::{Args, Subcommand};
use keydesk::domain::distributor::{DistributorCode, DistributorSettings};
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
    /// List the mails in the outbox.
    Outbox {
        /// Only mails in this state: queued, sent or failed.
        #[arg(long)]
        state: Option<String>,
    },
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
