//! Licenses through the Registration Server's eyes: create, assign, change, cancel.

use chrono::{DateTime, NaiveDate, Utc};
use rand::rngs::OsRng;

use super::{Actor, Requires, Service, ServiceError, audit, user_for};
use crate::domain::distributor::DistributorId;
use crate::domain::license::{Feature, Features, License, LicenseStatus, LicenseType, ProductKind, SeatLimit};
use crate::domain::secret::license_number;
use crate::domain::user::{Device, DeviceId, User};
use crate::store::{Db, LicenseChange, NewLicense};

/// The terms of a new license.
#[derive(Debug, Clone)]
pub struct LicenseTerms {
    pub product: ProductKind,
    pub license_type: LicenseType,
    pub features: Features,
    pub limit: SeatLimit,
    pub valid_until: Option<NaiveDate>,
    pub reference: String,
    pub contract_number: String,
    pub change_id: String,
}

/// A change of features and/or seats asked of upgrade or downgrade.
#[derive(Debug, Clone, Copy, Default)]
pub struct TermsChange {
    pub features: Option<Features>,
    pub limit: Option<SeatLimit>,
}

impl LicenseTerms {
    /// The terms of the default license a user gets on their first device.
    pub fn default_license() -> Self {
        Self {
            product: ProductKind::Client,
            license_type: LicenseType::Permanent,
            features: Features::default().with(Feature::Personal),
            limit: SeatLimit(1),
            valid_until: None,
            reference: String::new(),
            contract_number: String::new(),
            change_id: String::new(),
        }
    }
}

fn insert(
    db: &Db<'_>,
    distributor: DistributorId,
    owner: Option<&User>,
    terms: &LicenseTerms,
    is_default: bool,
    now: DateTime<Utc>,
) -> Result<License, ServiceError> {
    let prefix = db.distributor(distributor)?.map(|d| d.code.to_string()).unwrap_or_else(|| "KD".into());
    let number = loop {
        let candidate = license_number(&mut OsRng, &prefix);
        if !db.license_number_taken(&candidate)? {
            break candidate;
        }
    };
    let id = db.insert_license(&NewLicense {
        number,
        distributor: Some(distributor),
        owner: owner.map(|u| u.id),
        product: terms.product,
        license_type: terms.license_type,
        features: terms.features,
        limit: terms.limit,
        valid_until: terms.valid_until.or_else(|| terms.license_type.default_valid_until(now.date_naive())),
        is_default,
        reference: terms.reference.clone(),
        contract_number: terms.contract_number.clone(),
        change_id: terms.change_id.clone(),
        created_at: now,
    })?;
    if let Some(owner) = owner {
        db.set_license_owner_contact(id, &owner.username, &owner.email)?;
    }
    db.license(id)?.ok_or(ServiceError::LicenseUnknown)
}

/// Creates the user's default license if their distributor wants one and they have none.
pub(crate) fn ensure_default_license(
    db: &Db<'_>,
    user: &User,
    now: DateTime<Utc>,
) -> Result<Option<License>, ServiceError> {
    if let Some(license) = db.default_license(user.id)? {
        return Ok(Some(license));
    }
    let wanted = db.distributor(user.distributor)?.is_some_and(|d| d.settings.create_default_license);
    if !wanted {
        return Ok(None);
    }
    insert(db, user.distributor, Some(user), &LicenseTerms::default_license(), true, now).map(Some)
}

/// A license the actor may see, not deleted.
fn visible_license(db: &Db<'_>, actor: &Actor, number: &str) -> Result<License, ServiceError> {
    let license = db.license_by_number(number)?.ok_or(ServiceError::LicenseUnknown)?;
    // A distributor sees its own licenses only; a license of no distributor (a key made
    // through another face) is the owner's alone.
    let owned = match actor.distributor() {
        Some(own) => license.distributor == Some(own),
        None => true,
    };
    // A test key (the keygen URL's test mode) is no license a distributor can hand out.
    let usable_here = !(license.is_test && actor.distributor().is_some());
    let visible = license.status != LicenseStatus::Deleted && owned && usable_here;
    if visible { Ok(license) } else { Err(ServiceError::LicenseUnknown) }
}

fn active_license(db: &Db<'_>, actor: &Actor, number: &str) -> Result<License, ServiceError> {
    let license = visible_license(db, actor, number)?;
    if license.status == LicenseStatus::Active { Ok(license) } else { Err(ServiceError::LicenseUnknown) }
}

/// A license the user owns: the one numbered, or their default.
fn owned_license(
    db: &Db<'_>,
    actor: &Actor,
    user: &User,
    number: Option<&str>,
    now: DateTime<Utc>,
) -> Result<License, ServiceError> {
    let license = match number {
        Some(number) => visible_license(db, actor, number)?,
        None => ensure_default_license(db, user, now)?.ok_or(ServiceError::LicenseUnknown)?,
    };
    if license.owner == Some(user.id) { Ok(license) } else { Err(ServiceError::LicenseUnknown) }
}

/// Seats compare with 0 as "unlimited".
fn seats(limit: SeatLimit) -> u64 {
    if limit.is_unlimited() { u64::MAX } else { u64::from(limit.0) }
}

impl Service {
    /// createlicense / createlicensewithoutuser.
    pub fn create_license(
        &self,
        actor: &Actor,
        distributor: DistributorId,
        owner: Option<&str>,
        terms: &LicenseTerms,
    ) -> Result<License, ServiceError> {
        if !actor.may_act_for(distributor) {
            return Err(ServiceError::AccessDenied);
        }
        if terms.product == ProductKind::Server && terms.features.contains(Feature::Banner) {
            return Err(ServiceError::FeatureUnknown);
        }
        if terms.product == ProductKind::Client && terms.limit.is_unlimited() {
            return Err(ServiceError::LimitInvalid);
        }
        let now = self.now();
        self.store.write(|db| {
            let owner = owner.map(|name| user_for(db, actor, name, Requires::Usable)).transpose()?;
            let license = insert(db, distributor, owner.as_ref(), terms, false, now)?;
            let subject = owner.as_ref().map_or("(no user)", |u| u.username.as_str());
            audit(db, now, actor, "create-license", subject, &crate::domain::secret::redact_tail(&license.number))?;
            Ok(license)
        })
    }

    /// getlicensedata: the user and all their licenses that are not deleted.
    pub fn licenses_of(&self, actor: &Actor, name: &str) -> Result<(User, Vec<License>), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Exists)?;
            ensure_default_license(db, &user, now)?;
            let licenses = db.licenses_of_user(user.id)?;
            if licenses.is_empty() {
                return Err(ServiceError::LicenseUnknown);
            }
            Ok((user, licenses))
        })
    }

    /// getdefaultlicense.
    pub fn default_license_of(&self, actor: &Actor, name: &str) -> Result<(User, License), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Exists)?;
            let license = ensure_default_license(db, &user, now)?.ok_or(ServiceError::LicenseUnknown)?;
            Ok((user, license))
        })
    }

    /// A license by number, as the actor may see it.
    pub fn license(&self, actor: &Actor, number: &str) -> Result<License, ServiceError> {
        self.store.read(|db| visible_license(db, actor, number))
    }

    /// assignusertolicense: the user becomes the license's owner.
    pub fn assign_user_to_license(&self, actor: &Actor, name: &str, number: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            let license = visible_license(db, actor, number)?;
            db.set_license_owner(license.id, Some(user.id), now)?;
            db.set_license_owner_contact(license.id, &user.username, &user.email)?;
            audit(db, now, actor, "assign-user-to-license", &user.username, &crate::domain::secret::redact_tail(number))
        })
    }

    /// assignlicensetoclient: the listed devices of the user (all when none are listed) hold the license.
    pub fn assign_license_to_devices(
        &self,
        actor: &Actor,
        name: &str,
        number: &str,
        devices: &[String],
    ) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            let license = active_license(db, actor, number)?;
            let chosen = chosen_devices(db.devices_of_user(user.id)?, devices)?;
            let holding = db.license_device_ids(license.id)?;
            let new: Vec<&Device> = chosen.iter().filter(|d| !holding.contains(&d.id)).collect();
            if !license.limit.admits(license.used, new.len() as u32) {
                return Err(ServiceError::SeatsExhausted);
            }
            for device in &new {
                db.add_activation(license.id, &Device::activation_identifier(device.id), Some(device.id), now)?;
            }
            audit(db, now, actor, "assign-license-to-devices", &user.username, &format!("{} device(s)", new.len()))
        })
    }

    /// removeuserfromlicense: the user no longer owns the license (installations keep it).
    pub fn remove_user_from_license(&self, actor: &Actor, name: &str, number: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Usable)?;
            let license = owned_license(db, actor, &user, Some(number), now)?;
            db.set_license_owner(license.id, None, now)?;
            audit(
                db,
                now,
                actor,
                "remove-user-from-license",
                &user.username,
                &crate::domain::secret::redact_tail(number),
            )
        })
    }

    /// activatelicense / deactivatelicense.
    pub fn set_license_active(&self, actor: &Actor, number: &str, active: bool) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let license = visible_license(db, actor, number)?;
            let status = match (license.status, active) {
                (LicenseStatus::Active, true) => return Err(ServiceError::LicenseNotDisabled),
                (LicenseStatus::Deactivated, false) => return Err(ServiceError::LicenseAlreadyDisabled),
                (_, true) => LicenseStatus::Active,
                (_, false) => LicenseStatus::Deactivated,
            };
            db.change_license(license.id, &LicenseChange { status: Some(status), ..Default::default() }, now)?;
            let action = if active { "activate-license" } else { "deactivate-license" };
            audit(db, now, actor, action, &crate::domain::secret::redact_tail(number), "")
        })
    }

    /// upgradelicense / upgradedefaultlicense (`number` None): a higher edition, add-ons, more seats.
    pub fn upgrade_license(
        &self,
        actor: &Actor,
        name: &str,
        number: Option<&str>,
        change: TermsChange,
    ) -> Result<(), ServiceError> {
        self.change_terms(actor, name, number, change, true)
    }

    /// downgradelicense / downgradedefaultlicense: a lower edition, fewer add-ons, fewer seats (not below those used).
    pub fn downgrade_license(
        &self,
        actor: &Actor,
        name: &str,
        number: Option<&str>,
        change: TermsChange,
    ) -> Result<(), ServiceError> {
        self.change_terms(actor, name, number, change, false)
    }

    fn change_terms(
        &self,
        actor: &Actor,
        name: &str,
        number: Option<&str>,
        change: TermsChange,
        up: bool,
    ) -> Result<(), ServiceError> {
        let failed = || if up { ServiceError::UpgradeFailed } else { ServiceError::DowngradeFailed };
        let now = self.now();
        self.store.write(|db| {
            let user = user_for(db, actor, name, Requires::Activated)?;
            let license = owned_license(db, actor, &user, number, now)?;
            if license.status != LicenseStatus::Active {
                return Err(failed());
            }
            let features = match change.features {
                None => license.features,
                Some(requested) if up => license.features.upgraded(requested).ok_or_else(failed)?,
                Some(requested) => license.features.downgraded(requested).ok_or_else(failed)?,
            };
            if license.product == ProductKind::Server && features.contains(Feature::Banner) {
                return Err(failed());
            }
            if let Some(limit) = change.limit {
                let (new, old) = (seats(limit), seats(license.limit));
                let fits = if up { new >= old } else { new <= old && new >= u64::from(license.used) };
                if !fits || (license.product == ProductKind::Client && limit.is_unlimited()) {
                    return Err(failed());
                }
            }
            db.change_license(
                license.id,
                &LicenseChange { features: Some(features), limit: change.limit, ..Default::default() },
                now,
            )?;
            let action = if up { "upgrade-license" } else { "downgrade-license" };
            audit(
                db,
                now,
                actor,
                action,
                &user.username,
                &format!("features {} limit {:?}", features.bits(), change.limit.map(|l| l.0)),
            )
        })
    }

    /// getusedlicense: the user's active client licenses (or the one numbered) with who uses each.
    pub fn used_licenses(
        &self,
        actor: &Actor,
        name: &str,
        number: Option<&str>,
    ) -> Result<Vec<(License, Vec<String>)>, ServiceError> {
        self.store.read(|db| {
            let user = user_for(db, actor, name, Requires::Activated)?;
            let licenses = match number {
                Some(number) => vec![owned_license(db, actor, &user, Some(number), self.now())?],
                None => db.licenses_of_user(user.id)?,
            };
            let used: Vec<License> = licenses
                .into_iter()
                .filter(|l| l.status == LicenseStatus::Active && l.product == ProductKind::Client)
                .collect();
            if used.is_empty() {
                return Err(ServiceError::LicenseUnknown);
            }
            used.into_iter().map(|l| Ok((db.license_usernames(l.id)?, l)).map(|(names, l)| (l, names))).collect()
        })
    }

    /// setlicensereference.
    pub fn set_license_reference(&self, actor: &Actor, number: &str, reference: &str) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let license = active_license(db, actor, number)?;
            db.change_license(
                license.id,
                &LicenseChange { reference: Some(reference.to_owned()), ..Default::default() },
                now,
            )?;
            audit(db, now, actor, "set-license-reference", &crate::domain::secret::redact_tail(number), reference)
        })
    }

    /// removelicense: the license leaves the listed users' devices (all of theirs when
    /// none are listed); an owner among them, with no devices listed, stops owning it.
    pub fn remove_license(
        &self,
        actor: &Actor,
        number: &str,
        usernames: &[String],
        devices: &[String],
    ) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let license = active_license(db, actor, number)?;
            if usernames.is_empty() {
                return Err(ServiceError::UserUnknown);
            }
            let users =
                usernames.iter().map(|n| user_for(db, actor, n, Requires::Activated)).collect::<Result<Vec<_>, _>>()?;
            let mut owned = Vec::new();
            for user in &users {
                owned.extend(db.devices_of_user(user.id)?);
            }
            let chosen = if devices.is_empty() { owned } else { chosen_devices(owned, devices)? };
            let ids: Vec<DeviceId> = chosen.iter().map(|d| d.id).collect();
            db.remove_device_activations(license.id, &ids)?;
            if devices.is_empty() && users.iter().any(|u| license.owner == Some(u.id)) {
                db.set_license_owner(license.id, None, now)?;
            }
            audit(db, now, actor, "remove-license", &crate::domain::secret::redact_tail(number), &usernames.join(","))
        })
    }

    /// cancellicense: keeps `limit` seats, or cancels the license entirely with 0.
    /// Fails while more seats are in use than would remain.
    pub fn cancel_license(
        &self,
        actor: &Actor,
        name: Option<&str>,
        number: &str,
        limit: SeatLimit,
    ) -> Result<(), ServiceError> {
        let now = self.now();
        self.store.write(|db| {
            let license = match name.filter(|n| !n.trim().is_empty()) {
                Some(name) => {
                    let user = user_for(db, actor, name, Requires::Activated)?;
                    owned_license(db, actor, &user, Some(number), now)?
                }
                None => visible_license(db, actor, number)?,
            };
            let change = if limit.is_unlimited() {
                if license.used > 0 {
                    return Err(ServiceError::CancelFailed);
                }
                LicenseChange { status: Some(LicenseStatus::Deleted), ..Default::default() }
            } else {
                if seats(limit) > seats(license.limit) || limit.0 < license.used {
                    return Err(ServiceError::CancelFailed);
                }
                LicenseChange { limit: Some(limit), ..Default::default() }
            };
            db.change_license(license.id, &change, now)?;
            audit(db, now, actor, "cancel-license", &crate::domain::secret::redact_tail(number), &limit.to_string())
        })
    }
}

/// The devices named by id among `owned`, or all of them when none are named.
fn chosen_devices(owned: Vec<Device>, named: &[String]) -> Result<Vec<Device>, ServiceError> {
    if owned.is_empty() {
        return Err(ServiceError::DeviceNotFound);
    }
    if named.is_empty() {
        return Ok(owned);
    }
    named
        .iter()
        .map(|text| {
            let id = text.trim().parse().map(DeviceId).map_err(|_| ServiceError::DeviceNotFound)?;
            owned.iter().find(|d| d.id == id).cloned().ok_or(ServiceError::DeviceNotFound)
        })
        .collect()
}
