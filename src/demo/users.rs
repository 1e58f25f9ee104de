//! The bulk phase: 10,000 users with devices, depots and licenses, in one transaction, and their account mails.

use super::*;

/// Inserts all users, with their devices, depots and licenses, in one write transaction.
/// Returns the users and how many licenses were made.
pub(super) fn insert_users(
    service: &Service,
    distributors: &[DemoDistributor; 2],
    rng: &mut StdRng,
) -> Result<(Vec<SeededUser>, usize), ServiceError> {
    let password_hash = hash_password(DEMO_PASSWORD)?;
    let now = service.now();
    service.store().write(|db| {
        let numbers = OsRandomBlocks::default();
        UserSeeder { db, rng, numbers, password_hash, taken: HashSet::new(), now }.all_users(distributors)
    })
}

/// The bulk phase's state inside its transaction.
struct UserSeeder<'s, 'db> {
    db: &'s Db<'db>,
    rng: &'s mut StdRng,
    /// License numbers and activation codes are secrets: they come from the OS, not the seed.
    numbers: OsRandomBlocks,
    password_hash: String,
    taken: HashSet<String>,
    now: DateTime<Utc>,
}

/// A license's owner: id, username, e-mail.
type Holder<'a> = (UserId, &'a str, &'a str);

impl UserSeeder<'_, '_> {
    fn all_users(&mut self, distributors: &[DemoDistributor; 2]) -> Result<(Vec<SeededUser>, usize), ServiceError> {
        let (mut users, mut licenses) = (Vec::with_capacity(USERS), 0);
        for index in 0..USERS {
            let home = if self.rng.gen_range(0..100) < DEFAULT_SHARE { &distributors[0] } else { &distributors[1] };
            let age = Duration::seconds(HISTORY_DAYS * 86_400 * (USERS - index) as i64 / USERS as i64);
            let (user, held) = self.user(home, self.now - age)?;
            licenses += held;
            users.push(user);
        }
        for home in distributors {
            for _ in 0..UNASSIGNED_LICENSES {
                let terms = LicenseTerms {
                    features: Features::default().with(Feature::Professional),
                    limit: SeatLimit(5),
                    reference: "Volume order".into(),
                    ..LicenseTerms::default_license()
                };
                self.license(home, None, &terms, false, &[], self.now)?;
                licenses += 1;
            }
        }
        let detail = format!("{} users, {licenses} licenses", users.len());
        self.db.record_audit(self.now, &Actor::Owner.label(), "seed-demo", "users", &detail)?;
        Ok((users, licenses))
    }

    /// A user; unless never activated, with devices, maybe a depot, and licenses.
    fn user(&mut self, home: &DemoDistributor, created: DateTime<Utc>) -> Result<(SeededUser, usize), ServiceError> {
        let (first, last) = (pick(self.rng, FIRST_NAMES), pick(self.rng, LAST_NAMES));
        let username = self.unique_username(first, last);
        let email = format!("{username}@{}", pick(self.rng, DOMAINS));
        let status = match self.rng.gen_range(0..100) {
            0..85 => UserStatus::Activated,
            85..95 => UserStatus::Inactive,
            95..99 => UserStatus::Disabled,
            _ => UserStatus::ToDelete,
        };
        let inactive = status == UserStatus::Inactive;
        let id = self.db.insert_user(&NewUser {
            distributor: home.id,
            username_key: fold_key(&username),
            username: username.clone(),
            email_key: fold_key(&email),
            email: email.clone(),
            password_hash: self.password_hash.clone(),
            status,
            language: pick(self.rng, LANGUAGES).into(),
            reference: if self.rng.gen_bool(0.2) {
                format!("CRM-{}", self.rng.gen_range(10_000..100_000))
            } else {
                String::new()
            },
            department: if self.rng.gen_bool(0.5) { pick(self.rng, DEPARTMENTS).into() } else { String::new() },
            activation_code_hash: inactive.then(|| hash_code(&activation_code(&mut self.numbers))),
            created_at: created,
        })?;
        let mut held = 0;
        if !inactive {
            let devices = self.devices(id, first, created)?;
            if status == UserStatus::Activated && self.rng.gen_bool(0.15) {
                let depot_id = self.rng.gen_range(100_000..1_000_000).to_string();
                let raw = format!("<depot><id>{depot_id}</id><host>{}</host></depot>", home.host);
                self.db.insert_depot(id, &depot_id, home.host, true, &raw, created)?;
            }
            held = self.licenses(home, (id, &username, &email), &devices, created)?;
        }
        Ok((SeededUser { username, status, host: home.host }, held))
    }

    /// `first.last`, with a number when someone has that name already.
    fn unique_username(&mut self, first: &str, last: &str) -> String {
        let base = format!("{first}.{last}").to_lowercase();
        let mut name = base.clone();
        while !self.taken.insert(name.clone()) {
            name = format!("{base}{}", self.rng.gen_range(2..1000));
        }
        name
    }

    fn devices(&mut self, user: UserId, first: &str, created: DateTime<Utc>) -> Result<Vec<DeviceId>, ServiceError> {
        let mut devices = Vec::new();
        for _ in 0..self.rng.gen_range(0..=3) {
            let name = format!("{}-{}", first.to_uppercase(), pick(self.rng, DEVICE_KINDS));
            let (platform, version) = (pick(self.rng, PLATFORMS), pick(self.rng, CLIENT_VERSIONS));
            let at = (created + Duration::days(self.rng.gen_range(0..30))).min(self.now);
            devices.push(self.db.insert_device(user, &name, platform, version, at)?);
        }
        Ok(devices)
    }

    /// Most users hold the free personal license (their default), some a paid one, a few a server.
    fn licenses(
        &mut self,
        home: &DemoDistributor,
        holder: Holder<'_>,
        devices: &[DeviceId],
        created: DateTime<Utc>,
    ) -> Result<usize, ServiceError> {
        let offers = [
            (0.7, LicenseTerms::default_license(), true),
            (0.2, self.paid_terms(ProductKind::Client, LicenseType::Yearly, Feature::Professional, 3, 400), false),
            (0.03, self.paid_terms(ProductKind::Server, LicenseType::Monthly, Feature::Enterprise, 0, 45), false),
        ];
        let mut held = 0;
        for (share, terms, is_default) in offers {
            if self.rng.gen_bool(share) {
                self.license(home, Some(holder), &terms, is_default, devices, created)?;
                held += 1;
            }
        }
        Ok(held)
    }

    /// A license as the service makes it, held by the owner's devices up to its seats (the
    /// "used" count); a few are deactivated.
    fn license(
        &mut self,
        home: &DemoDistributor,
        holder: Option<Holder<'_>>,
        terms: &LicenseTerms,
        is_default: bool,
        devices: &[DeviceId],
        created_at: DateTime<Utc>,
    ) -> Result<(), ServiceError> {
        let number = self.fresh_number(home.code)?;
        let id = self.db.insert_license(&NewLicense {
            number,
            distributor: Some(home.id),
            owner: holder.map(|h| h.0),
            product: terms.product,
            license_type: terms.license_type,
            features: terms.features,
            limit: terms.limit,
            valid_until: terms.valid_until,
            is_default,
            reference: terms.reference.clone(),
            contract_number: terms.contract_number.clone(),
            change_id: terms.change_id.clone(),
            created_at,
        })?;
        if let Some((_, username, email)) = holder {
            self.db.set_license_owner_contact(id, username, email)?;
        }
        let seats = if terms.product == ProductKind::Client { terms.limit.0 as usize } else { 0 };
        for device in devices.iter().take(seats) {
            self.db.add_activation(id, &Device::activation_identifier(*device), Some(*device), created_at)?;
        }
        if self.rng.gen_bool(0.03) {
            let change = LicenseChange { status: Some(LicenseStatus::Deactivated), ..LicenseChange::default() };
            self.db.change_license(id, &change, self.now)?;
        }
        Ok(())
    }

    /// A license number no other license has, drawn as the service draws them.
    fn fresh_number(&mut self, code: &str) -> Result<String, ServiceError> {
        loop {
            let candidate = license_number(&mut self.numbers, code);
            if !self.db.license_number_taken(&candidate)? {
                return Ok(candidate);
            }
        }
    }

    /// A paid license bought up to `max_age` days ago, so that some have run out.
    fn paid_terms(
        &mut self,
        product: ProductKind,
        license_type: LicenseType,
        edition: Feature,
        seats: u32,
        max_age: u64,
    ) -> LicenseTerms {
        let start = self.now.date_naive().checked_sub_days(Days::new(self.rng.gen_range(0..max_age)));
        LicenseTerms {
            product,
            license_type,
            features: Features::default().with(edition).with(Feature::WebDavs),
            limit: SeatLimit(seats),
            valid_until: start.and_then(|day| license_type.default_valid_until(day)),
            contract_number: format!("C-{}", self.rng.gen_range(100_000..1_000_000)),
            ..LicenseTerms::default_license()
        }
    }
}

/// Activation reminders, temporary passwords and depot invitations, so that the outbox
/// holds each kind of account mail.
pub(super) fn queue_account_mails(service: &Service, users: &[SeededUser]) -> Result<(), ServiceError> {
    let owner = &Actor::Owner;
    for user in users.iter().filter(|u| u.status == UserStatus::Inactive).take(6) {
        service.resend_activation(owner, &user.username)?;
    }
    let active: Vec<&SeededUser> = users.iter().filter(|u| u.status == UserStatus::Activated).collect();
    for user in active.iter().step_by(997).take(3) {
        service.send_password(owner, &user.username)?;
    }
    for (n, user) in active.iter().skip(5).step_by(1499).take(4).enumerate() {
        let depot = DepotSpec { depot_id: format!("team-{}", n + 1), host_url: user.host.into(), raw: String::new() };
        service.set_depot(owner, &user.username, &depot, true)?;
    }
    Ok(())
}
