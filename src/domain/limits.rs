//! How much one request may ask for. Each ceiling keeps one request's work on the single
//! writer well under a second on a small machine, and its reply small enough to sign and
//! send at once; a caller who needs more makes more calls. docs/reliability.md lists them
//! with the reason for each value.

/// random-assign-license-keys, plain and queued: keys assigned (and drawn) by one call.
pub const MAX_ASSIGN: u32 = 1_000;

/// One generate call of the Contracts API.
pub const MAX_CONTRACT_GENERATE: u32 = 1_000;

/// create-license-keys: keys in one `license_keys` array.
pub const MAX_CREATE_KEYS: usize = 10_000;

/// A contract's or a reseller pool's size (`license_keys_quantity`, a pool's quantity).
pub const MAX_POOL: u32 = 10_000_000;

/// One reseller order (the keygen URL's `qty`, the console's Key generation), test mode too.
pub const MAX_ORDER: u32 = 1_000;

/// One stock job (the console's Key generation, `keydesk admin`): keys made in one go.
pub const MAX_STOCK: u64 = 10_000_000;

/// Keys of one stock request of the console API; a remote console splits its job into
/// requests of this size, each its own transaction.
pub const MAX_STOCK_PER_REQUEST: u64 = 50_000;

/// Rows one window of a console table, a search or a telemetry listing returns at most; a
/// client pages for more. (The console asks for 400 at a time.)
pub const MAX_WINDOW: u32 = 1_000;

/// A key's or generator's validity in days (100 years): beyond it a date stops being a date
/// anyone means, and near chrono's range it stops being a date at all.
pub const MAX_VALIDITY_DAYS: u32 = 36_500;

/// Refuses `asked` above `most`: the error names the ceiling.
pub fn within(asked: u64, most: u64) -> Result<(), TooMany> {
    if asked > most { Err(TooMany { most }) } else { Ok(()) }
}

/// A request asked for more than one call may.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("one call may ask for at most {most}")]
pub struct TooMany {
    pub most: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_itself_is_allowed() {
        assert_eq!(within(1_000, 1_000), Ok(()));
        assert_eq!(within(1_001, 1_000), Err(TooMany { most: 1_000 }));
        assert_eq!(within(u64::MAX, 1_000), Err(TooMany { most: 1_000 }));
    }
}
