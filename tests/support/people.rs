//! People the tests register: a name, an address made from it, and a password long enough
//! for every rule.

use keydesk::domain::user::Registration;

pub fn registration(name: &str) -> Registration {
    Registration {
        username: name.into(),
        email: format!("{name}@example.com"),
        password: "a long password".into(),
        ..Registration::default()
    }
}
