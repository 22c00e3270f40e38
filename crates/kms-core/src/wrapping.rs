//! Importing key material: the wrapping keys and import tokens of GetParametersForImport, the
//! unwrapping ImportKeyMaterial does (RSAES-OAEP, RSA-OAEP of an AES key followed by AES key
//! wrap with padding, RFC 5649, and SM2PKE in the China Regions), what material each key spec takes, and the key material id
//! KMS derives from the key id and the material.
//!
//! Failures are opaque (`CryptoError`), as in [`crate::crypto`]: the caller answers with AWS's
//! error and no detail that could make the unwrapping an oracle.

use crate::crypto::{self, CryptoError, OaepHash};
use crate::env::Millis;
use crate::spec::KeySpec;
pub use crate::spec::WrappingAlgorithm;
use crate::Secret;
use hmac::{Hmac, Mac};
use rsa::pkcs8::{ObjectIdentifier, PrivateKeyInfo};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// One GetParametersForImport answer the engine remembers: the wrapping private key behind the
/// public key it returned, and how the material must be wrapped with it. Stored with its key
/// (the shell wraps `private_key` under the HSM key like key material), so that a token stays
/// good for its 24 hours across reloads, as AWS's does.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WrappingParameters {
    /// 32 lowercase hex characters: what the import token carries to find these parameters.
    pub token_id: String,
    pub algorithm: WrappingAlgorithm,
    /// `RSA_2048`, `RSA_3072`, `RSA_4096` or `SM2`.
    pub key_spec: String,
    /// `ParametersValidTo`: 24 hours after the request.
    pub valid_to: Millis,
    /// PKCS#8 DER.
    #[serde(skip)]
    pub private_key: Secret,
}

impl WrappingAlgorithm {
    fn hash(self) -> OaepHash {
        match self {
            WrappingAlgorithm::RsaesOaepSha1 | WrappingAlgorithm::RsaAesKeyWrapSha1 => {
                OaepHash::Sha1
            }
            _ => OaepHash::Sha256,
        }
    }

    pub fn is_rsa_aes(self) -> bool {
        matches!(
            self,
            WrappingAlgorithm::RsaAesKeyWrapSha1 | WrappingAlgorithm::RsaAesKeyWrapSha256
        )
    }
}

/// Unwraps `EncryptedKeyMaterial` with the wrapping private key (PKCS#8 DER).
///
/// RSAES_OAEP_*: the material itself, RSA-OAEP encrypted (MGF1 with the same hash, no label).
/// SM2PKE: the material SM2PKE encrypted (GM/T 0003.4, DER), as `gmssl sm2encrypt` makes it.
/// RSA_AES_KEY_WRAP_*: an ephemeral AES key RSA-OAEP encrypted (exactly the modulus length),
/// followed by the material wrapped under that AES key with AES-KWP (RFC 5649), as
/// `openssl pkeyutl` then `openssl enc -id-aes256-wrap-pad` make it.
pub fn unwrap(
    private_pkcs8: &[u8],
    algorithm: WrappingAlgorithm,
    wrapped: &[u8],
    rng: &mut dyn crate::Entropy,
) -> Result<Secret, CryptoError> {
    if algorithm == WrappingAlgorithm::Sm2Pke {
        return crypto::sm2_decrypt(private_pkcs8, wrapped);
    }
    if !algorithm.is_rsa_aes() {
        return crypto::rsa_oaep_decrypt(private_pkcs8, algorithm.hash(), wrapped, rng);
    }
    let modulus = crypto::rsa_modulus_bits(private_pkcs8)?.div_ceil(8);
    if wrapped.len() <= modulus {
        return Err(CryptoError);
    }
    let (wrapped_aes, wrapped_material) = wrapped.split_at(modulus);
    let aes = crypto::rsa_oaep_decrypt(private_pkcs8, algorithm.hash(), wrapped_aes, rng)?;
    // AES-KWP output is the input less its 8-byte integrity check value.
    let out_len = wrapped_material.len().checked_sub(8).ok_or(CryptoError)?;
    let mut out = Zeroizing::new(vec![0u8; out_len]);
    let len = match aes.len() {
        16 => aes_kw::KekAes128::try_from(aes.expose())
            .map_err(|_| CryptoError)?
            .unwrap_with_padding(wrapped_material, &mut out)
            .map_err(|_| CryptoError)?
            .len(),
        24 => aes_kw::KekAes192::try_from(aes.expose())
            .map_err(|_| CryptoError)?
            .unwrap_with_padding(wrapped_material, &mut out)
            .map_err(|_| CryptoError)?
            .len(),
        32 => aes_kw::KekAes256::try_from(aes.expose())
            .map_err(|_| CryptoError)?
            .unwrap_with_padding(wrapped_material, &mut out)
            .map_err(|_| CryptoError)?
            .len(),
        _ => return Err(CryptoError),
    };
    Ok(Secret::new(out[..len].to_vec()))
}

/// The import token: opaque to the caller. It names the key and the remembered parameters, and
/// carries their expiry so that a token whose parameters are gone can still be told expired.
///
/// ```text
/// 0x01 | token id (16 B) | ParametersValidTo, ms (8 B, big-endian) | key id (UTF-8)
/// ```
pub fn import_token(key_id: &str, token_id: &[u8; 16], valid_to: Millis) -> Vec<u8> {
    let mut out = Vec::with_capacity(25 + key_id.len());
    out.push(1);
    out.extend_from_slice(token_id);
    out.extend_from_slice(&valid_to.to_be_bytes());
    out.extend_from_slice(key_id.as_bytes());
    out
}

/// A parsed import token: (token id in hex, valid to, key id).
pub fn parse_import_token(token: &[u8]) -> Option<(String, Millis, String)> {
    if token.len() < 26 || token[0] != 1 {
        return None;
    }
    let token_id = hex(&token[1..17]);
    let valid_to = Millis::from_be_bytes(token[17..25].try_into().ok()?);
    let key_id = String::from_utf8(token[25..].to_vec()).ok()?;
    Some((token_id, valid_to, key_id))
}

pub fn hex(b: &[u8]) -> String {
    base16ct::lower::encode_string(b)
}

/// Why imported material does not fit its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrongMaterial(pub String);

/// Checks that `material` is key material for `spec` as AWS takes it: 32 bytes for a symmetric
/// key (16 in the China Regions), an HMAC key of the lengths AWS documents, or a PKCS#8 DER
/// private key of the spec's algorithm and size.
pub fn check_material(spec: KeySpec, material: &[u8], china: bool) -> Result<(), WrongMaterial> {
    let len = material.len();
    let bad = |what: String| Err(WrongMaterial(what));
    match spec {
        KeySpec::SymmetricDefault => {
            let want = if china { 16 } else { 32 };
            if len != want {
                return bad(format!(
                    "Symmetric key material must be {} bits; this is {} bits.",
                    want * 8,
                    len * 8
                ));
            }
            Ok(())
        }
        s if s.is_hmac() => {
            // HMAC_224 takes 224-512 bits, HMAC_256 256-512, HMAC_384 384-1024, HMAC_512
            // 512-1024 (importing-keys-conceptual, "Supported key material").
            let min = s.hmac_key_len().unwrap_or(32);
            let max = if min <= 32 { 64 } else { 128 };
            if !(min..=max).contains(&len) {
                return bad(format!(
                    "{s} key material must be {} to {} bits; this is {} bits.",
                    min * 8,
                    max * 8,
                    len * 8
                ));
            }
            Ok(())
        }
        s => {
            let found = private_key_spec(material).ok_or_else(|| {
                WrongMaterial(format!(
                    "{s} key material must be a PKCS#8 DER private key."
                ))
            })?;
            if found != s {
                return bad(format!(
                    "The key material is a {found} private key; this KMS key's key spec is {s}."
                ));
            }
            // Parses the whole key (and, for RSA, its size): what a later Sign or Decrypt needs.
            crypto::public_key_der(material)
                .map(|_| ())
                .map_err(|_| WrongMaterial(format!("The {s} private key is not valid.")))
        }
    }
}

const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const CURVES: &[(&str, KeySpec)] = &[
    ("1.2.840.10045.3.1.7", KeySpec::EccNistP256),
    ("1.3.132.0.34", KeySpec::EccNistP384),
    ("1.3.132.0.35", KeySpec::EccNistP521),
    ("1.3.132.0.10", KeySpec::EccSecgP256k1),
    ("1.2.156.10197.1.301", KeySpec::Sm2),
];
const ALGORITHMS: &[(&str, KeySpec)] = &[
    ("1.3.101.112", KeySpec::EccNistEdwards25519),
    ("2.16.840.1.101.3.4.3.17", KeySpec::MlDsa44),
    ("2.16.840.1.101.3.4.3.18", KeySpec::MlDsa65),
    ("2.16.840.1.101.3.4.3.19", KeySpec::MlDsa87),
    ("2.16.840.1.101.3.4.4.1", KeySpec::MlKem512),
    ("2.16.840.1.101.3.4.4.2", KeySpec::MlKem768),
    ("2.16.840.1.101.3.4.4.3", KeySpec::MlKem1024),
];

/// The key spec a PKCS#8 private key is for, read from its algorithm identifier (and, for RSA,
/// its modulus).
fn private_key_spec(pkcs8: &[u8]) -> Option<KeySpec> {
    let info = PrivateKeyInfo::try_from(pkcs8).ok()?;
    let oid = info.algorithm.oid;
    if oid == RSA {
        return match crypto::rsa_modulus_bits(pkcs8).ok()? {
            2048 => Some(KeySpec::Rsa2048),
            3072 => Some(KeySpec::Rsa3072),
            4096 => Some(KeySpec::Rsa4096),
            _ => None,
        };
    }
    let named = |table: &[(&str, KeySpec)], oid: ObjectIdentifier| {
        table
            .iter()
            .find(|(o, _)| ObjectIdentifier::new(o).is_ok_and(|o| o == oid))
            .map(|(_, s)| *s)
    };
    if oid == EC {
        let curve = info.algorithm.parameters_oid().ok()?;
        return named(CURVES, curve);
    }
    named(ALGORITHMS, oid)
}

/// `KeyMaterialId`: 64 hex characters KMS derives from the key id and the material, so that the
/// same material imported again (or into a related multi-Region key, which has the same key id)
/// has the same id. An asymmetric key is identified by its public key, so that any PKCS#8
/// encoding of the same private key is the same material.
pub fn key_material_id(key_id: &str, spec: KeySpec, material: &[u8]) -> String {
    const LABEL: &[u8] = b"kms-sandbox/key-material-id/v1";
    if spec.is_asymmetric() {
        let public = crypto::public_key_der(material).unwrap_or_default();
        let mut h = Sha256::new();
        h.update(LABEL);
        h.update((key_id.len() as u32).to_be_bytes());
        h.update(key_id.as_bytes());
        h.update(&public);
        return hex(&h.finalize());
    }
    // Keyed by the material itself: the id reveals nothing about it.
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(material).expect("HMAC takes a key of any length");
    mac.update(LABEL);
    mac.update(key_id.as_bytes());
    hex(&mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_tokens_round_trip_and_foreign_bytes_do_not_parse() {
        let t = import_token("mrk-0123", &[7; 16], 1_735_689_600_000);
        let (id, valid_to, key) = parse_import_token(&t).unwrap();
        assert_eq!(id, "07".repeat(16));
        assert_eq!(valid_to, 1_735_689_600_000);
        assert_eq!(key, "mrk-0123");
        assert!(parse_import_token(&t[..20]).is_none());
        assert!(parse_import_token(&[2; 40]).is_none());
    }

    #[test]
    fn aes_key_wrap_with_padding_matches_rfc_5649() {
        // RFC 5649 section 6, the 20-octet example.
        let kek: [u8; 24] = [
            0x58, 0x40, 0xdf, 0x6e, 0x29, 0xb0, 0x2a, 0xf1, 0xab, 0x49, 0x3b, 0x70, 0x5b, 0xf1,
            0x6e, 0xa1, 0xae, 0x83, 0x38, 0xf4, 0xdc, 0xc1, 0x76, 0xa8,
        ];
        let wrapped: [u8; 32] = [
            0x13, 0x8b, 0xde, 0xaa, 0x9b, 0x8f, 0xa7, 0xfc, 0x61, 0xf9, 0x77, 0x42, 0xe7, 0x22,
            0x48, 0xee, 0x5a, 0xe6, 0xae, 0x53, 0x60, 0xd1, 0xae, 0x6a, 0x5f, 0x54, 0xf3, 0x73,
            0xfa, 0x54, 0x3b, 0x6a,
        ];
        let mut out = [0u8; 24];
        let plain = aes_kw::KekAes192::try_from(&kek[..])
            .unwrap()
            .unwrap_with_padding(&wrapped, &mut out)
            .unwrap()
            .to_vec();
        assert_eq!(hex(&plain), "c37b7e6492584340bed12207808941155068f738");
    }

    #[test]
    fn material_lengths_per_spec() {
        assert!(check_material(KeySpec::SymmetricDefault, &[1; 32], false).is_ok());
        assert!(check_material(KeySpec::SymmetricDefault, &[1; 16], false).is_err());
        assert!(check_material(KeySpec::SymmetricDefault, &[1; 16], true).is_ok());
        assert!(check_material(KeySpec::Hmac224, &[1; 28], false).is_ok());
        assert!(check_material(KeySpec::Hmac224, &[1; 27], false).is_err());
        assert!(check_material(KeySpec::Hmac256, &[1; 65], false).is_err());
        assert!(check_material(KeySpec::Hmac384, &[1; 128], false).is_ok());
        assert!(check_material(KeySpec::Hmac512, &[1; 63], false).is_err());
        assert!(check_material(KeySpec::EccNistP256, &[1; 32], false).is_err());
    }
}
