//! `keydesk admin reseller …` and `keydesk admin pool …`: resellers and their pools for an
//! operator without a console.

use anyhow::{Context, bail};
use clap::Subcommand;
use keydesk::domain::distributor::DistributorCode;
use keydesk::domain::product::ProductId;
use keydesk::domain::reseller::{Edition, Reseller};
use keydesk::domain::secret::temporary_password;
use keydesk::service::{Actor, Service};

#[derive(Subcommand)]
pub enum ResellerCommand {
    /// Add a reseller. Prints a generated password once, unless --password-stdin gives one.
    Add {
        /// The reseller's e-mail: their login for the keygen URL (`reselleremail`).
        #[arg(long)]
        email: String,
        /// The reseller's company or name, as their customers' mails show it.
        #[arg(long)]
        name: String,
        /// The distributor whose mail templates the reseller's customers receive.
        #[arg(long)]
        distributor: Option<String>,
        /// Read the password from the first line of standard input instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List resellers and what each pool has left.
    List,
    /// Switch a reseller off: its password generates no keys, on the keygen URL or in a console.
    Disable { email: String },
    /// Switch a disabled reseller back on.
    Enable { email: String },
    /// Set a new password (generated and printed once, unless --password-stdin gives one).
    Password {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Remove a reseller and its pools; refused once keys were drawn from them (disable it then).
    Delete { email: String },
}

#[derive(Subcommand)]
pub enum PoolCommand {
    /// Give a reseller a pool of licenses of one edition, drawn from the product's generator.
    Add {
        /// The reseller's e-mail.
        #[arg(long)]
        reseller: String,
        /// pro (Professional) or ent (Enterprise), as the keygen URL's `edition`.
        #[arg(long, value_parser = ["pro", "ent"])]
        edition: String,
        /// The product (edition) the keys unlock; it needs a generator.
        #[arg(long)]
        product: i64,
        /// How many licenses the reseller bought.
        #[arg(long)]
        quantity: u32,
    },
}

fn reseller_by_email(service: &Service, email: &str) -> anyhow::Result<Reseller> {
    let found = service.resellers(&Actor::Owner)?.into_iter().find(|r| r.email.eq_ignore_ascii_case(email.trim()));
    found.with_context(|| format!("no reseller with e-mail {email}"))
}

pub fn run_reseller(service: &Service, command: ResellerCommand) -> anyhow::Result<()> {
    let owner = &Actor::Owner;
    match command {
        ResellerCommand::Add { email, name, distributor, password_stdin } => {
            let distributor = match distributor {
                None => None,
                Some(code) => {
                    let code = DistributorCode::parse(&code)?;
                    Some(service.distributor_by_code(&code)?.with_context(|| format!("no distributor {code}"))?.id)
                }
            };
            let (password, generated) =
                super::new_password(password_stdin, || temporary_password(&mut rand::rngs::OsRng))?;
            let reseller = service.add_reseller(owner, &email, &name, &password, distributor)?;
            println!("created reseller {} ({})", reseller.email, reseller.name);
            if generated {
                println!("password (shown once, send it to the reseller): {password}");
            }
        }
        ResellerCommand::List => {
            for reseller in service.resellers(owner)? {
                let pools = service.pools(owner, reseller.id)?;
                let held: Vec<String> = pools
                    .iter()
                    .map(|p| format!("{} {}/{} left", p.edition.code(), p.left(), p.contract.terms.quantity))
                    .collect();
                let held = if held.is_empty() { "no pools".to_owned() } else { held.join(", ") };
                let state = if reseller.disabled { "\tdisabled" } else { "" };
                println!("{}\t{}\t{held}{state}", reseller.email, reseller.name);
            }
        }
        ResellerCommand::Disable { email } => {
            let holder = reseller_by_email(service, &email)?;
            service.set_reseller_disabled(owner, holder.id, true)?;
            println!("disabled {}", holder.email);
        }
        ResellerCommand::Enable { email } => {
            let holder = reseller_by_email(service, &email)?;
            service.set_reseller_disabled(owner, holder.id, false)?;
            println!("enabled {}", holder.email);
        }
        ResellerCommand::Password { email, password_stdin } => {
            let holder = reseller_by_email(service, &email)?;
            let (password, generated) =
                super::new_password(password_stdin, || temporary_password(&mut rand::rngs::OsRng))?;
            service.reset_reseller_password(owner, holder.id, &password)?;
            println!("new password set for {}", holder.email);
            if generated {
                println!("password (shown once, send it to the reseller): {password}");
            }
        }
        ResellerCommand::Delete { email } => {
            let holder = reseller_by_email(service, &email)?;
            service.delete_reseller(owner, holder.id)?;
            println!("deleted reseller {} and its pools", holder.email);
        }
    }
    Ok(())
}

pub fn run_pool(service: &Service, command: PoolCommand) -> anyhow::Result<()> {
    match command {
        PoolCommand::Add { reseller, edition, product, quantity } => {
            let Some(edition) = Edition::from_code(&edition) else {
                bail!("unknown edition {edition:?}: use pro or ent");
            };
            let holder = reseller_by_email(service, &reseller)?;
            let pool = service.add_pool(&Actor::Owner, holder.id, edition, ProductId(product), quantity)?;
            println!(
                "{} now holds {} {} licenses (contract {})",
                holder.email,
                pool.contract.terms.quantity,
                edition.label(),
                pool.contract.id.0
            );
        }
    }
    Ok(())
}
