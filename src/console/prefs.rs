//! What the console remembers between runs (eframe's storage). Never a secret.

use super::navigation::View;
use super::profiles::Profile;
use super::theme::Theme;

/// What the console remembers between runs. Never a secret.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Prefs {
    pub theme: Theme,
    pub view: View,
    /// Profiles: where each is and who logs in; their keys, tokens and salts stay in the keyring.
    pub profiles: Vec<Profile>,
    /// Saved searches (typed Licenses filters), each for the profile it was saved on.
    pub searches: Vec<SavedSearch>,
}

/// A typed Licenses filter kept under a name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SavedSearch {
    /// The profile it belongs to; `None`: a console opened without one.
    pub profile: Option<Profile>,
    pub name: String,
    pub text: String,
}

impl Prefs {
    /// The saved searches of `profile`, in the order they were saved.
    pub fn searches_of<'a>(&'a self, profile: Option<&'a Profile>) -> impl Iterator<Item = &'a SavedSearch> + 'a {
        self.searches.iter().filter(move |s| s.profile.as_ref() == profile)
    }

    /// Keeps `text` as `name` for `profile`, replacing a search of that name.
    pub fn save_search(&mut self, profile: Option<Profile>, name: String, text: String) {
        self.forget_search(profile.as_ref(), &name);
        self.searches.push(SavedSearch { profile, name, text });
    }

    pub fn forget_search(&mut self, profile: Option<&Profile>, name: &str) {
        self.searches.retain(|s| !(s.profile.as_ref() == profile && s.name == name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn saved_searches_belong_to_their_profile_and_a_name_is_kept_once() {
        let (one, two) = (Profile::Local("one.sqlite".into()), Profile::Local("two.sqlite".into()));
        let mut prefs = Prefs::default();
        prefs.save_search(Some(one.clone()), "Pro".into(), "product:Pro".into());
        prefs.save_search(Some(two.clone()), "Pro".into(), "product:Pro state:active".into());
        prefs.save_search(Some(one.clone()), "Pro".into(), "product:Pro expires:<30d".into());
        let texts = |prefs: &Prefs, p: &Profile| prefs.searches_of(Some(p)).map(|s| s.text.clone()).collect::<Vec<_>>();
        assert_eq!(texts(&prefs, &one), ["product:Pro expires:<30d"]);
        assert_eq!(texts(&prefs, &two), ["product:Pro state:active"]);
        prefs.forget_search(Some(&one), "Pro");
        assert!(texts(&prefs, &one).is_empty());
        assert_eq!(prefs.searches_of(None).count(), 0);
    }
}
