//! Randomness for keys, codes and nonces: the OS CSPRNG, read in blocks.

use rand::rngs::OsRng;
use rand::{CryptoRng, RngCore};

const BLOCK: usize = 4096;

/// The OS CSPRNG read 4 KiB at a time: the very bytes `OsRng` gives, with one system call
/// per block instead of one per value (a generated key needs about twenty values).
pub struct OsRandomBlocks {
    buf: [u8; BLOCK],
    used: usize,
}

impl Default for OsRandomBlocks {
    fn default() -> Self {
        Self { buf: [0; BLOCK], used: BLOCK }
    }
}

impl RngCore for OsRandomBlocks {
    fn next_u32(&mut self) -> u32 {
        let mut bytes = [0u8; 4];
        self.fill_bytes(&mut bytes);
        u32::from_le_bytes(bytes)
    }

    fn next_u64(&mut self) -> u64 {
        let mut bytes = [0u8; 8];
        self.fill_bytes(&mut bytes);
        u64::from_le_bytes(bytes)
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        let mut filled = 0;
        while filled < dest.len() {
            if self.used == BLOCK {
                OsRng.fill_bytes(&mut self.buf);
                self.used = 0;
            }
            let n = (dest.len() - filled).min(BLOCK - self.used);
            dest[filled..filled + n].copy_from_slice(&self.buf[self.used..self.used + n]);
            // Bytes handed out are wiped, so that the buffer never holds a secret twice.
            self.buf[self.used..self.used + n].fill(0);
            self.used += n;
            filled += n;
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl CryptoRng for OsRandomBlocks {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_consumed_without_repeating() {
        let mut rng = OsRandomBlocks::default();
        let mut a = vec![0u8; 5000];
        let mut b = vec![0u8; 5000];
        rng.fill_bytes(&mut a);
        rng.fill_bytes(&mut b);
        assert_ne!(a, b);
        assert!(a.iter().any(|&x| x != 0));
    }
}
