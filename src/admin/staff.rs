//! `keydesk admin staff …`: the accounts that log in to a shared server's console API.

use anyhow::{Context, bail};
use clap::Subcommand;
use keydesk::domain::distributor::DistributorCode;
use keydesk::domain::secret::temporary_password;
use keydesk::domain::staff::Role;
use keydesk::service::{Actor, Service};

#[derive(Subcommand)]
pub enum StaffCommand {
    /// Add a staff account. Prints a generated password once, unless --password-stdin gives one.
    Add {
        #[arg(long)]
        username: String,
        /// owner (everything), distributor (one distributor's users and licenses) or reseller
        /// (one reseller's pools and key generation).
        #[arg(long, value_parser = ["owner", "distributor", "reseller"])]
        role: String,
        /// The distributor's code, for the distributor role.
        #[arg(long, required_if_eq("role", "distributor"))]
        distributor: Option<String>,
        /// The reseller's e-mail, for the reseller role.
        #[arg(long, required_if_eq("role", "reseller"))]
        reseller: Option<String>,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List staff accounts and their roles.
    List,
    /// End every session of a staff member (a lost laptop, a leaver).
    Revoke { username: String },
    /// Switch an account off: its password logs in no more and its sessions end.
    Disable { username: String },
    /// Switch a disabled account back on.
    Enable { username: String },
    /// Set a new password (generated and printed once, unless --password-stdin gives one);
    /// the account's sessions end.
    Password {
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove an account and its sessions (the audit log keeps what it did).
    Delete { username: String },
}

fn generated() -> String {
    let mut rng = rand::rngs::OsRng;
    format!("{}{}", temporary_password(&mut rng), temporary_password(&mut rng))
}

pub fn run(service: &Service, command: StaffCommand) -> anyhow::Result<()> {
    let owner = &Actor::Owner;
    match command {
        StaffCommand::Add { username, role, distributor, reseller, password_stdin } => {
            let role = match role.as_str() {
                "owner" => Role::Owner,
                "distributor" => {
                    let code = DistributorCode::parse(distributor.as_deref().unwrap_or_default())?;
                    Role::Distributor(
                        service.distributor_by_code(&code)?.with_context(|| format!("no distributor {code}"))?.id,
                    )
                }
                _ => {
                    let email = reseller.unwrap_or_default();
                    let found =
                        service.resellers(owner)?.into_iter().find(|r| r.email.eq_ignore_ascii_case(email.trim()));
                    Role::Reseller(found.with_context(|| format!("no reseller with e-mail {email}"))?.id)
                }
            };
            let (password, generated) = super::new_password(password_stdin, generated)?;
            let staff = service.add_staff(owner, &username, &password, role)?;
            println!("created staff account {} ({})", staff.username, staff.role.kind());
            if generated {
                println!("password (shown once): {password}");
            }
        }
        StaffCommand::List => {
            for staff in service.staff(owner)? {
                let state = if staff.disabled { "disabled" } else { "active" };
                println!("{}\t{}\t{:?}\t{state}", staff.username, staff.role.kind(), staff.role);
            }
        }
        StaffCommand::Revoke { username } => {
            let Some(staff) = service.staff(owner)?.into_iter().find(|s| s.username.eq_ignore_ascii_case(&username))
            else {
                bail!("no staff account {username}");
            };
            let revoked = service.revoke_staff_sessions(owner, staff.id)?;
            println!("ended {revoked} session(s) of {}", staff.username);
        }
        StaffCommand::Disable { username } => {
            let staff = service.set_staff_disabled(owner, &username, true)?;
            println!("disabled {}; its sessions ended", staff.username);
        }
        StaffCommand::Enable { username } => {
            let staff = service.set_staff_disabled(owner, &username, false)?;
            println!("enabled {}", staff.username);
        }
        StaffCommand::Password { username, password_stdin } => {
            let (password, generated) = super::new_password(password_stdin, generated)?;
            service.set_staff_password(owner, &username, &password)?;
            println!("new password set for {username}; its sessions ended");
            if generated {
                println!("password (shown once): {password}");
            }
        }
        StaffCommand::Delete { username } => {
            service.delete_staff(owner, &username)?;
            println!("deleted staff account {username}");
        }
    }
    Ok(())
}
