//! Private-key operations the engine leaves to the platform's own cryptography.
//!
//! A browser's WebCrypto signs with RSA and ECDSA, and decrypts RSAES-OAEP, natively and with
//! non-extractable keys, several times faster than RustCrypto compiled to wasm. The engine stays
//! pure: when the shell turns this on ([`crate::Engine::set_platform_crypto`]), Sign and
//! Decrypt check and authorize as always, then answer without the one member the private key
//! makes and describe that work in [`crate::Outcome::delegated`]. The shell does it (or, if the
//! platform cannot, [`Delegated::in_software`]) and fills the member in. Native callers never
//! turn it on, so every engine test runs the software path.

use crate::crypto::{self, Message, OaepHash};
use crate::env::Entropy;
use crate::error::KmsError;
use crate::spec::{EncryptionAlgorithm, KeySpec, SigningAlgorithm};
use crate::Secret;

/// One private-key operation for the shell to do with the platform's crypto.
#[derive(Debug)]
pub struct Delegated {
    pub region: String,
    pub key_id: String,
    /// The backing key whose material (PKCS#8) does it.
    pub backing_key_id: String,
    pub key_spec: KeySpec,
    pub work: Work,
    /// The response member the result goes in (a blob), which the engine's answer lacks.
    pub member: &'static str,
    /// The answer if the platform refuses the input (a ciphertext that does not decrypt).
    pub on_failure: KmsError,
}

#[derive(Debug)]
pub enum Work {
    /// Sign a RAW message (the platform hashes it).
    Sign {
        algorithm: SigningAlgorithm,
        message: Vec<u8>,
    },
    /// RSAES-OAEP decryption.
    Decrypt {
        algorithm: EncryptionAlgorithm,
        ciphertext: Vec<u8>,
    },
}

/// Whether the platform signs with `alg` on a key of `spec`: RSA's PSS and PKCS #1 v1.5, and
/// ECDSA on the NIST curves (WebCrypto has no secp256k1, SM2, Ed25519 keys of KMS's form or
/// ML-DSA).
pub fn signs(spec: KeySpec, alg: SigningAlgorithm) -> bool {
    use SigningAlgorithm::*;
    match spec {
        KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => matches!(
            alg,
            RsassaPssSha256
                | RsassaPssSha384
                | RsassaPssSha512
                | RsassaPkcs1V15Sha256
                | RsassaPkcs1V15Sha384
                | RsassaPkcs1V15Sha512
        ),
        KeySpec::EccNistP256 => alg == EcdsaSha256,
        KeySpec::EccNistP384 => alg == EcdsaSha384,
        KeySpec::EccNistP521 => alg == EcdsaSha512,
        _ => false,
    }
}

/// Whether the platform decrypts with `alg` (RSAES-OAEP with SHA-1 or SHA-256).
pub fn decrypts(alg: EncryptionAlgorithm) -> bool {
    matches!(
        alg,
        EncryptionAlgorithm::RsaesOaepSha1 | EncryptionAlgorithm::RsaesOaepSha256
    )
}

impl Delegated {
    /// The work done by the engine's own code, for a platform that cannot: the same result.
    pub fn in_software(&self, material: &[u8], rng: &mut dyn Entropy) -> Result<Secret, KmsError> {
        match &self.work {
            Work::Sign { algorithm, message } => {
                crypto::sign(material, *algorithm, Message::Raw(message), rng)
                    .map(Secret::new)
                    .map_err(|_| KmsError::internal("Signing failed."))
            }
            Work::Decrypt {
                algorithm,
                ciphertext,
            } => {
                let hash = if *algorithm == EncryptionAlgorithm::RsaesOaepSha1 {
                    OaepHash::Sha1
                } else {
                    OaepHash::Sha256
                };
                crypto::rsa_oaep_decrypt(material, hash, ciphertext, rng)
                    .map_err(|_| self.on_failure.clone())
            }
        }
    }
}
