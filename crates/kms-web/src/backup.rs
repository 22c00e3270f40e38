//! The backup file (`.kmssandbox`): [`kms_core::backup`]'s body, encrypted under a key derived
//! from a passphrase, after a readable header.
//!
//! ```text
//! {"format":"kms-sandbox-backup","version":1,"sandbox":"demo","accountId":"111122223333",
//!  "created":"2026-11-30T04:23:30.000Z","kdf":{"name":"PBKDF2","hash":"SHA-256",
//!  "iterations":600000,"salt":"<16 bytes, base64>"},"cipher":{"name":"AES-GCM",
//!  "iv":"<12 bytes>","checkIv":"<12 bytes>","check":"<16 bytes>"}}\n
//! <AES-256-GCM ciphertext of the body, and its 128-bit tag>
//! ```
//!
//! The key is PBKDF2-HMAC-SHA-256 of the passphrase's UTF-8 bytes, 600,000 iterations (OWASP's
//! current advice), a random salt; WebCrypto derives it (`deriveKey`) as a non-extractable
//! AES-GCM key, so its bytes never exist in wasm or JavaScript memory. The body's additional
//! data is the header's exact bytes: a changed header, or a changed, cut or added byte of the
//! body, fails the tag. `check` is the tag of an empty message under the same key (its own IV),
//! so that a wrong passphrase is told apart from a damaged file. Nothing of the body, secrets
//! or not, is ever written unencrypted.

use crate::webcrypto::{await_promise, dict, subtle, take_secret};
use base64::Engine as _;
use js_sys::{Array, ArrayBuffer, Uint8Array};
use kms_core::{ErrorType, KmsError, Secret};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use web_sys::CryptoKey;

/// The header's format marker and the version this build writes and reads.
pub const FORMAT: &str = "kms-sandbox-backup";
pub const VERSION: u32 = 1;
/// PBKDF2 iterations written (OWASP's 2023 advice for PBKDF2-HMAC-SHA256), and the range read.
const ITERATIONS: u32 = 600_000;
const ITERATIONS_READ: std::ops::RangeInclusive<u32> = 100_000..=10_000_000;
/// The header ends at the first newline, within this many bytes.
const MAX_HEADER: usize = 4096;
const CHECK_AAD: &[u8] = b"kms-sandbox-backup/v1/passphrase-check";

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Header {
    format: String,
    version: u32,
    /// The sandbox it was exported from (a default name to import it under).
    sandbox: String,
    account_id: String,
    created: String,
    kdf: Kdf,
    cipher: Cipher,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Kdf {
    name: String,
    hash: String,
    iterations: u32,
    salt: String,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Cipher {
    name: String,
    iv: String,
    check_iv: String,
    check: String,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn invalid(message: impl Into<String>) -> KmsError {
    KmsError::new(ErrorType::InvalidBackup, message)
}

fn internal(e: String) -> KmsError {
    KmsError::internal(format!("The backup could not be made or read: {e}"))
}

fn random(n: usize) -> Result<Vec<u8>, KmsError> {
    let mut out = vec![0u8; n];
    crate::entropy::fill(&mut out).map_err(internal)?;
    Ok(out)
}

/// The AES-GCM key of `passphrase` and `salt`: WebCrypto's PBKDF2, non-extractable.
async fn derive(passphrase: &str, salt: &[u8], iterations: u32) -> Result<CryptoKey, String> {
    let subtle = subtle()?;
    let secret = Secret::new(passphrase.as_bytes().to_vec());
    // importKey copies the bytes before it returns; the JavaScript copy is zeroed at once.
    let raw = Uint8Array::from(secret.expose());
    let imported = subtle.import_key_with_object(
        "raw",
        &raw,
        &dict(&[("name", &"PBKDF2".into())]),
        false,
        &Array::of1(&"deriveKey".into()),
    );
    raw.fill(0, 0, raw.length());
    drop(secret);
    let base: CryptoKey = await_promise(imported).await?.unchecked_into();
    let params = dict(&[
        ("name", &"PBKDF2".into()),
        ("hash", &"SHA-256".into()),
        ("salt", &Uint8Array::from(salt).into()),
        ("iterations", &iterations.into()),
    ]);
    let key = await_promise(subtle.derive_key_with_object_and_object(
        &params,
        &base,
        &dict(&[("name", &"AES-GCM".into()), ("length", &256.into())]),
        false,
        &Array::of2(&"encrypt".into(), &"decrypt".into()),
    ))
    .await?;
    Ok(key.unchecked_into())
}

fn gcm(iv: &[u8], aad: &[u8]) -> js_sys::Object {
    dict(&[
        ("name", &"AES-GCM".into()),
        ("iv", &Uint8Array::from(iv).into()),
        ("additionalData", &Uint8Array::from(aad).into()),
        ("tagLength", &128.into()),
    ])
}

async fn encrypt(key: &CryptoKey, iv: &[u8], aad: &[u8], data: &[u8]) -> Result<Vec<u8>, String> {
    let sealed =
        await_promise(subtle()?.encrypt_with_object_and_u8_array(&gcm(iv, aad), key, data)).await?;
    Ok(Uint8Array::new(&sealed).to_vec())
}

/// Opens what [`encrypt`] sealed; `None` when the tag does not match.
async fn decrypt(
    key: &CryptoKey,
    iv: &[u8],
    aad: &[u8],
    data: &[u8],
) -> Result<Option<Secret>, String> {
    match await_promise(subtle()?.decrypt_with_object_and_u8_array(&gcm(iv, aad), key, data)).await
    {
        Ok(opened) => {
            let buffer: ArrayBuffer = opened.unchecked_into();
            Ok(Some(take_secret(&buffer)))
        }
        Err(e) if e.starts_with("OperationError") => Ok(None),
        Err(e) => Err(e),
    }
}

/// The file of `body` (see the module doc), exported from sandbox `sandbox` of `account_id`.
pub(crate) async fn seal(
    body: &Secret,
    passphrase: &str,
    sandbox: &str,
    account_id: &str,
) -> Result<Vec<u8>, KmsError> {
    let salt = random(16)?;
    let (iv, check_iv) = (random(12)?, random(12)?);
    let key = derive(passphrase, &salt, ITERATIONS)
        .await
        .map_err(internal)?;
    let check = encrypt(&key, &check_iv, CHECK_AAD, &[])
        .await
        .map_err(internal)?;
    let created = js_sys::Date::new_0()
        .to_iso_string()
        .as_string()
        .unwrap_or_default();
    let header = Header {
        format: FORMAT.into(),
        version: VERSION,
        sandbox: sandbox.into(),
        account_id: account_id.into(),
        created,
        kdf: Kdf {
            name: "PBKDF2".into(),
            hash: "SHA-256".into(),
            iterations: ITERATIONS,
            salt: b64(&salt),
        },
        cipher: Cipher {
            name: "AES-GCM".into(),
            iv: b64(&iv),
            check_iv: b64(&check_iv),
            check: b64(&check),
        },
    };
    let mut out = serde_json::to_vec(&header).map_err(|e| internal(e.to_string()))?;
    if out.len() >= MAX_HEADER {
        return Err(KmsError::validation(
            "The sandbox's name is too long to write in a backup's header",
        ));
    }
    let sealed = encrypt(&key, &iv, &out, body.expose())
        .await
        .map_err(internal)?;
    out.push(b'\n');
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Reads a file [`seal`] wrote: `InvalidBackupException` for anything that is not one, of
/// another version, or damaged; `InvalidPassphraseException` when the passphrase does not open
/// it.
pub(crate) async fn open(file: &[u8], passphrase: &str) -> Result<Secret, KmsError> {
    let not_one = || {
        invalid(
            "This is not a KMS Sandbox backup (.kmssandbox file): it does not start with a \
             backup's header",
        )
    };
    let end = file
        .iter()
        .take(MAX_HEADER)
        .position(|b| *b == b'\n')
        .ok_or_else(not_one)?;
    let (header_bytes, sealed) = (&file[..end], &file[end + 1..]);
    let loose: serde_json::Value = serde_json::from_slice(header_bytes).map_err(|_| not_one())?;
    if loose["format"] != FORMAT {
        return Err(not_one());
    }
    match loose["version"].as_u64() {
        Some(v) if v == u64::from(VERSION) => {}
        Some(v) => {
            return Err(invalid(format!(
                "This backup is of version {v}; this build of KMS Sandbox reads version {VERSION}"
            )))
        }
        None => return Err(invalid("The backup's header has no version")),
    }
    let damaged = |what: &str| invalid(format!("The backup's header is damaged: {what}"));
    let header: Header =
        serde_json::from_slice(header_bytes).map_err(|e| damaged(&e.to_string()))?;
    let bytes = |text: &str, len: usize, what: &str| -> Result<Vec<u8>, KmsError> {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .ok()
            .filter(|b| b.len() == len)
            .ok_or_else(|| damaged(what))
    };
    if header.kdf.name != "PBKDF2"
        || header.kdf.hash != "SHA-256"
        || header.cipher.name != "AES-GCM"
    {
        return Err(damaged("it names another algorithm"));
    }
    if !ITERATIONS_READ.contains(&header.kdf.iterations) {
        return Err(damaged("its iteration count is out of range"));
    }
    let salt = bytes(&header.kdf.salt, 16, "its salt")?;
    let iv = bytes(&header.cipher.iv, 12, "its IV")?;
    let check_iv = bytes(&header.cipher.check_iv, 12, "its check IV")?;
    let check = bytes(&header.cipher.check, 16, "its check value")?;
    if sealed.len() < 16 {
        return Err(invalid("The backup is cut short: its contents are missing"));
    }
    let key = derive(passphrase, &salt, header.kdf.iterations)
        .await
        .map_err(internal)?;
    if decrypt(&key, &check_iv, CHECK_AAD, &check)
        .await
        .map_err(internal)?
        .is_none()
    {
        return Err(KmsError::new(
            ErrorType::InvalidPassphrase,
            "The passphrase does not open this backup",
        ));
    }
    decrypt(&key, &iv, header_bytes, sealed)
        .await
        .map_err(internal)?
        .ok_or_else(|| {
            invalid(
                "The backup is damaged: its contents or header were changed, cut short or added \
                 to since it was exported",
            )
        })
}
