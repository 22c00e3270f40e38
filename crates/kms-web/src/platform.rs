//! WebCrypto does the private-key work the engine leaves to the platform
//! ([`kms_core::platform`]): RSASSA-PKCS1-v1_5, RSA-PSS and ECDSA (P-256, P-384, P-521)
//! signatures, and RSA-OAEP decryption, natively. Each key material is imported once per
//! algorithm as a non-extractable `CryptoKey`; the copy of its PKCS#8 handed to WebCrypto is
//! zeroed at once, and the `CryptoKey` is kept for the life of the sandbox in this page, like the
//! engine's own unwrapped material.

use crate::webcrypto::{await_promise, dict, subtle};
use js_sys::{Array, ArrayBuffer, Uint8Array};
use kms_core::platform::{Delegated, Work};
use kms_core::{EncryptionAlgorithm, KeySpec, Secret, SigningAlgorithm};
use std::cell::RefCell;
use std::collections::HashMap;
use wasm_bindgen::JsValue;
use web_sys::CryptoKey;

/// Imported keys by (Region, key id, backing key id, algorithm). A backing key's material
/// never changes (material imported again must be the same), so an entry never goes stale.
/// (Region, key id, backing key id, algorithm).
type Imported = (String, String, String, &'static str);

#[derive(Default)]
pub(crate) struct PlatformKeys {
    keys: RefCell<HashMap<Imported, CryptoKey>>,
    /// How many operations WebCrypto did (for the tests: that it, not the fallback, did them).
    pub(crate) done: std::cell::Cell<u32>,
}

/// Why WebCrypto did not give a result.
pub(crate) enum Failure {
    /// It refused the input (a ciphertext that does not decrypt): the engine's error answers.
    Refused,
    /// It could not do the work at all (an algorithm or key it does not take): the engine's
    /// own code does it instead.
    Unavailable(String),
}

/// WebCrypto's name for the work, the import parameters and the operation parameters.
struct Params {
    label: &'static str,
    import: js_sys::Object,
    operation: js_sys::Object,
    usage: &'static str,
}

fn params(d: &Delegated) -> Option<Params> {
    use SigningAlgorithm::*;
    let hash = |h: &str| JsValue::from_str(h);
    match &d.work {
        Work::Sign { algorithm, .. } => {
            let (label, name, sha) = match algorithm {
                RsassaPkcs1V15Sha256 => ("pkcs1-256", "RSASSA-PKCS1-v1_5", "SHA-256"),
                RsassaPkcs1V15Sha384 => ("pkcs1-384", "RSASSA-PKCS1-v1_5", "SHA-384"),
                RsassaPkcs1V15Sha512 => ("pkcs1-512", "RSASSA-PKCS1-v1_5", "SHA-512"),
                RsassaPssSha256 => ("pss-256", "RSA-PSS", "SHA-256"),
                RsassaPssSha384 => ("pss-384", "RSA-PSS", "SHA-384"),
                RsassaPssSha512 => ("pss-512", "RSA-PSS", "SHA-512"),
                EcdsaSha256 => ("ecdsa-256", "ECDSA", "SHA-256"),
                EcdsaSha384 => ("ecdsa-384", "ECDSA", "SHA-384"),
                EcdsaSha512 => ("ecdsa-512", "ECDSA", "SHA-512"),
                _ => return None,
            };
            let (import, operation) = if name == "ECDSA" {
                let curve = match d.key_spec {
                    KeySpec::EccNistP256 => "P-256",
                    KeySpec::EccNistP384 => "P-384",
                    KeySpec::EccNistP521 => "P-521",
                    _ => return None,
                };
                (
                    dict(&[("name", &name.into()), ("namedCurve", &curve.into())]),
                    dict(&[("name", &name.into()), ("hash", &hash(sha))]),
                )
            } else {
                // KMS's PSS salt is as long as the hash.
                let salt = match sha {
                    "SHA-256" => 32u32,
                    "SHA-384" => 48,
                    _ => 64,
                };
                (
                    dict(&[("name", &name.into()), ("hash", &hash(sha))]),
                    dict(&[("name", &name.into()), ("saltLength", &salt.into())]),
                )
            };
            Some(Params {
                label,
                import,
                operation,
                usage: "sign",
            })
        }
        Work::Decrypt { algorithm, .. } => {
            let (label, sha) = match algorithm {
                EncryptionAlgorithm::RsaesOaepSha1 => ("oaep-1", "SHA-1"),
                EncryptionAlgorithm::RsaesOaepSha256 => ("oaep-256", "SHA-256"),
                _ => return None,
            };
            Some(Params {
                label,
                import: dict(&[("name", &"RSA-OAEP".into()), ("hash", &hash(sha))]),
                operation: dict(&[("name", &"RSA-OAEP".into())]),
                usage: "decrypt",
            })
        }
    }
}

impl PlatformKeys {
    /// Does `d` with WebCrypto, `material` being the backing key's PKCS#8.
    pub(crate) async fn run(&self, d: &Delegated, material: &Secret) -> Result<Secret, Failure> {
        let p = params(d).ok_or_else(|| Failure::Unavailable("no WebCrypto algorithm".into()))?;
        let key = self
            .key(d, &p, material)
            .await
            .map_err(Failure::Unavailable)?;
        let subtle = subtle().map_err(Failure::Unavailable)?;
        let (promise, is_decrypt) = match &d.work {
            Work::Sign { message, .. } => (
                subtle.sign_with_object_and_u8_array(&p.operation, &key, message),
                false,
            ),
            Work::Decrypt { ciphertext, .. } => (
                subtle.decrypt_with_object_and_u8_array(&p.operation, &key, ciphertext),
                true,
            ),
        };
        let out: ArrayBuffer = match await_promise(promise).await {
            Ok(buffer) => buffer.into(),
            // RSA-OAEP refuses a ciphertext that does not decrypt; a signature has no such input.
            Err(_) if is_decrypt => return Err(Failure::Refused),
            Err(e) => return Err(Failure::Unavailable(e)),
        };
        let out = crate::webcrypto::take_secret(&out);
        self.done.set(self.done.get() + 1);
        match p.label {
            // WebCrypto's ECDSA signature is r ‖ s; KMS returns it DER-encoded.
            l if l.starts_with("ecdsa") => Ok(Secret::new(der_signature(out.expose()))),
            _ => Ok(out),
        }
    }

    async fn key(&self, d: &Delegated, p: &Params, material: &Secret) -> Result<CryptoKey, String> {
        let id = (
            d.region.clone(),
            d.key_id.clone(),
            d.backing_key_id.clone(),
            p.label,
        );
        if let Some(key) = self.keys.borrow().get(&id) {
            return Ok(key.clone());
        }
        let copy = Uint8Array::from(material.expose());
        let imported = subtle()?.import_key_with_object(
            "pkcs8",
            &copy,
            &p.import,
            false,
            &Array::of1(&p.usage.into()),
        );
        // WebCrypto copied the bytes when the call started.
        copy.fill(0, 0, copy.length());
        let key: CryptoKey = await_promise(imported).await?.into();
        self.keys.borrow_mut().insert(id, key.clone());
        Ok(key)
    }
}

/// `r ‖ s` (two big-endian integers of equal length) as the DER `ECDSA-Sig-Value` SEQUENCE.
fn der_signature(raw: &[u8]) -> Vec<u8> {
    let (r, s) = raw.split_at(raw.len() / 2);
    let integer = |x: &[u8]| {
        let x = &x[x.iter().position(|b| *b != 0).unwrap_or(x.len() - 1)..];
        let mut out = vec![0x02];
        let pad = x[0] & 0x80 != 0;
        push_len(&mut out, x.len() + usize::from(pad));
        if pad {
            out.push(0);
        }
        out.extend_from_slice(x);
        out
    };
    let body = [integer(r), integer(s)].concat();
    let mut out = vec![0x30];
    push_len(&mut out, body.len());
    out.extend(body);
    out
}

fn push_len(out: &mut Vec<u8>, len: usize) {
    // P-521's signature (up to 139 bytes) needs the long form.
    if len < 0x80 {
        out.push(len as u8);
    } else {
        out.extend([0x81, len as u8]);
    }
}
