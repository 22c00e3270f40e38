//! What the engine needs from the world, injected: the time and randomness.
//!
//! The engine never reads a clock or draws randomness itself (so it is deterministic under test
//! and runs anywhere). The browser shell supplies `Date.now()` and `crypto.getRandomValues`;
//! tests use [`ManualClock`] and [`SeededEntropy`].

use crate::Secret;
use sha2::{Digest, Sha256};
use std::cell::Cell;

/// Milliseconds since the Unix epoch.
pub type Millis = i64;

pub const MILLIS_PER_DAY: Millis = 86_400_000;

pub trait Clock {
    fn now(&self) -> Millis;
}

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock(Cell<Millis>);

impl ManualClock {
    pub fn new(start: Millis) -> Self {
        ManualClock(Cell::new(start))
    }
    pub fn set(&self, now: Millis) {
        self.0.set(now);
    }
    pub fn advance_days(&self, days: i64) {
        self.0.set(self.0.get() + days * MILLIS_PER_DAY);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.0.get()
    }
}

/// Cryptographically secure randomness, and RSA private keys (slow to make in wasm: the browser
/// shell answers from keys WebCrypto generated ahead of the call).
pub trait Entropy {
    fn fill(&mut self, dest: &mut [u8]);

    /// An RSA private key of `bits` bits as PKCS#8 DER, if this source has one ready. `None`
    /// makes the engine generate one itself with the `rsa` crate.
    fn rsa_private_key(&mut self, _bits: usize) -> Option<Secret> {
        None
    }
}

/// A random (version 4) UUID, as AWS's key ids, request ids and CloudTrail event ids are.
pub fn uuid_v4(entropy: &mut dyn Entropy) -> String {
    let mut b = [0u8; 16];
    entropy.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40; // version 4
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    uuid_string(&b)
}

/// 16 bytes as a UUID's text (8-4-4-4-12 lowercase hex digits).
pub(crate) fn uuid_string(b: &[u8]) -> String {
    let h = base16ct::lower::encode_string(b);
    let mut out = String::with_capacity(36);
    for (i, (from, to)) in [(0, 8), (8, 12), (12, 16), (16, 20), (20, 32)]
        .into_iter()
        .enumerate()
    {
        if i > 0 {
            out.push('-');
        }
        out.push_str(&h[from..to]);
    }
    out
}

/// Deterministic randomness for tests: SHA-256 of (seed, counter). Not for real keys.
#[derive(Debug, Clone)]
pub struct SeededEntropy {
    seed: [u8; 32],
    counter: u64,
}

impl SeededEntropy {
    pub fn new(seed: u64) -> Self {
        SeededEntropy {
            seed: Sha256::digest(seed.to_be_bytes()).into(),
            counter: 0,
        }
    }
}

impl Entropy for SeededEntropy {
    fn fill(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(32) {
            let mut h = Sha256::new();
            h.update(self.seed);
            h.update(self.counter.to_be_bytes());
            self.counter += 1;
            let block = h.finalize();
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }
}

/// Adapts an [`Entropy`] to the `rand_core` traits the RustCrypto crates take.
pub(crate) struct RngAdapter<'a>(pub &'a mut dyn Entropy);

impl rand_core::RngCore for RngAdapter<'_> {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.0.fill(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.0.fill(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for RngAdapter<'_> {}

// The same adapter for the crates of rand_core 0.10's generation (ml-dsa).
impl rand_core_010::TryRng for RngAdapter<'_> {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(rand_core::RngCore::next_u32(self))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(rand_core::RngCore::next_u64(self))
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Self::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

impl rand_core_010::TryCryptoRng for RngAdapter<'_> {}
