//! The engine's cryptography, on RustCrypto crates. Private key material is passed in as
//! PKCS#8 DER (RSA, ECC), raw bytes (AES, HMAC); nothing here keeps state.
//!
//! Failures are deliberately opaque (`CryptoError`): no detail that could become an oracle.

use crate::env::{Entropy, RngAdapter};
use crate::spec::{MacAlgorithm, SigningAlgorithm};
use crate::Secret;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CryptoError;

/// OAEP's hash (MGF1 uses the same hash, as in AWS KMS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaepHash {
    Sha1,
    Sha256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
}

/// What Sign/Verify are given: the message itself, or its digest (`MessageType` RAW/DIGEST).
#[derive(Debug, Clone, Copy)]
pub enum Message<'a> {
    Raw(&'a [u8]),
    Digest(&'a [u8]),
}

/// AES-256-GCM (a 32-byte key, a 12-byte nonce); returns ciphertext || 16-byte tag.
pub fn aes_gcm_seal(key: &[u8], nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let _ = (key, nonce, aad, plaintext);
    todo!()
}

/// Opens what [`aes_gcm_seal`] made; `None` for any tampering or a wrong key/nonce/aad.
pub fn aes_gcm_open(key: &[u8], nonce: &[u8; 12], aad: &[u8], sealed: &[u8]) -> Option<Secret> {
    let _ = (key, nonce, aad, sealed);
    todo!()
}

/// A new RSA private key (e = 65537) as PKCS#8 DER.
pub fn rsa_generate(bits: usize, rng: &mut dyn Entropy) -> Result<Secret, CryptoError> {
    let _ = (bits, RngAdapter(rng));
    todo!()
}

/// A new ECC private key as PKCS#8 DER.
pub fn ec_generate(curve: Curve, rng: &mut dyn Entropy) -> Secret {
    let _ = (curve, rng);
    todo!()
}

/// The DER SubjectPublicKeyInfo of an RSA or ECC private key given as PKCS#8 DER (what
/// GetPublicKey returns). Works out the algorithm from the PKCS#8 itself.
pub fn public_key_der(private_pkcs8: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let _ = private_pkcs8;
    todo!()
}

/// Largest plaintext RSAES-OAEP takes under this key: k - 2*hLen - 2 (AWS's documented limits:
/// 214/190 bytes for RSA_2048 with SHA-1/SHA-256, 342/318 for 3072, 470/446 for 4096).
pub fn rsa_oaep_max_plaintext(modulus_bits: usize, hash: OaepHash) -> usize {
    let h = match hash {
        OaepHash::Sha1 => 20,
        OaepHash::Sha256 => 32,
    };
    modulus_bits / 8 - 2 * h - 2
}

pub fn rsa_oaep_encrypt(
    private_pkcs8: &[u8],
    hash: OaepHash,
    plaintext: &[u8],
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    let _ = (private_pkcs8, hash, plaintext, rng);
    todo!()
}

pub fn rsa_oaep_decrypt(private_pkcs8: &[u8], hash: OaepHash, ciphertext: &[u8]) -> Result<Secret, CryptoError> {
    let _ = (private_pkcs8, hash, ciphertext);
    todo!()
}

/// Signs as AWS KMS does: RSA signatures are the raw signature bytes, ECDSA signatures are DER
/// (`Ecdsa-Sig-Value`). A `Message::Digest` is signed as the already-hashed message. The
/// caller has checked that `alg` suits the key and that a digest has the right length.
pub fn sign(
    private_pkcs8: &[u8],
    alg: SigningAlgorithm,
    message: Message<'_>,
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    let _ = (private_pkcs8, alg, message, rng);
    todo!()
}

/// `Ok(false)` for a signature that does not verify (including malformed signatures).
pub fn verify(
    private_pkcs8: &[u8],
    alg: SigningAlgorithm,
    message: Message<'_>,
    signature: &[u8],
) -> Result<bool, CryptoError> {
    let _ = (private_pkcs8, alg, message, signature);
    todo!()
}

pub fn hmac(alg: MacAlgorithm, key: &[u8], message: &[u8]) -> Vec<u8> {
    let _ = (alg, key, message);
    todo!()
}

/// Constant-time comparison against a fresh MAC.
pub fn hmac_verify(alg: MacAlgorithm, key: &[u8], message: &[u8], mac: &[u8]) -> bool {
    let _ = (alg, key, message, mac);
    todo!()
}
