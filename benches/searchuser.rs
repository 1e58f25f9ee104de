//! searchuser over 1,000,000 users (exact, prefix, suffix and substring terms, on
//! username and e-mail), and registeruser. Run: `cargo bench --bench searchuser`.
//!
//! The million-user database is built once into target/bench-data/ (about a minute)
//! and reused by later runs; delete that folder to rebuild it.

use std::hint::black_box;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use keydesk::domain::distributor::{DistributorCode, DistributorId, DistributorSettings};
use keydesk::domain::user::Registration;
use keydesk::domain::user::{UserStatus, fold_key};
use keydesk::service::accounts::UserSearch;
use keydesk::service::passwords::hash_password;
use keydesk::service::{Actor, Service, SystemClock};
use keydesk::store::{DataKey, NewUser, Store};

const USERS: usize = 1_000_000;
const FIRST: [&str; 20] = [
    "anna", "ben", "clara", "david", "emma", "felix", "greta", "hugo", "ida", "jonas", "karla", "leon", "mia", "noah",
    "olga", "paul", "quinn", "rosa", "sven", "tara",
];
const LAST: [&str; 25] = [
    "schmidt",
    "mueller",
    "weber",
    "wagner",
    "becker",
    "hoffmann",
    "koch",
    "richter",
    "klein",
    "wolf",
    "neumann",
    "schwarz",
    "braun",
    "zimmermann",
    "krueger",
    "hartmann",
    "lange",
    "werner",
    "krause",
    "lehmann",
    "koehler",
    "frank",
    "maier",
    "fuchs",
    "scholz",
];

/// The i-th user's name and e-mail: realistic, unique, spread over 50 mail domains.
fn person(i: usize) -> (String, String) {
    let name = format!("{}.{}{}", FIRST[i % FIRST.len()], LAST[(i / FIRST.len()) % LAST.len()], i);
    let email = format!("{name}@mail{}.example.com", i % 50);
    (name, email)
}

fn open_million() -> (Service, DistributorId) {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-data");
    std::fs::create_dir_all(&dir).expect("bench dir");
    let db = dir.join(format!("users-{USERS}.sqlite"));
    let key_path = dir.join(format!("users-{USERS}.key"));
    let fresh = !db.exists();
    let key = if fresh {
        let key = DataKey::generate();
        std::fs::write(&key_path, key.to_hex()).expect("key");
        key
    } else {
        DataKey::from_hex(&std::fs::read_to_string(&key_path).expect("key")).expect("key")
    };
    let store = Arc::new(Store::open(&db, &key).expect("store"));
    let service = Service::new(store.clone(), Arc::new(SystemClock));
    let code = DistributorCode::parse("BNCH").expect("code");
    let distributor = match service.distributor_by_code(&code).expect("lookup") {
        Some(d) => d.id,
        None => {
            let (d, _) = service
                .create_distributor(&Actor::Owner, code, "Bench", true, DistributorSettings::default())
                .expect("distributor");
            d.id
        }
    };
    let have = store.read(|db| db.count_users(None)).expect("count") as usize;
    if have < USERS {
        let started = Instant::now();
        let hash = hash_password("bench-password").expect("hash");
        let now = Utc::now();
        for chunk in (have..USERS).collect::<Vec<_>>().chunks(100_000) {
            store
                .write(|db| {
                    for &i in chunk {
                        let (name, email) = person(i);
                        db.insert_user(&NewUser {
                            distributor,
                            username_key: fold_key(&name),
                            username: name,
                            email_key: fold_key(&email),
                            email,
                            password_hash: hash.clone(),
                            status: UserStatus::Activated,
                            language: "en".into(),
                            reference: String::new(),
                            department: String::new(),
                            activation_code_hash: None,
                            created_at: now,
                        })?;
                    }
                    Ok::<_, keydesk::store::StoreError>(())
                })
                .expect("insert");
        }
        eprintln!("built {USERS} users in {:.1} s", started.elapsed().as_secs_f64());
    }
    let size = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
    eprintln!("database: {} ({:.0} MiB)", db.display(), size as f64 / 1048576.0);
    (service, distributor)
}

fn searches(c: &mut Criterion) {
    let (service, distributor) = open_million();
    let actor = Actor::Distributor(distributor);
    // Terms cut from a real user's name and address, so every case matches.
    let (name, email) = person(777_742);
    let cases: Vec<(&str, String, String)> = vec![
        ("exact username", name.clone(), String::new()),
        ("prefix username", format!("{}*", &name[..name.len() - 2]), String::new()),
        ("suffix username", format!("*{}", &name[name.len() - 7..]), String::new()),
        ("contains username", format!("*{}*", &name[4..name.len() - 3]), String::new()),
        ("suffix e-mail", String::new(), format!("*{}", &email[email.len() - 24..])),
        ("contains e-mail", String::new(), format!("*{}*", &email[6..16])),
        ("prefix username and contains e-mail", format!("{}*", &name[..8]), "*@mail42.*".into()),
        ("broad prefix (every 20th user)", format!("{}*", &name[..5]), String::new()),
        ("broad e-mail domain (every 50th user)", String::new(), "*@mail42.example.com".into()),
    ];
    let mut group = c.benchmark_group("searchuser over 1,000,000 users");
    group.sample_size(30).measurement_time(Duration::from_secs(4)).warm_up_time(Duration::from_secs(1));
    for (label, username, email) in cases {
        let search =
            UserSearch { username: username.clone(), email: email.clone(), only_own: true, ..UserSearch::default() };
        let found = service.search_users(&actor, &search).expect("search");
        eprintln!("{label} ({username:?}, {email:?}): {} in the first page, {} in all", found.hits.len(), found.total);
        let name = label;
        group.bench_function(name, |b| b.iter(|| black_box(service.search_users(&actor, &search).expect("search"))));
    }
    let all = UserSearch { only_own: true, ..UserSearch::default() };
    group.bench_function("all own users, first page and total", |b| {
        b.iter(|| black_box(service.search_users(&actor, &all).expect("search")))
    });
    group.finish();
}

fn registrations(c: &mut Criterion) {
    let (service, distributor) = open_million();
    let actor = Actor::Distributor(distributor);
    let run = std::process::id();
    let mut n = 0u64;
    let mut group = c.benchmark_group("registeruser");
    group.sample_size(20).measurement_time(Duration::from_secs(5));
    group.bench_function("register one user (Argon2id hash, insert, index, activation mail)", |b| {
        b.iter(|| {
            n += 1;
            let registration = Registration {
                username: format!("bench-{run}-{n}"),
                email: format!("bench-{run}-{n}@example.com"),
                password: "bench-password".into(),
                ..Registration::default()
            };
            black_box(service.register_user(&actor, distributor, &registration).expect("register"))
        })
    });
    group.finish();
}

criterion_group!(benches, searches, registrations);
criterion_main!(benches);
