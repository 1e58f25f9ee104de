//! `keydesk admin reseller …` and `keydesk admin pool …`: resellers and their pools for an
//! operator without a console.

use std::io::BufRead;

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
            let (password, generated) = if password_stdin {
                let mut line = String::new();
                std::io::stdin().lock().read_line(&mut line).context("reading the password")?;
                (line.trim_end_matches(['\r', '\n']).to_owned(), false)
            } else {
                (temporary_password(&mut rand::rngs::OsRng), true)
            };
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
                println!("{}\t{}\t{held}", reseller.email, reseller.name);
            }
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
