//! The sandbox's "HSM": one AES-256-GCM WebCrypto key per sandbox, created non-extractable and
//! kept in IndexedDB as the `CryptoKey` object itself, that wraps every piece of key material
//! before it is stored.
//!
//! The key's bytes never exist in JavaScript or wasm memory; the browser does every operation
//! with it. Each wrap uses a fresh 96-bit IV and binds, as additional data, where the record is
//! stored, its Region, key id, ARN and revision, and which backing key (or IAM secret) it is
//! ([`Binding`]): a wrapped blob moved to another key, version or record, or a record whose
//! identity or revision was edited, fails to unwrap.
//! This module must never log or return plaintext other than as a [`Secret`].

use crate::entropy;
use crate::webcrypto::{await_promise, dict, subtle, take_secret};
use js_sys::{Array, ArrayBuffer, Object, Uint8Array};
use kms_core::Secret;
use wasm_bindgen::JsCast;
use web_sys::CryptoKey;

/// Length of the AES-GCM IV (96 bits, as NIST recommends).
const IV_LEN: usize = 12;

/// Material sealed by the HSM key: the IV and AES-GCM ciphertext || tag.
pub(crate) struct Wrapped {
    pub iv: Vec<u8>,
    pub ciphertext: Vec<u8>,
}

/// The HSM key of one sandbox.
pub(crate) struct Hsm {
    key: CryptoKey,
}

/// What a wrapped secret is bound to: the record it belongs to, as stored.
pub(crate) struct Binding<'a> {
    /// The record's key in the `records` store.
    pub storage_key: &'a str,
    /// The key's Region, id and ARN (empty for IAM records, which are account-wide).
    pub region: &'a str,
    pub key_id: &'a str,
    pub arn: &'a str,
    /// The sandbox revision that wrote the record.
    pub rev: u64,
}

/// Layout 2's additional data: every field length-prefixed, so no two bindings share bytes.
fn aad(binding: &Binding<'_>, item: &str) -> Vec<u8> {
    let mut out = b"kms-sandbox/hsm/v2".to_vec();
    let rev = binding.rev.to_string();
    for field in [
        binding.storage_key,
        binding.region,
        binding.key_id,
        binding.arn,
        &rev,
        item,
    ] {
        // Fields are a few hundred bytes at most; saturate rather than wrap if one were not.
        let len = u32::try_from(field.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(field.as_bytes());
    }
    out
}

/// Layout 1's additional data (key ARN, or IAM storage key, and backing key id or secret
/// name): read only to migrate a sandbox of that layout.
fn aad_legacy(arn: &str, backing_key_id: &str) -> Vec<u8> {
    format!("kms-sandbox/hsm/v1\n{arn}\n{backing_key_id}").into_bytes()
}

fn gcm_params(iv: &[u8], aad: &[u8]) -> Object {
    dict(&[
        ("name", &"AES-GCM".into()),
        ("iv", &Uint8Array::from(iv).into()),
        ("additionalData", &Uint8Array::from(aad).into()),
        ("tagLength", &128.into()),
    ])
}

impl Hsm {
    /// A new AES-256-GCM key that can encrypt and decrypt but never be exported.
    pub async fn generate_key() -> Result<CryptoKey, String> {
        let algorithm = dict(&[("name", &"AES-GCM".into()), ("length", &256.into())]);
        let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
        let key =
            await_promise(subtle()?.generate_key_with_object(&algorithm, false, &usages)).await?;
        key.dyn_into::<CryptoKey>()
            .map_err(|_| "generateKey did not return a CryptoKey".to_string())
    }

    pub fn new(key: CryptoKey) -> Self {
        Hsm { key }
    }

    #[cfg(feature = "test-hooks")]
    pub fn key(&self) -> &CryptoKey {
        &self.key
    }

    /// Seals `material`, the backing key (or IAM secret) `item` of the record `binding` names.
    pub async fn wrap(
        &self,
        binding: &Binding<'_>,
        item: &str,
        material: &Secret,
    ) -> Result<Wrapped, String> {
        let mut iv = vec![0u8; IV_LEN];
        entropy::fill(&mut iv)?;
        // WebCrypto copies `data` synchronously when called, so the plaintext is read straight
        // from wasm memory and never sits in a JavaScript buffer.
        let sealed = await_promise(subtle()?.encrypt_with_object_and_u8_array(
            &gcm_params(&iv, &aad(binding, item)),
            &self.key,
            material.expose(),
        ))
        .await
        .map_err(|e| {
            format!(
                "could not wrap the material of {}: {e}",
                binding.storage_key
            )
        })?;
        let ciphertext = Uint8Array::new(&sealed).to_vec();
        Ok(Wrapped { iv, ciphertext })
    }

    /// Opens what [`Hsm::wrap`] sealed for the same binding and item.
    pub async fn unwrap(
        &self,
        binding: &Binding<'_>,
        item: &str,
        wrapped: &Wrapped,
    ) -> Result<Secret, String> {
        self.open(&aad(binding, item), item, wrapped).await
    }

    /// Opens what layout 1 sealed (additional data: key ARN and backing key id).
    pub async fn unwrap_legacy(
        &self,
        arn: &str,
        item: &str,
        wrapped: &Wrapped,
    ) -> Result<Secret, String> {
        self.open(&aad_legacy(arn, item), item, wrapped).await
    }

    async fn open(&self, aad: &[u8], item: &str, wrapped: &Wrapped) -> Result<Secret, String> {
        if wrapped.iv.len() != IV_LEN {
            return Err(format!("the wrapped material of {item} has a malformed IV"));
        }
        let opened = await_promise(subtle()?.decrypt_with_object_and_u8_array(
            &gcm_params(&wrapped.iv, aad),
            &self.key,
            &wrapped.ciphertext,
        ))
        .await
        .map_err(|e| {
            format!(
                "the HSM key refused to unwrap the material of {item} ({e}): it was changed, or \
                 moved from another record, key id, Region or revision"
            )
        })?;
        let buffer: ArrayBuffer = opened.unchecked_into();
        Ok(take_secret(&buffer))
    }
}
