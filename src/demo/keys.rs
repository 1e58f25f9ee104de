//! License keys: stock sold to customers and in use, contract keys, and resellers with their pools.

use super::*;

impl Customer {
    fn draw(rng: &mut StdRng) -> Self {
        let (first, last) = (pick(rng, FIRST_NAMES), pick(rng, LAST_NAMES));
        Self { first, last, email: format!("{first}.{last}@{}", pick(rng, DOMAINS)).to_lowercase() }
    }

    fn name(&self) -> String {
        format!("{} {}", self.first, self.last)
    }
}

/// A product's stock: some keys sold (most activated), some reserved; of the sold ones a few
/// carry an order number and a few are blocked. Returns how many keys were made.
pub(super) fn stock_keys(
    service: &Service,
    product: &DemoProduct,
    rng: &mut StdRng,
    active: &mut Vec<ActiveKey>,
) -> Result<usize, ServiceError> {
    let owner = &Actor::Owner;
    let made = service.generate_stock(owner, product.id, product.spec.stock, |_| true)?;
    let wanted = (product.spec.sold + RESERVED_PER_PRODUCT) as u32;
    let filter = KeyFilter {
        product: Some(product.id),
        state: Some(KeyState::Available),
        page: 1,
        per_page: wanted,
        ..KeyFilter::default()
    };
    let available = service.keys(&filter)?;
    let (sold, reserved) = available.split_at(product.spec.sold.min(available.len()));
    let mut sales = Vec::new();
    for license in sold {
        sales.extend(sell_key(service, product, &license.number, rng)?);
    }
    for sale in sales.iter().take(20) {
        service.create_key_meta(owner, &sale.key, "order_id", &format!("ORD-{}", rng.gen_range(100_000..1_000_000)))?;
    }
    for sale in sales.iter().rev().take(5) {
        change_state(service, product, &sale.key, KeyState::Blocked, Some(&sale.owner))?;
    }
    for license in reserved {
        change_state(service, product, &license.number, KeyState::Reserved, None)?;
    }
    active.extend(sales);
    Ok(made as usize)
}

/// Sells a key: most buyers activate it on one to three machines, some never do.
fn sell_key(
    service: &Service,
    product: &DemoProduct,
    key: &str,
    rng: &mut StdRng,
) -> Result<Option<ActiveKey>, ServiceError> {
    let owner = &Actor::Owner;
    let customer = Customer::draw(rng);
    if rng.gen_bool(0.2) {
        service.assign_key(owner, key, &customer.name(), &customer.email)?;
        return Ok(None);
    }
    let identifier = format!("{}-{:04X}", customer.first.to_uppercase(), rng.gen_range(0..0x10000));
    let name = customer.name();
    service.assign_and_activate(owner, key, (name.as_str(), customer.email.as_str()), &identifier, "")?;
    let spare = product.spec.activation_limit.saturating_sub(1).min(2);
    for n in 0..rng.gen_range(0..=spare) {
        service.activate_key(owner, key, &format!("{identifier}-{}", n + 2), "")?;
    }
    let version = product.spec.releases.last().map_or("1.0.0", |release| release.1);
    Ok(Some(ActiveKey { key: key.into(), identifier, product: product.id, version, owner: customer }))
}

/// Puts a key in another state, keeping the product's terms and the owner given.
fn change_state(
    service: &Service,
    product: &DemoProduct,
    key: &str,
    state: KeyState,
    owner: Option<&Customer>,
) -> Result<(), ServiceError> {
    let terms = KeyTerms {
        product: product.id,
        owner_name: owner.map_or_else(String::new, Customer::name),
        owner_email: owner.map_or_else(String::new, |c| c.email.clone()),
        activation_limit: product.spec.activation_limit,
        validity_days: product.spec.validity_days,
        state,
        assigned_at: None,
    };
    service.update_key(&Actor::Owner, key, &terms)
}

/// A web shop and a hardware partner that draw keys themselves through the Contracts API.
/// Returns how many keys they drew.
pub(super) fn contract_keys(service: &Service, products: &Products, rng: &mut StdRng) -> Result<usize, ServiceError> {
    let shop = ContractRights { get_info: true, generate: true, ..ContractRights::default() };
    let partner = ContractRights { get_info: true, generate: true, destroy: true, destroy_all: true };
    let mut drawn = 0;
    for (product, name, rights) in [(&products.pro, "Web shop", shop), (&products.vault, "NAS bundle partner", partner)]
    {
        let terms = ContractTerms {
            contract_key: uuid_v4(&mut OsRng),
            name: name.into(),
            information: format!("{} sold through the {name}", product.spec.name),
            product: product.id,
            quantity: 500,
            active: true,
            rights,
        };
        service.create_contract(&Actor::Owner, &terms)?;
        for n in 0..9 {
            let customer = Customer::draw(rng);
            let name = customer.name();
            // The last draw is left unassigned, for the holder to hand out later.
            let owner = (n < 8).then_some((name.as_str(), customer.email.as_str()));
            let quantity = if n < 8 { rng.gen_range(1..=3) } else { 10 };
            drawn += service.contract_generate(&Actor::Owner, &terms.contract_key, quantity, owner, false)?.1.len();
        }
    }
    Ok(drawn)
}

/// Resellers with their pools, and the keys they issued: a few orders each, the last one in
/// test mode (its mail goes to the reseller). Returns how many keys were issued.
pub(super) fn resellers_with_pools(
    service: &Service,
    products: &Products,
    beta: DistributorId,
    rng: &mut StdRng,
) -> Result<usize, ServiceError> {
    let owner = &Actor::Owner;
    let mut issued = 0;
    for (email, name, pools, of_beta) in RESELLERS {
        let reseller = service.add_reseller(owner, email, name, DEMO_PASSWORD, of_beta.then_some(beta))?.id;
        for &(edition, quantity) in pools {
            let product = if edition == Edition::Professional { products.pro.id } else { products.ent.id };
            service.add_pool(owner, reseller, edition, product, quantity)?;
        }
        for (n, &(edition, _)) in pools.iter().cycle().take(4).enumerate() {
            let customer = Customer::draw(rng);
            let order = KeyOrder {
                first_name: customer.first.into(),
                last_name: customer.last.into(),
                email: customer.email,
                quantity: rng.gen_range(1..=5),
                edition: Some(edition),
                test_mode: n == 3,
            };
            issued += service.issue_keys(Issuer::Operator(owner), reseller, &order)?.keys.len();
        }
    }
    Ok(issued)
}
