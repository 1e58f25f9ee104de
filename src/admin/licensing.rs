//! `keydesk admin` verbs for the license key API.

use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Args, Subcommand};
use keydesk::domain::distributor::DistributorCode;
use keydesk::domain::endpoint::{Capabilities, Endpoint};
use keydesk::domain::product::{ProductId, ProductSource};
use keydesk::service::{Actor, Service};
use keydesk::store::{BlockKind, Downloadable, GeneratorFields, ProductFields};

#[derive(Subcommand)]
pub enum LicensingCommand {
    /// API keys of the license key API (shown once when created).
    #[command(subcommand, name = "api-key")]
    ApiKey(ApiKeyCommand),
    /// Create the global RSA-2048 signing key, or a product's own, and print its public key.
    #[command(name = "signing-key")]
    SigningKey {
        /// A product's own key instead of the global one.
        #[arg(long)]
        product: Option<i64>,
    },
    /// Products.
    #[command(subcommand)]
    Product(ProductCommand),
    /// Add a key generator to a product and show sample keys.
    Generator(GeneratorAdd),
    /// Add a downloadable release of a product.
    Release(ReleaseAdd),
    /// Fill a product's stock with new available keys from its generator, in one transaction:
    /// all of them or (interrupted, cancelled, killed) none. Prints progress.
    Stock {
        #[arg(long)]
        product: i64,
        /// How many keys (at most 10,000,000).
        #[arg(long)]
        count: u64,
    },
    /// Refuse (150) requests from an address, or naming an identifier or domain.
    Block {
        #[arg(value_parser = ["ip", "domain", "identifier"])]
        kind: String,
        value: String,
    },
    /// Take a value off the blocklist.
    Unblock {
        #[arg(value_parser = ["ip", "domain", "identifier"])]
        kind: String,
        value: String,
    },
}

fn block_kind(kind: &str) -> BlockKind {
    match kind {
        "ip" => BlockKind::Ip,
        "domain" => BlockKind::Domain,
        _ => BlockKind::Identifier,
    }
}

#[derive(Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key and print it (shown this once).
    Create {
        /// What the key is for.
        #[arg(long)]
        label: String,
        /// An endpoint the key may call, e.g. verify (repeatable). Without any: every endpoint.
        #[arg(long = "capability")]
        capabilities: Vec<String>,
        /// An address the key may be used from (repeatable). Without any: every address.
        #[arg(long = "ip")]
        ips: Vec<IpAddr>,
        /// A product the key may touch, by id (repeatable): its keys, its licenses, its
        /// metadata. Anything else answers as unknown (210) or access denied (150), listings
        /// too. Without any: every product.
        #[arg(long = "product")]
        products: Vec<i64>,
    },
    /// List keys (never the keys themselves).
    List,
    /// Stop a key from working (101 Inactive API Key).
    Disable { id: i64 },
    /// Let a disabled key work again.
    Enable { id: i64 },
}

#[derive(Subcommand)]
pub enum ProductCommand {
    /// Create a product and print its id.
    Add {
        name: String,
        #[arg(long, default_value = "")]
        description: String,
        /// Where it is sold: internal or envato.
        #[arg(long, default_value = "internal")]
        source: String,
        /// The Envato item id, for Envato products.
        #[arg(long, default_value = "")]
        external_reference: String,
        /// The distributor whose licenses this product's keys are (Registration Server face).
        #[arg(long)]
        distributor: Option<String>,
        /// Expired keys lose their downloads.
        #[arg(long)]
        require_non_expired: bool,
    },
    /// List products.
    List,
}

#[derive(Args)]
pub struct GeneratorAdd {
    #[arg(long)]
    product: i64,
    /// uuid, chunk-system or custom.
    #[arg(long, default_value = "chunk-system")]
    method: String,
    #[arg(long, default_value = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789")]
    charset: String,
    #[arg(long, default_value_t = 4)]
    chunks: u32,
    #[arg(long, default_value_t = 5)]
    chunk_length: u32,
    /// For custom: readable-25, hex-32, numeric-16 or uuid-upper.
    #[arg(long, default_value = "")]
    function: String,
    #[arg(long, default_value = "")]
    prefix: String,
    #[arg(long, default_value = "")]
    suffix: String,
    /// Activations each key allows (0: unlimited).
    #[arg(long, default_value_t = 1)]
    activation_limit: u32,
    /// Days a key is valid from its assignment (0: forever).
    #[arg(long, default_value_t = 0)]
    validity: u32,
}

#[derive(Args)]
pub struct ReleaseAdd {
    #[arg(long)]
    product: i64,
    /// As shown, e.g. 1.0.2.
    #[arg(long)]
    version: String,
    /// The number releases are ordered by, e.g. 102.
    #[arg(long)]
    numeric: u32,
    /// The file on this server that the download link serves.
    #[arg(long)]
    file: PathBuf,
    #[arg(long, default_value = "")]
    summary: String,
    #[arg(long, default_value = "")]
    changelog: String,
}

pub fn run(service: &Service, command: LicensingCommand) -> anyhow::Result<()> {
    let owner = &Actor::Owner;
    match command {
        LicensingCommand::ApiKey(ApiKeyCommand::Create { label, capabilities, ips, products }) => {
            let caps = if capabilities.is_empty() {
                Capabilities::All
            } else {
                Capabilities::parse(&capabilities.join(",")).map_err(|bad| {
                    let known: Vec<&str> = Endpoint::ALL.iter().map(|e| e.name()).collect();
                    anyhow::anyhow!("unknown capability {bad:?}; known: {}", known.join(", "))
                })?
            };
            let (record, key) = service.create_api_key(owner, &label, caps, &ips)?;
            if !products.is_empty() {
                let products: Vec<ProductId> = products.into_iter().map(ProductId).collect();
                service.set_api_key_products(owner, record.id, &products)?;
            }
            println!("created API key {} ({})", record.id, record.label);
            println!("key (shown once, keep it secret): {key}");
        }
        LicensingCommand::ApiKey(ApiKeyCommand::List) => {
            for k in service.api_keys()? {
                let state = if k.active { "active" } else { "disabled" };
                let products = match k.products.is_empty() {
                    true => "every product".to_owned(),
                    false => k.products.iter().map(|p| format!("product {}", p.0)).collect::<Vec<_>>().join(","),
                };
                println!("{}\t{state}\t{}\t{}\t{products}", k.id, k.label, k.capabilities.to_text());
            }
        }
        LicensingCommand::ApiKey(ApiKeyCommand::Disable { id }) => service.set_api_key_active(owner, id, false)?,
        LicensingCommand::ApiKey(ApiKeyCommand::Enable { id }) => service.set_api_key_active(owner, id, true)?,
        LicensingCommand::SigningKey { product } => {
            print!("{}", service.create_signing_key(owner, product.map(ProductId))?);
        }
        LicensingCommand::Product(ProductCommand::Add {
            name,
            description,
            source,
            external_reference,
            distributor,
            require_non_expired,
        }) => {
            let Some(source) = ProductSource::parse(&source) else {
                bail!("unknown source {source:?}: use internal or envato");
            };
            let distributor = match distributor {
                None => None,
                Some(code) => {
                    let code = DistributorCode::parse(&code)?;
                    Some(service.distributor_by_code(&code)?.with_context(|| format!("no distributor {code}"))?.id)
                }
            };
            let fields = ProductFields {
                name,
                description,
                source,
                external_reference,
                active: true,
                require_non_expired,
                post_url: String::new(),
                distributor,
            };
            println!("created product {}", service.create_product(owner, &fields)?.id.0);
        }
        LicensingCommand::Product(ProductCommand::List) => {
            for p in service.products()? {
                let state = if p.active { "active" } else { "inactive" };
                println!("{}\t{state}\t{}\t{}", p.id.0, p.source.as_str(), p.name);
            }
        }
        LicensingCommand::Stock { product, count } => {
            let mut reported = 0;
            let stored = service.generate_stock(owner, ProductId(product), count, |so_far| {
                if so_far >= reported + 100_000 || so_far == count {
                    println!("{so_far} of {count} keys made");
                    reported = so_far;
                }
                true
            })?;
            println!("stored {stored} keys for product {product}");
        }
        LicensingCommand::Generator(g) => {
            let fields = GeneratorFields {
                product: ProductId(g.product),
                method: g.method,
                prefix: g.prefix,
                suffix: g.suffix,
                function_name: g.function,
                number_of_chunks: g.chunks,
                chunk_length: g.chunk_length,
                charset: g.charset,
                activation_limit: g.activation_limit,
                validity_days: g.validity,
                active: true,
            };
            let generator = service.create_generator(owner, &fields)?;
            println!(
                "created generator {} ({:.0} bits of keyspace), e.g.:",
                generator.id.0,
                generator.format.keyspace_bits()
            );
            for key in generator.preview(&mut rand::rngs::OsRng, 3) {
                println!("  {key}");
            }
        }
        LicensingCommand::Release(r) => {
            let file = std::fs::canonicalize(&r.file).with_context(|| format!("no file {}", r.file.display()))?;
            let release = Downloadable {
                id: 0,
                product: ProductId(r.product),
                numeric_version: r.numeric,
                version: r.version,
                update_summary: r.summary,
                changelog: r.changelog,
                published: true,
                release_date: chrono::Utc::now(),
                download_counter: 0,
                file_path: file.display().to_string(),
            };
            println!("added release {}", service.add_downloadable(owner, &release)?);
        }
        LicensingCommand::Block { kind, value } => service.block(owner, block_kind(&kind), &value)?,
        LicensingCommand::Unblock { kind, value } => {
            if !service.unblock(owner, block_kind(&kind), &value)? {
                bail!("{value} was not on the blocklist");
            }
        }
    }
    Ok(())
}
