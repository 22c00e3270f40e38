//! Ed25519 (ECC_NIST_EDWARDS25519): RFC 8410 key encodings, pure Ed25519 (ED25519_SHA_512) and
//! Ed25519ph (ED25519_PH_SHA_512), as FIPS 186-5 § 7.8 defines them.

use super::{pkcs8_private, spki, CryptoError, OID_ED25519};
use crate::env::Entropy;
use crate::Secret;
use ed25519_dalek::{Signature, SigningKey, VerifyingKey};
use sha2::{Digest, Sha512};
use zeroize::Zeroizing;

/// A new private key as RFC 8410 PKCS#8 (version 1, the 32-byte seed in an OCTET STRING): what
/// OpenSSL writes, 48 bytes.
pub(super) fn generate(rng: &mut dyn Entropy) -> Secret {
    let mut seed = Zeroizing::new([0u8; 32]);
    rng.fill(&mut *seed);
    private_pkcs8(&seed)
}

/// RFC 8410's CurvePrivateKey: OCTET STRING { seed }, inside PKCS#8's privateKey.
pub fn private_pkcs8(seed: &[u8; 32]) -> Secret {
    let mut inner = Zeroizing::new(vec![0x04, 0x20]);
    inner.extend_from_slice(seed);
    pkcs8_private(OID_ED25519, &inner)
}

fn signing_key(private_key: &[u8]) -> Result<SigningKey, CryptoError> {
    // The privateKey is CurvePrivateKey: 04 20 <seed>.
    match private_key {
        [0x04, 0x20, seed @ ..] if seed.len() == 32 => {
            let seed: &[u8; 32] = seed.try_into().map_err(|_| CryptoError)?;
            Ok(SigningKey::from_bytes(seed))
        }
        _ => Err(CryptoError),
    }
}

/// The 44-byte SubjectPublicKeyInfo (id-Ed25519, the 32-byte point).
pub(super) fn public_spki(private_key: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key = signing_key(private_key)?;
    spki(OID_ED25519, key.verifying_key().as_bytes())
}

/// What each algorithm signs: pure Ed25519 signs the message itself; Ed25519ph signs
/// SHA-512(message), KMS hashing the DIGEST it is given once more (Sign's documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Variant {
    Pure,
    Prehash,
}

pub(super) fn sign(
    private_key: &[u8],
    variant: Variant,
    message: &[u8],
    _rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    // Ed25519 is deterministic: it draws nothing from the rng.
    let key = signing_key(private_key)?;
    let signature = match variant {
        Variant::Pure => ed25519_dalek::Signer::sign(&key, message),
        Variant::Prehash => key
            .sign_prehashed(Sha512::new_with_prefix(message), None)
            .map_err(|_| CryptoError)?,
    };
    Ok(signature.to_bytes().to_vec())
}

/// `Ok(false)` for a signature that does not verify or is not 64 bytes. Strict verification
/// (canonical S and R, no small-order points), which FIPS 186-5 asks for.
pub(super) fn verify(
    public_key: &[u8],
    variant: Variant,
    message: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    let public: &[u8; 32] = public_key.try_into().map_err(|_| CryptoError)?;
    let key = VerifyingKey::from_bytes(public).map_err(|_| CryptoError)?;
    let Ok(signature) = Signature::from_slice(signature) else {
        return Ok(false);
    };
    Ok(match variant {
        Variant::Pure => key.verify_strict(message, &signature).is_ok(),
        Variant::Prehash => key
            .verify_prehashed_strict(Sha512::new_with_prefix(message), None, &signature)
            .is_ok(),
    })
}
