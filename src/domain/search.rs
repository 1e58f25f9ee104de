//! The typed filter of the Licenses view: `state:active product:Pro expires:<30d
//! email:*@acme.com`, read into a [`LicenseSearch`] and written back the same way, so that
//! the text and the filter controls always say the same thing, and a saved search is
//! just its text. [`completions`] offers what may come next as the text is typed.

use std::fmt;

use super::license::{KeyState, LicenseStatus, LicenseType};

/// What a typed filter asks for. Empty fields do not filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LicenseSearch {
    pub status: Option<LicenseStatus>,
    pub key_state: Option<KeyState>,
    pub license_type: Option<LicenseType>,
    /// A product's name as typed; the console resolves it against the products it knows.
    pub product: Option<String>,
    /// The owner's e-mail, `*` standing for any characters (`*@acme.com`).
    pub email: String,
    /// Part of the owner's name, e-mail or username: the words without a field.
    pub owner: String,
    /// Part of who made the license (`reseller:2`, `owner`, `api-key`).
    pub made_by: String,
    /// One whole license number or key (keys are sealed: no part of one can be searched).
    pub number: String,
    /// Only licenses that stop working within this many days; 0: any.
    pub expires_within_days: u32,
}

/// The fields a typed filter knows, in the order they are written back and offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    State,
    Product,
    Type,
    Expires,
    Email,
    Owner,
    By,
    Key,
}

impl Field {
    pub const ALL: [Self; 8] =
        [Self::State, Self::Product, Self::Type, Self::Expires, Self::Email, Self::Owner, Self::By, Self::Key];

    pub fn name(self) -> &'static str {
        match self {
            Self::State => "state",
            Self::Product => "product",
            Self::Type => "type",
            Self::Expires => "expires",
            Self::Email => "email",
            Self::Owner => "owner",
            Self::By => "by",
            Self::Key => "key",
        }
    }

    fn parse(name: &str) -> Option<Self> {
        let name = name.to_ascii_lowercase();
        let name = match name.as_str() {
            "status" => "state",
            "made" | "madeby" => "by",
            "number" => "key",
            other => other,
        };
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// What the field takes, as the refusal and the hover say.
    fn takes(self) -> &'static str {
        match self {
            Self::State => "active, deactivated, available, assigned, reserved or blocked",
            Self::Product => "a product's name (in quotes when it has spaces)",
            Self::Type => "permanent, monthly, yearly or nfr",
            Self::Expires => "a span such as <7d, <4w or <6m (a month is 30 days)",
            Self::Email => "an e-mail, * for any characters: *@acme.com",
            Self::Owner => "part of the owner's name, e-mail or username",
            Self::By => "part of who made it: owner, reseller:2, api-key",
            Self::Key => "a whole license number or key",
        }
    }
}

/// Why a typed filter could not be read; each names what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("`{0}:` is not a filter; use {known}", known = known_fields())]
    UnknownField(String),
    #[error("`{field}:` takes {takes}, not `{value}`", field = .field.name(), takes = .field.takes())]
    BadValue { field: Field, value: String },
    #[error("`{field}:` needs a value: {takes}", field = .0.name(), takes = .0.takes())]
    NoValue(Field),
    #[error("a quote is not closed")]
    OpenQuote,
}

fn known_fields() -> String {
    Field::ALL.iter().map(|f| format!("{}:", f.name())).collect::<Vec<_>>().join(" ")
}

/// The state values, status and key state alike: `state:active` and `state:blocked` both read.
const STATES: [&str; 6] = ["active", "deactivated", "available", "assigned", "reserved", "blocked"];

/// The spans offered for `expires:`.
const SPANS: [&str; 4] = ["<7d", "<30d", "<90d", "<1y"];

/// One word of the text: a field and its value, or a bare word.
#[derive(Debug, PartialEq, Eq)]
struct Token {
    field: Option<String>,
    value: String,
}

/// Splits on spaces outside double quotes; a quoted value keeps its spaces.
fn tokens(text: &str) -> Result<Vec<Token>, SearchError> {
    let mut words = Vec::new();
    let (mut word, mut quoted, mut any) = (String::new(), false, false);
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    words.push(std::mem::take(&mut word));
                }
                any = false;
            }
            c => {
                word.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err(SearchError::OpenQuote);
    }
    if any {
        words.push(word);
    }
    Ok(words
        .into_iter()
        .map(|word| match word.split_once(':') {
            // `by:reseller:2`: the field is up to the first colon; a bare `reseller:2` is a field too.
            Some((field, value)) if !field.is_empty() && field.chars().all(|c| c.is_ascii_alphabetic()) => {
                Token { field: Some(field.to_owned()), value: value.to_owned() }
            }
            _ => Token { field: None, value: word },
        })
        .collect())
}

/// `<30d`, `30d`, `<4w`, `<6m`, `<1y` or a plain number of days.
fn span_days(value: &str) -> Option<u32> {
    let value = value.trim().trim_start_matches('<').trim_start_matches('=').trim();
    let (digits, unit) = match value.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => value.split_at(at),
        None => (value, "d"),
    };
    let n: u32 = digits.parse().ok()?;
    let per = match unit.to_ascii_lowercase().as_str() {
        "d" | "day" | "days" => 1,
        "w" | "week" | "weeks" => 7,
        "m" | "month" | "months" => 30,
        "y" | "year" | "years" => 365,
        _ => return None,
    };
    n.checked_mul(per).filter(|days| (1..=36_500).contains(days))
}

/// How a number of days is written back: the largest unit that divides it.
fn span_text(days: u32) -> String {
    match days {
        d if d % 365 == 0 => format!("<{}y", d / 365),
        d if d % 30 == 0 => format!("<{}m", d / 30),
        d if d % 7 == 0 => format!("<{}w", d / 7),
        d => format!("<{d}d"),
    }
}

impl std::str::FromStr for LicenseSearch {
    type Err = SearchError;

    /// Reads a typed filter. Field names and values are case-blind; a field given twice
    /// keeps its last value; words without a field search the owner.
    fn from_str(text: &str) -> Result<Self, SearchError> {
        let mut search = Self::default();
        let mut words = Vec::new();
        for token in tokens(text)? {
            let Some(name) = token.field else {
                words.push(token.value);
                continue;
            };
            let field = Field::parse(&name).ok_or(SearchError::UnknownField(name))?;
            let value = token.value.trim();
            if value.is_empty() {
                return Err(SearchError::NoValue(field));
            }
            let bad = || SearchError::BadValue { field, value: value.to_owned() };
            match field {
                Field::State => match value.to_ascii_lowercase().as_str() {
                    "active" => search.status = Some(LicenseStatus::Active),
                    "deactivated" | "inactive" => search.status = Some(LicenseStatus::Deactivated),
                    other => search.key_state = Some(KeyState::parse(other).ok_or_else(bad)?),
                },
                Field::Type => search.license_type = Some(LicenseType::parse(value).ok_or_else(bad)?),
                Field::Expires => search.expires_within_days = span_days(value).ok_or_else(bad)?,
                Field::Product => search.product = Some(value.to_owned()),
                Field::Email => search.email = value.to_owned(),
                Field::Owner => words.push(value.to_owned()),
                Field::By => search.made_by = value.to_owned(),
                Field::Key => search.number = value.to_owned(),
            }
        }
        search.owner = words.join(" ");
        Ok(search)
    }
}

/// A value as it must be typed: quoted when it has a space (or is empty).
fn quoted(value: &str) -> String {
    if value.is_empty() || value.contains(char::is_whitespace) { format!("\"{value}\"") } else { value.to_owned() }
}

impl fmt::Display for LicenseSearch {
    /// The text that reads back as this search, fields in [`Field::ALL`]'s order.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(status) = self.status {
            parts.push(format!("state:{}", if status == LicenseStatus::Active { "active" } else { "deactivated" }));
        }
        if let Some(state) = self.key_state {
            parts.push(format!("state:{}", state.as_str()));
        }
        if let Some(product) = &self.product {
            parts.push(format!("product:{}", quoted(product)));
        }
        if let Some(license_type) = self.license_type {
            parts.push(format!("type:{}", license_type.name()));
        }
        if self.expires_within_days > 0 {
            parts.push(format!("expires:{}", span_text(self.expires_within_days)));
        }
        for (field, value) in [("email", &self.email), ("by", &self.made_by), ("key", &self.number)] {
            if !value.trim().is_empty() {
                parts.push(format!("{field}:{}", quoted(value.trim())));
            }
        }
        if !self.owner.trim().is_empty() {
            // Words read back as words; a field-like word (`a:b`) is kept as an owner value.
            for word in self.owner.split_whitespace() {
                parts.push(if word.contains(':') || word.contains('"') {
                    format!("owner:{}", quoted(&word.replace('"', "")))
                } else {
                    word.to_owned()
                });
            }
        }
        f.write_str(&parts.join(" "))
    }
}

/// What a product name typed in `product:` stands for, among `names`: the one with that
/// name (case-blind), else the only one it begins.
pub fn resolve<'a>(typed: &str, names: impl IntoIterator<Item = &'a str> + Clone) -> Result<&'a str, String> {
    let folded = typed.trim().to_lowercase();
    if let Some(exact) = names.clone().into_iter().find(|n| n.to_lowercase() == folded) {
        return Ok(exact);
    }
    let begun: Vec<&str> = names.into_iter().filter(|n| n.to_lowercase().starts_with(&folded)).collect();
    match begun.as_slice() {
        [one] => Ok(one),
        [] => Err(format!("no product is named `{typed}`")),
        many => Err(format!("`{typed}` begins {} product names: {}", many.len(), many.join(", "))),
    }
}

/// One way to go on typing: what the list shows, and what replaces the word typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub label: String,
    pub insert: String,
}

/// Completions of `word`, the word being typed: field names for a bare word, the field's
/// values after its colon. `products` are the names `product:` offers.
pub fn completions(word: &str, products: &[String]) -> Vec<Completion> {
    match word.split_once(':') {
        None => Field::ALL
            .iter()
            .filter(|f| !word.is_empty() && f.name().starts_with(&word.to_ascii_lowercase()))
            .map(|f| Completion { label: format!("{}: {}", f.name(), f.takes()), insert: format!("{}:", f.name()) })
            .collect(),
        Some((name, typed)) => {
            let Some(field) = Field::parse(name) else { return Vec::new() };
            let typed = typed.trim_start_matches('"').to_lowercase();
            let values: Vec<String> = match field {
                Field::State => STATES.iter().map(|s| (*s).to_owned()).collect(),
                Field::Type => ["permanent", "monthly", "yearly", "nfr"].iter().map(|s| (*s).to_owned()).collect(),
                Field::Expires => SPANS.iter().map(|s| (*s).to_owned()).collect(),
                Field::Product => products.to_vec(),
                Field::By => ["owner", "reseller:", "api-key"].iter().map(|s| (*s).to_owned()).collect(),
                Field::Email | Field::Owner | Field::Key => Vec::new(),
            };
            values
                .into_iter()
                .filter(|v| v.to_lowercase().starts_with(&typed) && v.to_lowercase() != typed)
                .map(|v| {
                    // A finished value is followed by a space; `reseller:` waits for its number.
                    let space = if v.ends_with(':') { "" } else { " " };
                    let insert = format!("{}:{}{space}", field.name(), quoted(&v));
                    Completion { label: format!("{}:{v}", field.name()), insert }
                })
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> LicenseSearch {
        text.parse().unwrap()
    }

    #[test]
    fn the_issue_example_reads() {
        let search = read("state:active product:Pro expires:<30d email:*@acme.com");
        assert_eq!(search.status, Some(LicenseStatus::Active));
        assert_eq!(search.product.as_deref(), Some("Pro"));
        assert_eq!(search.expires_within_days, 30);
        assert_eq!(search.email, "*@acme.com");
        assert_eq!(search.owner, "");
    }

    #[test]
    fn every_field_reads_and_writes_back_the_same() {
        let text = "state:active state:blocked product:\"Pro Edition\" type:monthly expires:<6m \
                    email:*@acme.com by:reseller:2 key:AAAA-BBBB ada lovelace";
        let search = read(text);
        assert_eq!(search.key_state, Some(KeyState::Blocked));
        assert_eq!(search.product.as_deref(), Some("Pro Edition"));
        assert_eq!(search.license_type, Some(LicenseType::Monthly));
        assert_eq!(search.expires_within_days, 180);
        assert_eq!(search.made_by, "reseller:2");
        assert_eq!(search.number, "AAAA-BBBB");
        assert_eq!(search.owner, "ada lovelace");
        assert_eq!(search.to_string(), text);
        assert_eq!(read(&search.to_string()), search);
    }

    #[test]
    fn names_and_values_are_case_blind_and_the_last_of_a_field_wins() {
        let search = read("STATE:Deactivated Type:NFR expires:7 expires:2w Status:active");
        assert_eq!(search.status, Some(LicenseStatus::Active));
        assert_eq!(search.license_type, Some(LicenseType::NotForResale));
        assert_eq!(search.expires_within_days, 14);
        assert_eq!(LicenseSearch::default().to_string(), "");
        assert_eq!(read("   "), LicenseSearch::default());
    }

    #[test]
    fn refusals_say_what_to_type() {
        let refusal = |text: &str| text.parse::<LicenseSearch>().unwrap_err().to_string();
        assert_eq!(
            refusal("colour:red"),
            "`colour:` is not a filter; use state: product: type: expires: email: owner: by: key:"
        );
        assert!(refusal("state:gone").contains("takes active, deactivated"), "{}", refusal("state:gone"));
        assert!(refusal("expires:soon").contains("<7d"));
        assert!(refusal("expires:<0d").contains("not `<0d`"));
        assert_eq!(refusal("product:"), "`product:` needs a value: a product's name (in quotes when it has spaces)");
        assert_eq!(refusal("product:\"Pro"), "a quote is not closed");
        assert!(refusal("type:weekly").contains("permanent, monthly"));
    }

    #[test]
    fn spans_are_written_in_their_largest_unit() {
        for (days, text) in [(7, "<1w"), (30, "<1m"), (365, "<1y"), (10, "<10d"), (60, "<2m")] {
            assert_eq!(span_text(days), text);
            assert_eq!(span_days(text), Some(days));
        }
        assert_eq!(span_days("<99999999y"), None);
    }

    #[test]
    fn a_word_with_a_colon_that_is_no_field_name_searches_the_owner() {
        let search = read("owner:\"a:b\" x1:y");
        assert_eq!(search.owner, "a:b x1:y");
        assert_eq!(read(&search.to_string()), search);
    }

    #[test]
    fn products_resolve_by_name_then_by_a_unique_beginning() {
        let names = ["Pro", "Pro Edition", "Basic"];
        assert_eq!(resolve("pro", names), Ok("Pro"));
        assert_eq!(resolve("bas", names), Ok("Basic"));
        assert_eq!(resolve("pro e", names), Ok("Pro Edition"));
        assert_eq!(resolve("Enterprise", names), Err("no product is named `Enterprise`".into()));
        let many = resolve("", ["Alpha", "Beta"]).unwrap_err();
        assert!(many.contains("2 product names"), "{many}");
    }

    #[test]
    fn completions_offer_fields_then_values() {
        let products = vec!["Pro".to_owned(), "Pro Edition".to_owned()];
        let inserts = |word: &str| completions(word, &products).into_iter().map(|c| c.insert).collect::<Vec<_>>();
        assert_eq!(inserts("st"), ["state:"]);
        assert_eq!(inserts("state:a"), ["state:active ", "state:available ", "state:assigned "]);
        assert_eq!(inserts("pro"), ["product:"]);
        assert_eq!(inserts("product:"), ["product:Pro ", "product:\"Pro Edition\" "]);
        assert_eq!(inserts("product:pro"), ["product:\"Pro Edition\" "]);
        assert_eq!(inserts("expires:<3"), ["expires:<30d "]);
        assert_eq!(inserts("by:r"), ["by:reseller:"]);
        assert!(inserts("").is_empty());
        assert!(inserts("state:active").is_empty());
        assert!(inserts("colour:").is_empty());
        let labels: Vec<String> = completions("ty", &products).into_iter().map(|c| c.label).collect();
        assert_eq!(labels, ["type: permanent, monthly, yearly or nfr"]);
    }
}
