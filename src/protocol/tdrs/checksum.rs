//! `?checksum=`: the lower-case hex MD5 of the exact body bytes followed by the salt.

use md5::{Digest, Md5};

/// The checksum a client sends with `body` under `salt`.
pub fn checksum(body: &[u8], salt: &str) -> String {
    let mut md5 = Md5::new();
    md5.update(body);
    md5.update(salt.as_bytes());
    hex::encode(md5.finalize())
}

/// Whether `given` is the checksum of `body` under `salt`, compared in constant time.
pub fn verify(body: &[u8], salt: &str, given: &str) -> bool {
    let expected = checksum(body, salt);
    let given = given.trim().as_bytes();
    expected.len() == given.len() && expected.bytes().zip(given).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "<?xml version='1.0' encoding='UTF-8' ?><teamdrive><apiversion>1.0.005</apiversion>";

    /// The three vectors of shared/protocols/tdrs-api.md §1 (salt `a1b2c3`, requesttime 0).
    #[test]
    fn documented_vectors() {
        let vectors = [
            (
                "<command>getuserdata</command><requesttime>0</requesttime><username>foo</username></teamdrive>",
                "ed5ad65edd718cda603e1a24567408f7",
            ),
            (
                "<command>assignusertolicense</command><requesttime>0</requesttime><username>foo</username><number>12345</number></teamdrive>",
                "b6266e47a8fc75be2cc791e47621c4b7",
            ),
            (
                "<command>createlicensewithoutuser</command><requesttime>0</requesttime><productname>client</productname><type>permanent</type><featurevalue>enterprise</featurevalue></teamdrive>",
                "df78f7da006e99930a2b5e9c741b08a5",
            ),
        ];
        for (tail, expected) in vectors {
            let body = format!("{HEAD}{tail}");
            assert_eq!(checksum(body.as_bytes(), "a1b2c3"), expected);
            assert!(verify(body.as_bytes(), "a1b2c3", expected));
            assert!(!verify(body.as_bytes(), "a1b2c4", expected));
        }
    }
}
