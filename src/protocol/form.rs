//! Form parameters: `application/x-www-form-urlencoded` bodies and query strings, as the
//! license key API and the keygen URL receive them.

/// The parameters of one request: the query, then the form body (a POST may have both).
/// Names are case-sensitive; the first value of a repeated name wins.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn new(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// The first value of a parameter.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The value, or "" when absent.
    pub fn text(&self, name: &str) -> &str {
        self.get(name).unwrap_or_default()
    }

    /// A value that is present and not blank.
    pub fn filled(&self, name: &str) -> Option<&str> {
        self.get(name).map(str::trim).filter(|v| !v.is_empty())
    }

    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The query string's pairs, then the form body's.
    pub fn from_query_and_form(query: Option<&str>, body: &[u8]) -> Self {
        let decode = |bytes: &[u8]| {
            form_urlencoded::parse(bytes).map(|(k, v)| (k.into_owned(), v.into_owned())).collect::<Vec<_>>()
        };
        let mut pairs = decode(query.unwrap_or_default().as_bytes());
        pairs.extend(decode(body));
        Self(pairs)
    }
}
