//! The backup file (`.kmssandbox`): [`kms_core::backup`]'s body, encrypted under a key derived
//! from a passphrase, after a readable header.
//!
//! ```text
//! {"format":"kms-sandbox-backup","version":2,"sandbox":"demo","accountId":"111122223333",
//!  "created":"2026-11-30T04:23:30.000Z","kdf":{"name":"PBKDF2","hash":"SHA-256",
//!  "iterations":600000,"salt":"<16 bytes, base64>"},"cipher":{"name":"AES-GCM",
//!  "chunkSize":1048576,"noncePrefix":"<7 bytes>","checkIv":"<12 bytes>","check":"<16 bytes>"}}\n
//! <chunk 0: AES-256-GCM ciphertext of the body's first chunkSize bytes, and its 128-bit tag>
//! <chunk 1> ... <the last chunk: the rest, 1 to chunkSize bytes, and its tag>
//! ```
//!
//! The body is sealed a chunk at a time, so that neither the export nor the import of a big
//! sandbox (200 MB for 100,000 keys) hands WebCrypto, or holds, the whole of it in one piece. The
//! chunks are the STREAM construction (Hoang, Reyhanitabar, Rogaway and Vizar, 2015, as in age
//! and Tink): chunk i's nonce is the random prefix, i as 4 bytes big-endian, and a byte that is 1
//! on the last chunk only, so that a chunk moved, dropped, or cut off the end fails its tag.
//! Version 1 (still read) sealed the whole body under one `iv`.
//!
//! The key is PBKDF2-HMAC-SHA-256 of the passphrase's UTF-8 bytes, 600,000 iterations (OWASP's
//! current advice), a random salt; WebCrypto derives it (`deriveKey`) as a non-extractable
//! AES-GCM key, so its bytes never exist in wasm or JavaScript memory. The body's additional
//! data is the header's exact bytes: a changed header, or a changed, cut or added byte of the
//! body, fails the tag. `check` is the tag of an empty message under the same key (its own IV),
//! so that a wrong passphrase is told apart from a damaged file. Nothing of the body, secrets
//! or not, is ever written unencrypted.

use crate::webcrypto::{await_promise, dict, subtle, take_into, take_secret};
use base64::Engine as _;
use js_sys::{Array, ArrayBuffer, Uint8Array};
use kms_core::{ErrorType, KmsError, Secret};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use web_sys::CryptoKey;

/// The header's format marker, the version this build writes, and the oldest it reads.
pub const FORMAT: &str = "kms-sandbox-backup";
pub const VERSION: u32 = 2;
const VERSION_READ: std::ops::RangeInclusive<u32> = 1..=VERSION;
/// The body's bytes per chunk written (1 MiB), and the range read.
const CHUNK: usize = 1 << 20;
const CHUNK_READ: std::ops::RangeInclusive<usize> = 1024..=(64 << 20);
const TAG: usize = 16;

thread_local! {
    static CHUNK_NOW: std::cell::Cell<usize> = const { std::cell::Cell::new(CHUNK) };
}

/// The body's bytes per chunk this build writes: [`CHUNK`], or a test's.
pub(crate) fn chunk_size() -> usize {
    CHUNK_NOW.with(std::cell::Cell::get)
}

/// Test hook: write backups in chunks of `n` bytes (at least 1,024), so that a small sandbox's
/// backup has many; `None` restores [`CHUNK`].
#[cfg(feature = "test-hooks")]
pub fn test_set_chunk_size(n: Option<usize>) {
    CHUNK_NOW.with(|c| c.set(n.unwrap_or(CHUNK).max(*CHUNK_READ.start())));
}

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
    /// Version 1: the IV of the body sealed whole.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    iv: Option<String>,
    /// Version 2: the body's bytes per chunk, and the chunks' nonce prefix (7 bytes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    chunk_size: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    nonce_prefix: Option<String>,
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

async fn encrypt(
    key: &CryptoKey,
    iv: &[u8],
    aad: &[u8],
    data: &[u8],
) -> Result<ArrayBuffer, String> {
    let sealed =
        await_promise(subtle()?.encrypt_with_object_and_u8_array(&gcm(iv, aad), key, data)).await?;
    Ok(sealed.unchecked_into())
}

/// Opens what [`encrypt`] sealed; `None` when the tag does not match. The caller takes the
/// plaintext out of the buffer and zeroes it.
async fn decrypt(
    key: &CryptoKey,
    iv: &[u8],
    aad: &[u8],
    data: &Uint8Array,
) -> Result<Option<ArrayBuffer>, String> {
    match await_promise(subtle()?.decrypt_with_object_and_buffer_source(&gcm(iv, aad), key, data))
        .await
    {
        Ok(opened) => Ok(Some(opened.unchecked_into())),
        Err(e) if e.starts_with("OperationError") => Ok(None),
        Err(e) => Err(e),
    }
}

/// Chunk `index`'s nonce (see the module doc).
fn chunk_nonce(prefix: &[u8], index: u32, last: bool) -> [u8; 12] {
    let mut nonce = [0u8; 12];
    nonce[..7].copy_from_slice(prefix);
    nonce[7..11].copy_from_slice(&index.to_be_bytes());
    nonce[11] = u8::from(last);
    nonce
}

/// Writes a backup file (see the module doc) a chunk of its body at a time. The sealed chunks
/// wait as JavaScript buffers, outside wasm memory, until [`Sealer::finish`] joins them.
pub(crate) struct Sealer {
    key: CryptoKey,
    header: Vec<u8>,
    prefix: Vec<u8>,
    /// The body's bytes per chunk (all but the last).
    pub(crate) chunk_size: usize,
    index: u32,
    chunks: Array,
    len: usize,
}

impl Sealer {
    /// A file of sandbox `sandbox` of `account_id`, under a key derived from `passphrase`.
    pub(crate) async fn new(
        passphrase: &str,
        sandbox: &str,
        account_id: &str,
    ) -> Result<Sealer, KmsError> {
        let salt = random(16)?;
        let (prefix, check_iv) = (random(7)?, random(12)?);
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
                iv: None,
                chunk_size: Some(chunk_size()),
                nonce_prefix: Some(b64(&prefix)),
                check_iv: b64(&check_iv),
                check: b64(&Uint8Array::new(&check).to_vec()),
            },
        };
        let header = serde_json::to_vec(&header).map_err(|e| internal(e.to_string()))?;
        if header.len() >= MAX_HEADER {
            return Err(KmsError::validation(
                "The sandbox's name is too long to write in a backup's header",
            ));
        }
        Ok(Sealer {
            key,
            len: header.len() + 1,
            header,
            prefix,
            chunk_size: chunk_size(),
            index: 0,
            chunks: Array::new(),
        })
    }

    /// Seals the body's next chunk: [`chunk_size`] bytes, or 1 to that many if it is the last.
    pub(crate) async fn seal(&mut self, chunk: &Secret, last: bool) -> Result<(), KmsError> {
        debug_assert!(chunk.len() == self.chunk_size || (last && !chunk.is_empty()));
        let nonce = chunk_nonce(&self.prefix, self.index, last);
        let sealed = encrypt(&self.key, &nonce, &self.header, chunk.expose())
            .await
            .map_err(internal)?;
        self.index = self.index.checked_add(1).ok_or_else(|| {
            KmsError::validation("The sandbox is too big to write in one backup file")
        })?;
        self.len += sealed.byte_length() as usize;
        self.chunks.push(&sealed);
        Ok(())
    }

    /// The file: the header, a line break and the sealed chunks.
    pub(crate) fn finish(self) -> Uint8Array {
        let file = Uint8Array::new_with_length(self.len as u32);
        file.set(&Uint8Array::from(&self.header[..]), 0);
        file.set_index(self.header.len() as u32, b'\n');
        let mut at = self.header.len() as u32 + 1;
        for chunk in self.chunks.iter() {
            let chunk = Uint8Array::new(&chunk);
            file.set(&chunk, at);
            at += chunk.length();
        }
        file
    }
}

/// Reads a file a [`Sealer`] wrote (or a version 1 file): `InvalidBackupException` for anything
/// that is not one, of another version, or damaged; `InvalidPassphraseException` when the
/// passphrase does not open it. The file stays in JavaScript memory: WebCrypto reads its chunks
/// from there, and only the header and the body come into wasm memory.
pub(crate) async fn open(file: &Uint8Array, passphrase: &str) -> Result<Secret, KmsError> {
    let not_one = || {
        invalid(
            "This is not a KMS Sandbox backup (.kmssandbox file): it does not start with a \
             backup's header",
        )
    };
    let start = file
        .subarray(0, file.length().min(MAX_HEADER as u32))
        .to_vec();
    let end = start.iter().position(|b| *b == b'\n').ok_or_else(not_one)?;
    let header_bytes = &start[..end];
    let sealed = file.subarray(end as u32 + 1, file.length());
    let sealed_len = sealed.length() as usize;
    let loose: serde_json::Value = serde_json::from_slice(header_bytes).map_err(|_| not_one())?;
    if loose["format"] != FORMAT {
        return Err(not_one());
    }
    let version = match loose["version"].as_u64() {
        Some(v) if u32::try_from(v).is_ok_and(|v| VERSION_READ.contains(&v)) => v as u32,
        Some(v) => {
            return Err(invalid(format!(
                "This backup is of version {v}; this build of KMS Sandbox reads versions {} to \
                 {VERSION}",
                VERSION_READ.start()
            )))
        }
        None => return Err(invalid("The backup's header has no version")),
    };
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
    let cipher = &header.cipher;
    let layout = match (version, &cipher.iv, cipher.chunk_size, &cipher.nonce_prefix) {
        (1, Some(iv), None, None) => Layout::Whole {
            iv: bytes(iv, 12, "its IV")?,
        },
        (2, None, Some(size), Some(prefix)) if CHUNK_READ.contains(&size) => Layout::Chunks {
            size,
            prefix: bytes(prefix, 7, "its nonce prefix")?,
        },
        (2, None, Some(_), Some(_)) => return Err(damaged("its chunk size is out of range")),
        _ => return Err(damaged("its cipher does not match its version")),
    };
    let salt = bytes(&header.kdf.salt, 16, "its salt")?;
    let check_iv = bytes(&cipher.check_iv, 12, "its check IV")?;
    let check = bytes(&cipher.check, 16, "its check value")?;
    if sealed_len <= TAG {
        return Err(invalid("The backup is cut short: its contents are missing"));
    }
    let key = derive(passphrase, &salt, header.kdf.iterations)
        .await
        .map_err(internal)?;
    if decrypt(&key, &check_iv, CHECK_AAD, &Uint8Array::from(&check[..]))
        .await
        .map_err(internal)?
        .is_none()
    {
        return Err(KmsError::new(
            ErrorType::InvalidPassphrase,
            "The passphrase does not open this backup",
        ));
    }
    let changed = || {
        invalid(
            "The backup is damaged: its contents or header were changed, cut short or added to \
             since it was exported",
        )
    };
    match layout {
        Layout::Whole { iv } => decrypt(&key, &iv, header_bytes, &sealed)
            .await
            .map_err(internal)?
            .map(|opened| take_secret(&opened))
            .ok_or_else(changed),
        Layout::Chunks { size, prefix } => {
            let sealed_size = size + TAG;
            let count = sealed_len.div_ceil(sealed_size);
            let last_len = sealed_len - (count - 1) * sealed_size;
            if last_len <= TAG || u32::try_from(count).is_err() {
                return Err(changed());
            }
            // Opened chunk by chunk into one buffer sized beforehand, so that no copy is left.
            let mut body = Secret::zeroed(sealed_len - count * TAG);
            let mut pacer = crate::store::Pacer::new();
            for index in 0..count {
                pacer.tick().await;
                let last = index + 1 == count;
                let nonce = chunk_nonce(&prefix, index as u32, last);
                let from = index * sealed_size;
                let piece =
                    sealed.subarray(from as u32, (from + sealed_size).min(sealed_len) as u32);
                let opened = decrypt(&key, &nonce, header_bytes, &piece)
                    .await
                    .map_err(internal)?
                    .ok_or_else(changed)?;
                take_into(&opened, &mut body.expose_mut()[index * size..]);
            }
            Ok(body)
        }
    }
}

/// How a file's body is sealed, by version.
enum Layout {
    Whole { iv: Vec<u8> },
    Chunks { size: usize, prefix: Vec<u8> },
}
