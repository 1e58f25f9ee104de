//! The searchuser pattern rules: `*` at the start and/or end, otherwise an exact match.

/// How a search term matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchPattern {
    Exact(String),
    Prefix(String),
    Suffix(String),
    Contains(String),
}

/// The term is shorter than the three characters searchuser requires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("search string too short")]
pub struct TooShort;

/// Fewest characters a term must have, not counting its wildcards.
pub const MIN_SEARCH_CHARS: usize = 3;

impl SearchPattern {
    /// Parses a term; the text is folded to lower case, as names and e-mails are stored.
    /// A `*` inside the term (not at an end) is taken literally.
    pub fn parse(term: &str) -> Result<Self, TooShort> {
        let term = term.trim();
        let starts = term.starts_with('*');
        let rest = if starts { &term[1..] } else { term };
        let ends = rest.ends_with('*');
        let core = if ends { &rest[..rest.len() - 1] } else { rest };
        if core.chars().count() < MIN_SEARCH_CHARS {
            return Err(TooShort);
        }
        let core = crate::domain::user::fold_key(core);
        Ok(match (starts, ends) {
            (false, false) => Self::Exact(core),
            (false, true) => Self::Prefix(core),
            (true, false) => Self::Suffix(core),
            (true, true) => Self::Contains(core),
        })
    }

    /// The folded text the pattern looks for.
    pub fn text(&self) -> &str {
        match self {
            Self::Exact(t) | Self::Prefix(t) | Self::Suffix(t) | Self::Contains(t) => t,
        }
    }

    /// Whether a folded value matches; the store's SQL must agree with this.
    pub fn matches(&self, folded: &str) -> bool {
        match self {
            Self::Exact(t) => folded == t,
            Self::Prefix(t) => folded.starts_with(t.as_str()),
            Self::Suffix(t) => folded.ends_with(t.as_str()),
            Self::Contains(t) => folded.contains(t.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_at_either_end_choose_the_match() {
        assert_eq!(SearchPattern::parse("Team"), Ok(SearchPattern::Exact("team".into())));
        assert_eq!(SearchPattern::parse("Team*"), Ok(SearchPattern::Prefix("team".into())));
        assert_eq!(SearchPattern::parse("*Team"), Ok(SearchPattern::Suffix("team".into())));
        assert_eq!(SearchPattern::parse("*Team*"), Ok(SearchPattern::Contains("team".into())));
    }

    #[test]
    fn fewer_than_three_characters_is_too_short() {
        for short in ["", "ab", "*ab", "ab*", "*ab*", "*", "**"] {
            assert_eq!(SearchPattern::parse(short), Err(TooShort), "{short}");
        }
        assert!(SearchPattern::parse("*abc*").is_ok());
    }

    #[test]
    fn matching_agrees_with_the_kind() {
        let contains = SearchPattern::parse("*drive*").expect("pattern");
        assert!(contains.matches("teamdrive-user"));
        assert!(!contains.matches("team"));
        assert!(SearchPattern::parse("*.com").expect("pattern").matches("a@b.com"));
    }
}
