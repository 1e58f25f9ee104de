//! Settings a database keeps for whoever opens it: the SMTP relay (sealed, since its URL
//! may hold credentials).

use rusqlite::OptionalExtension;

use super::{Db, StoreError};

const SMTP_RELAY: &str = "smtp_relay";

impl Db<'_> {
    /// The relay URL and sender address, if one was saved.
    pub fn smtp_relay(&self) -> Result<Option<(String, String)>, StoreError> {
        let sealed: Option<Vec<u8>> =
            self.conn.query_row("SELECT value FROM meta WHERE key = ?1", [SMTP_RELAY], |r| r.get(0)).optional()?;
        let Some(sealed) = sealed else { return Ok(None) };
        let text = self.sealer.open(&sealed)?;
        let (url, from) = text.split_once('\n').ok_or_else(|| StoreError::Corrupt("smtp relay setting".into()))?;
        Ok(Some((url.to_owned(), from.to_owned())))
    }

    /// Saves (or, with `None`, forgets) the relay.
    pub fn set_smtp_relay(&self, relay: Option<(&str, &str)>) -> Result<(), StoreError> {
        match relay {
            Some((url, from)) => {
                let sealed = self.sealer.seal(&format!("{url}\n{from}"));
                self.conn.execute(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    rusqlite::params![SMTP_RELAY, sealed],
                )?;
            }
            None => {
                self.conn.execute("DELETE FROM meta WHERE key = ?1", [SMTP_RELAY])?;
            }
        }
        Ok(())
    }
}
