//! The schema, as numbered migrations. `PRAGMA user_version` records how many ran;
//! a file whose number is higher than [`MIGRATIONS`] knows was written by a newer
//! keydesk and is refused untouched.

/// Marks a SQLite file as keydesk's (`PRAGMA application_id`, "KDK1").
pub const APPLICATION_ID: i64 = 0x4B44_4B31;

/// Each entry runs once, in order, inside one transaction with its version bump.
pub const MIGRATIONS: &[&str] =
    &[V1_REGISTRATION, V2_KEY_MANAGER, V3_KEY_TAG, V4_RESELLERS, V5_STAFF, V6_ACCESS, V7_BULK];

/// The SQL function V3 computes tags with: the first 64 bits of a lookup hash, as
/// [`super::seal::tag_of`] does. Registered on the connection that migrates.
pub const KEY_TAG_FUNCTION: &str = "keydesk_key_tag";

const V1_REGISTRATION: &str = r#"
-- Small facts about the database: the data key's check value, the global signing key,
-- the signing keys' version. Values of any type.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value ANY NOT NULL
) STRICT;

CREATE TABLE distributors (
    id                       INTEGER PRIMARY KEY,
    code                     TEXT NOT NULL UNIQUE,
    name                     TEXT NOT NULL,
    is_default               INTEGER NOT NULL DEFAULT 0,
    salt_sealed              BLOB NOT NULL,
    allowed_ips              TEXT NOT NULL DEFAULT '',
    allow_select             INTEGER NOT NULL DEFAULT 0,
    redirect_url             TEXT,
    create_default_license   INTEGER NOT NULL DEFAULT 1,
    min_password_length      INTEGER NOT NULL DEFAULT 8,
    username_min_length      INTEGER NOT NULL DEFAULT 5,
    username_charset         TEXT NOT NULL DEFAULT 'printable',
    email_as_reference       INTEGER NOT NULL DEFAULT 0,
    activation_without_email INTEGER NOT NULL DEFAULT 0,
    unique_email             INTEGER NOT NULL DEFAULT 1,
    depot_host_url           TEXT,
    request_window_secs      INTEGER NOT NULL DEFAULT 0,
    next_magic_number        INTEGER NOT NULL DEFAULT 1000,
    user_count               INTEGER NOT NULL DEFAULT 0,
    created_at               INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX distributors_one_default ON distributors(is_default) WHERE is_default = 1;

CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    distributor_id        INTEGER NOT NULL REFERENCES distributors(id),
    username              TEXT NOT NULL,
    username_key          TEXT NOT NULL UNIQUE,
    email                 TEXT NOT NULL,
    email_key             TEXT NOT NULL,
    -- The folded address reversed, so that a domain search (*@example.com) is an index range.
    email_rkey            TEXT NOT NULL,
    password_hash         TEXT NOT NULL,
    status                TEXT NOT NULL CHECK (status IN ('inactive', 'activated', 'disabled', 'todelete')),
    language              TEXT NOT NULL DEFAULT 'en',
    reference             TEXT NOT NULL DEFAULT '',
    department            TEXT NOT NULL DEFAULT '',
    activation_code_hash  TEXT,
    temp_password_hash    TEXT,
    temp_password_expires INTEGER,
    pending_email         TEXT,
    pending_email_code    TEXT,
    delete_code_hash      TEXT,
    invited_by            INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
) STRICT;
CREATE INDEX users_by_distributor ON users(distributor_id, id);
-- Search terms with the distributor beside them, so that "own users only" is checked in
-- the index without reading each row.
CREATE INDEX users_by_name ON users(username_key, distributor_id);
CREATE INDEX users_by_email ON users(email_key, distributor_id);
CREATE INDEX users_by_email_reversed ON users(email_rkey, distributor_id);
CREATE INDEX users_by_activation ON users(activation_code_hash) WHERE activation_code_hash IS NOT NULL;

-- Substring search (searchuser's *term* and *term) through a trigram index over the
-- folded columns; exact and prefix searches use the b-tree indexes above.
CREATE VIRTUAL TABLE user_search USING fts5(
    username_key, email_key, content = 'users', content_rowid = 'id', tokenize = 'trigram case_sensitive 1'
);
-- Users per distributor, so that listing all of a distributor's users knows its total at once.
CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
    UPDATE distributors SET user_count = user_count + 1 WHERE id = new.distributor_id;
END;
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
    UPDATE distributors SET user_count = user_count - 1 WHERE id = old.distributor_id;
END;
CREATE TRIGGER users_count_move AFTER UPDATE OF distributor_id ON users BEGIN
    UPDATE distributors SET user_count = user_count - 1 WHERE id = old.distributor_id;
    UPDATE distributors SET user_count = user_count + 1 WHERE id = new.distributor_id;
END;

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO user_search(rowid, username_key, email_key) VALUES (new.id, new.username_key, new.email_key);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO user_search(user_search, rowid, username_key, email_key) VALUES ('delete', old.id, old.username_key, old.email_key);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF username_key, email_key ON users BEGIN
    INSERT INTO user_search(user_search, rowid, username_key, email_key) VALUES ('delete', old.id, old.username_key, old.email_key);
    INSERT INTO user_search(rowid, username_key, email_key) VALUES (new.id, new.username_key, new.email_key);
END;

CREATE TABLE devices (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    platform   TEXT NOT NULL DEFAULT '',
    version    TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX devices_by_user ON devices(user_id);

CREATE TABLE depots (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    depot_id   TEXT NOT NULL,
    host_url   TEXT NOT NULL,
    is_default INTEGER NOT NULL DEFAULT 0,
    raw        TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    UNIQUE (user_id, host_url, depot_id)
) STRICT;

-- One row per license, whichever face created it. The number is the license key:
-- sealed, and found through its keyed hash.
CREATE TABLE licenses (
    id              INTEGER PRIMARY KEY,
    key_lookup      BLOB NOT NULL UNIQUE,
    key_sealed      BLOB NOT NULL,
    distributor_id  INTEGER REFERENCES distributors(id),
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    product_kind    INTEGER NOT NULL DEFAULT 1 CHECK (product_kind IN (1, 2)),
    license_type    INTEGER NOT NULL DEFAULT 0 CHECK (license_type BETWEEN 0 AND 3),
    features        INTEGER NOT NULL DEFAULT 0,
    seat_limit      INTEGER NOT NULL DEFAULT 1 CHECK (seat_limit >= 0),
    valid_until     TEXT,
    status          INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 2),
    key_state       TEXT NOT NULL DEFAULT 'assigned' CHECK (key_state IN ('available', 'assigned', 'reserved', 'blocked')),
    is_default      INTEGER NOT NULL DEFAULT 0,
    reference       TEXT NOT NULL DEFAULT '',
    contract_number TEXT NOT NULL DEFAULT '',
    change_id       TEXT NOT NULL DEFAULT '',
    owner_name      TEXT NOT NULL DEFAULT '',
    owner_email     TEXT NOT NULL DEFAULT '',
    validity_days   INTEGER NOT NULL DEFAULT 0,
    assigned_at     INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE INDEX licenses_by_user ON licenses(user_id) WHERE user_id IS NOT NULL;
CREATE INDEX licenses_by_distributor ON licenses(distributor_id, id) WHERE distributor_id IS NOT NULL;
CREATE UNIQUE INDEX licenses_one_default ON licenses(user_id) WHERE is_default = 1 AND status != 2;

-- "used" is the number of activations: a device holding a license, or an identifier.
CREATE TABLE activations (
    id         INTEGER PRIMARY KEY,
    license_id INTEGER NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
    identifier TEXT NOT NULL,
    device_id  INTEGER REFERENCES devices(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    UNIQUE (license_id, identifier)
) STRICT;
CREATE INDEX activations_by_device ON activations(device_id) WHERE device_id IS NOT NULL;

CREATE TABLE mail_templates (
    distributor_id INTEGER NOT NULL REFERENCES distributors(id) ON DELETE CASCADE,
    kind           TEXT NOT NULL,
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    PRIMARY KEY (distributor_id, kind)
) STRICT;

CREATE TABLE outbox (
    id             INTEGER PRIMARY KEY,
    distributor_id INTEGER REFERENCES distributors(id) ON DELETE SET NULL,
    kind           TEXT NOT NULL,
    to_addr        TEXT NOT NULL,
    subject        TEXT NOT NULL,
    body           TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'sent', 'failed')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT,
    created_at     INTEGER NOT NULL,
    sent_at        INTEGER
) STRICT;
CREATE INDEX outbox_by_state ON outbox(state, id);

CREATE TABLE audit (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    subject TEXT NOT NULL,
    detail  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_by_time ON audit(at);
"#;

/// The license key face: products, generators, keys on the same license rows, API keys,
/// the blocklist, downloads, telemetry and contracts.
const V2_KEY_MANAGER: &str = r#"
CREATE TABLE products (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL,
    description         TEXT NOT NULL DEFAULT '',
    source              TEXT NOT NULL DEFAULT 'internal' CHECK (source IN ('internal', 'envato')),
    external_reference  TEXT NOT NULL DEFAULT '',
    active              INTEGER NOT NULL DEFAULT 1,
    require_non_expired INTEGER NOT NULL DEFAULT 0,
    post_url            TEXT NOT NULL DEFAULT '',
    -- The distributor whose product this is: its keys are that distributor's licenses on
    -- the Registration Server face. NULL: the vendor's own product, seen by no distributor.
    distributor_id      INTEGER REFERENCES distributors(id),
    -- PKCS#8 DER of the product's own RSA key, sealed; NULL: the global key signs.
    signing_key_sealed  BLOB,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;

CREATE TABLE product_meta (
    id         INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    UNIQUE (product_id, key)
) STRICT;

CREATE TABLE generators (
    id               INTEGER PRIMARY KEY,
    product_id       INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    method           TEXT NOT NULL CHECK (method IN ('uuid', 'chunk-system', 'custom')),
    prefix           TEXT NOT NULL DEFAULT '',
    suffix           TEXT NOT NULL DEFAULT '',
    function_name    TEXT NOT NULL DEFAULT '',
    number_of_chunks INTEGER NOT NULL DEFAULT 0,
    chunk_length     INTEGER NOT NULL DEFAULT 0,
    charset          TEXT NOT NULL DEFAULT '',
    activation_limit INTEGER NOT NULL DEFAULT 1,
    validity         INTEGER NOT NULL DEFAULT 0,
    active           INTEGER NOT NULL DEFAULT 1,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
) STRICT;
CREATE INDEX generators_by_product ON generators(product_id);

CREATE TABLE contracts (
    id                    INTEGER PRIMARY KEY,
    contract_key          TEXT NOT NULL UNIQUE,
    name                  TEXT NOT NULL,
    information           TEXT NOT NULL DEFAULT '',
    product_id            INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    generator_id          INTEGER REFERENCES generators(id) ON DELETE SET NULL,
    license_keys_quantity INTEGER NOT NULL CHECK (license_keys_quantity >= 0),
    active                INTEGER NOT NULL DEFAULT 1,
    can_get_info          INTEGER NOT NULL DEFAULT 1,
    can_generate          INTEGER NOT NULL DEFAULT 1,
    can_destroy           INTEGER NOT NULL DEFAULT 0,
    can_destroy_all       INTEGER NOT NULL DEFAULT 0,
    created_at            INTEGER NOT NULL,
    updated_at            INTEGER NOT NULL
) STRICT;

-- A license is also a license key: the product it unlocks, the contract (pool) it was
-- drawn from, whether it is a test key, and who made it.
-- Deleting a product or a contract keeps its keys: they lose the link, not their existence.
ALTER TABLE licenses ADD COLUMN product_id INTEGER REFERENCES products(id) ON DELETE SET NULL;
ALTER TABLE licenses ADD COLUMN contract_id INTEGER REFERENCES contracts(id) ON DELETE SET NULL;
ALTER TABLE licenses ADD COLUMN is_test INTEGER NOT NULL DEFAULT 0;
ALTER TABLE licenses ADD COLUMN created_by TEXT NOT NULL DEFAULT '';
CREATE INDEX licenses_by_product ON licenses(product_id, key_state, id) WHERE product_id IS NOT NULL;
CREATE INDEX licenses_by_contract ON licenses(contract_id) WHERE contract_id IS NOT NULL;

CREATE TABLE license_meta (
    id         INTEGER PRIMARY KEY,
    license_id INTEGER NOT NULL REFERENCES licenses(id) ON DELETE CASCADE,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    UNIQUE (license_id, key)
) STRICT;

ALTER TABLE activations ADD COLUMN post_url TEXT NOT NULL DEFAULT '';

-- API keys: only a SHA-256 of the key is kept; it is shown once when created.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    label        TEXT NOT NULL,
    key_hash     BLOB NOT NULL UNIQUE,
    active       INTEGER NOT NULL DEFAULT 1,
    -- Comma-separated endpoint names, or '*' for all.
    capabilities TEXT NOT NULL,
    -- Comma-separated addresses; empty: any address.
    allowed_ips  TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE blocklist (
    id    INTEGER PRIMARY KEY,
    kind  TEXT NOT NULL CHECK (kind IN ('ip', 'domain', 'identifier')),
    value TEXT NOT NULL,
    UNIQUE (kind, value)
) STRICT;

CREATE TABLE downloadables (
    id              INTEGER PRIMARY KEY,
    product_id      INTEGER NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    numeric_version INTEGER NOT NULL,
    version         TEXT NOT NULL,
    update_summary  TEXT NOT NULL DEFAULT '',
    changelog       TEXT NOT NULL DEFAULT '',
    published       INTEGER NOT NULL DEFAULT 1,
    release_date    INTEGER NOT NULL,
    download_counter INTEGER NOT NULL DEFAULT 0,
    file_path       TEXT NOT NULL,
    UNIQUE (product_id, numeric_version)
) STRICT;

-- Telemetry is kept even when malformed, with flags saying what was wrong. The key a
-- record names is sealed, and found through its keyed hash.
CREATE TABLE telemetry (
    id                     INTEGER PRIMARY KEY,
    product_id             INTEGER,
    license_key_lookup     BLOB,
    license_key_sealed     BLOB,
    user_identifier        TEXT NOT NULL DEFAULT '',
    activation_identifier  TEXT NOT NULL DEFAULT '',
    product_version        TEXT NOT NULL DEFAULT '',
    data_type              TEXT NOT NULL DEFAULT '',
    data_group             TEXT NOT NULL DEFAULT '',
    data                   TEXT NOT NULL DEFAULT '',
    is_correct_format      INTEGER NOT NULL,
    license_key_exists     INTEGER NOT NULL,
    product_exists         INTEGER NOT NULL,
    product_version_exists INTEGER NOT NULL,
    has_red_flags          INTEGER NOT NULL,
    created_at             INTEGER NOT NULL
) STRICT;
CREATE INDEX telemetry_by_product ON telemetry(product_id, data_group, id);
CREATE INDEX telemetry_by_key ON telemetry(license_key_lookup) WHERE license_key_lookup IS NOT NULL;

-- Work done after the request that asked for it (random-assign-license-keys-queued).
CREATE TABLE jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'done', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    -- What the job produced, kept so that a retried delivery sends the same thing.
    result      TEXT,
    next_try_at INTEGER NOT NULL DEFAULT 0,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER
) STRICT;
CREATE INDEX jobs_by_state ON jobs(state, next_try_at, id);
"#;

/// Licenses are found by a 64-bit tag (the first 8 bytes of the keyed hash) instead of the
/// whole 32-byte hash: the unique index is less than half the size, and bulk generation
/// inserts into it 35% faster. SQLite cannot change a column's type, so the table is
/// rebuilt (with foreign keys off, as SQLite's documented procedure says).
const V3_KEY_TAG: &str = r#"
CREATE TABLE licenses_v3 (
    id              INTEGER PRIMARY KEY,
    key_tag         INTEGER NOT NULL UNIQUE,
    key_sealed      BLOB NOT NULL,
    distributor_id  INTEGER REFERENCES distributors(id),
    user_id         INTEGER REFERENCES users(id) ON DELETE SET NULL,
    product_kind    INTEGER NOT NULL DEFAULT 1 CHECK (product_kind IN (1, 2)),
    license_type    INTEGER NOT NULL DEFAULT 0 CHECK (license_type BETWEEN 0 AND 3),
    features        INTEGER NOT NULL DEFAULT 0,
    seat_limit      INTEGER NOT NULL DEFAULT 1 CHECK (seat_limit >= 0),
    valid_until     TEXT,
    status          INTEGER NOT NULL DEFAULT 0 CHECK (status BETWEEN 0 AND 2),
    key_state       TEXT NOT NULL DEFAULT 'assigned' CHECK (key_state IN ('available', 'assigned', 'reserved', 'blocked')),
    is_default      INTEGER NOT NULL DEFAULT 0,
    reference       TEXT NOT NULL DEFAULT '',
    contract_number TEXT NOT NULL DEFAULT '',
    change_id       TEXT NOT NULL DEFAULT '',
    owner_name      TEXT NOT NULL DEFAULT '',
    owner_email     TEXT NOT NULL DEFAULT '',
    validity_days   INTEGER NOT NULL DEFAULT 0,
    assigned_at     INTEGER,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    product_id      INTEGER REFERENCES products(id) ON DELETE SET NULL,
    contract_id     INTEGER REFERENCES contracts(id) ON DELETE SET NULL,
    is_test         INTEGER NOT NULL DEFAULT 0,
    created_by      TEXT NOT NULL DEFAULT ''
) STRICT;
INSERT INTO licenses_v3
SELECT id, keydesk_key_tag(key_lookup), key_sealed, distributor_id, user_id, product_kind, license_type, features,
       seat_limit, valid_until, status, key_state, is_default, reference, contract_number, change_id, owner_name,
       owner_email, validity_days, assigned_at, created_at, updated_at, product_id, contract_id, is_test, created_by
FROM licenses;
DROP TABLE licenses;
ALTER TABLE licenses_v3 RENAME TO licenses;
CREATE INDEX licenses_by_user ON licenses(user_id) WHERE user_id IS NOT NULL;
CREATE INDEX licenses_by_distributor ON licenses(distributor_id, id) WHERE distributor_id IS NOT NULL;
CREATE UNIQUE INDEX licenses_one_default ON licenses(user_id) WHERE is_default = 1 AND status != 2;
CREATE INDEX licenses_by_product ON licenses(product_id, key_state, id) WHERE product_id IS NOT NULL;
CREATE INDEX licenses_by_contract ON licenses(contract_id) WHERE contract_id IS NOT NULL;
"#;

/// Resellers and their pools: a pool is a contract of the reseller for one edition.
const V4_RESELLERS: &str = r#"
CREATE TABLE resellers (
    id             INTEGER PRIMARY KEY,
    email          TEXT NOT NULL,
    -- The e-mail folded to lower case: how the keygen URL finds the reseller.
    email_key      TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    distributor_id INTEGER REFERENCES distributors(id) ON DELETE SET NULL,
    created_at     INTEGER NOT NULL
) STRICT;

ALTER TABLE contracts ADD COLUMN reseller_id INTEGER REFERENCES resellers(id) ON DELETE CASCADE;
ALTER TABLE contracts ADD COLUMN edition TEXT CHECK (edition IN ('pro', 'ent'));
CREATE UNIQUE INDEX contracts_one_pool_per_edition ON contracts(reseller_id, edition) WHERE reseller_id IS NOT NULL;
"#;

/// Staff accounts of a shared server and their console sessions. A session is found by the
/// SHA-256 of its token; the token itself is only ever in the client's hands.
const V5_STAFF: &str = r#"
CREATE TABLE staff (
    id             INTEGER PRIMARY KEY,
    username       TEXT NOT NULL,
    username_key   TEXT NOT NULL UNIQUE,
    password_hash  TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('owner', 'distributor', 'reseller')),
    distributor_id INTEGER REFERENCES distributors(id) ON DELETE CASCADE,
    reseller_id    INTEGER REFERENCES resellers(id) ON DELETE CASCADE,
    created_at     INTEGER NOT NULL,
    CHECK ((role = 'distributor') = (distributor_id IS NOT NULL)),
    CHECK ((role = 'reseller') = (reseller_id IS NOT NULL))
) STRICT;

CREATE TABLE sessions (
    id         INTEGER PRIMARY KEY,
    token_hash BLOB NOT NULL UNIQUE,
    staff_id   INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked    INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX sessions_by_staff ON sessions(staff_id);
"#;

/// Accounts that can be switched off, and an activation code that can be sent again.
const V6_ACCESS: &str = r#"
-- A disabled account's password logs in no more, and its sessions end.
ALTER TABLE staff ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE resellers ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
-- The pending activation code, sealed: a resend mails the same code, so the first mail's
-- code still works. (The hash stays the lookup.)
ALTER TABLE users ADD COLUMN activation_code_sealed BLOB;
-- The products an API key may touch, as comma-separated ids; empty: every product.
ALTER TABLE api_keys ADD COLUMN products TEXT NOT NULL DEFAULT '';
"#;

const V7_BULK: &str = r#"
-- A change made to many licenses at once, applied in steps: what it does and to which
-- licenses (JSON of domain::bulk::BulkChange and domain::tables::LicenseQuery), the highest
-- license id it covers, and how far it got.
CREATE TABLE bulk_batches (
    id         INTEGER PRIMARY KEY,
    actor      TEXT NOT NULL,
    change     TEXT NOT NULL,
    selection  TEXT NOT NULL,
    selected   INTEGER NOT NULL,
    last_id    INTEGER NOT NULL,
    cursor     INTEGER NOT NULL DEFAULT 0,
    looked_at  INTEGER NOT NULL DEFAULT 0,
    changed    INTEGER NOT NULL DEFAULT 0,
    finished   INTEGER NOT NULL DEFAULT 0,
    undone_at  INTEGER,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX bulk_batches_by_actor ON bulk_batches(actor, id);
-- The terms each changed license had before, and the updated_at the batch wrote: an undo
-- puts back only the licenses nobody has changed since.
CREATE TABLE bulk_before (
    batch_id      INTEGER NOT NULL REFERENCES bulk_batches(id) ON DELETE CASCADE,
    license_id    INTEGER NOT NULL,
    valid_until   TEXT,
    validity_days INTEGER NOT NULL,
    seat_limit    INTEGER NOT NULL,
    status        INTEGER NOT NULL,
    key_state     TEXT NOT NULL,
    stamp         INTEGER NOT NULL,
    PRIMARY KEY (batch_id, license_id)
) STRICT, WITHOUT ROWID;
"#;
