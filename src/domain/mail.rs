//! The mails keydesk sends, their built-in templates, and how placeholders are filled.

/// What a mail is for. Each kind has a built-in template a distributor may replace.
#[derive(serde::Serialize, serde::Deserialize, Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailKind {
    Activation,
    TemporaryPassword,
    EmailChange,
    DeleteConfirmation,
    Invitation,
    /// Keys a reseller generated, to their customer (or to the reseller in test mode).
    ResellerKeys,
}

impl MailKind {
    pub const ALL: [Self; 6] = [
        Self::Activation,
        Self::TemporaryPassword,
        Self::EmailChange,
        Self::DeleteConfirmation,
        Self::Invitation,
        Self::ResellerKeys,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Activation => "activation",
            Self::TemporaryPassword => "temporary-password",
            Self::EmailChange => "email-change",
            Self::DeleteConfirmation => "delete-confirmation",
            Self::Invitation => "invitation",
            Self::ResellerKeys => "reseller-keys",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The built-in subject and body; `{name}` placeholders are filled by [`render`].
    pub fn default_template(self) -> Template {
        let (subject, body) = match self {
            Self::Activation => (
                "Activate your {distributor} account",
                "Hello {username},\n\nplease activate your account with this code:\n\n    {code}\n\nIf you did not register, ignore this mail.\n",
            ),
            Self::TemporaryPassword => (
                "Your temporary {distributor} password",
                "Hello {username},\n\nyour temporary password is:\n\n    {password}\n\nIt is valid for {minutes} minutes. Use it to choose a new password.\n",
            ),
            Self::EmailChange => (
                "Confirm your new e-mail address",
                "Hello {username},\n\nplease confirm {email} as your new address with this code:\n\n    {code}\n\nUntil you do, your old address stays in use.\n",
            ),
            Self::DeleteConfirmation => (
                "Confirm the deletion of your {distributor} account",
                "Hello {username},\n\nyou asked to delete your account. Confirm with this code and your password:\n\n    {code}\n\nIf you did not ask for this, contact support.\n",
            ),
            Self::Invitation => {
                ("{distributor}: {invitation}", "Hello {username},\n\n{invitation} for depot {depot} on {host}.\n")
            }
            Self::ResellerKeys => (
                "{test}Your {product} {edition} license",
                "Hello {first_name} {last_name},\n\nthank you for buying {product} {edition} from {reseller}. \
                 Your license key(s) ({quantity}):\n\n{keys}\n\nKeep this mail: the keys are what you register with.\n\n{test_note}",
            ),
        };
        Template { subject: subject.to_owned(), body: body.to_owned() }
    }
}

/// A mail template: subject and plain-text body with `{name}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pub subject: String,
    pub body: String,
}

/// A rendered mail, ready for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub kind: MailKind,
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Fills `{name}` placeholders from `values`; unknown placeholders stay as written.
pub fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}').map(|close| (&after[..close], close)) {
            Some((name, close)) if values.iter().any(|(k, _)| *k == name) => {
                let value = values.iter().find(|(k, _)| *k == name).map(|(_, v)| *v).unwrap_or_default();
                out.push_str(value);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_and_unknown_ones_kept() {
        let text = render("Hi {username}, {code} {other} {", &[("username", "ann"), ("code", "X1")]);
        assert_eq!(text, "Hi ann, X1 {other} {");
    }

    #[test]
    fn every_kind_round_trips_and_has_a_template() {
        for kind in MailKind::ALL {
            assert_eq!(MailKind::parse(kind.as_str()), Some(kind));
            assert!(!kind.default_template().body.is_empty());
        }
    }
}
