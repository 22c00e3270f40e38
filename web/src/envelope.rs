//! Envelope encryption of files too large for `Encrypt` (4 KiB): the page asks KMS for a data
//! key (`GenerateDataKey`), encrypts the file locally with AES-256-GCM under the plaintext data
//! key, forgets that key, and stores the *encrypted* data key with the file. Decrypting asks KMS
//! to decrypt the data key, then opens the file locally.
//!
//! File layout (all lengths big-endian):
//! `"KMSENV01"` | u32 length of the encrypted data key | encrypted data key | 12-byte nonce |
//! AES-GCM ciphertext with its 16-byte tag. The header up to the nonce is the GCM additional
//! data, so swapping in another encrypted data key fails authentication.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};

pub const MAGIC: &[u8; 8] = b"KMSENV01";
pub const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// A parsed envelope file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub encrypted_data_key: Vec<u8>,
    pub nonce: [u8; NONCE_LEN],
    pub ciphertext: Vec<u8>,
}

fn header(encrypted_data_key: &[u8]) -> Vec<u8> {
    let mut h = Vec::with_capacity(encrypted_data_key.len().saturating_add(12));
    h.extend_from_slice(MAGIC);
    // An encrypted data key is a KMS ciphertext (at most 6144 bytes): it always fits in a u32.
    let len = u32::try_from(encrypted_data_key.len()).unwrap_or(u32::MAX);
    h.extend_from_slice(&len.to_be_bytes());
    h.extend_from_slice(encrypted_data_key);
    h
}

/// Encrypts `plaintext` under the 32-byte plaintext data key and packs the envelope.
pub fn seal(
    data_key: &[u8],
    nonce: [u8; NONCE_LEN],
    encrypted_data_key: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>, String> {
    let cipher = Aes256Gcm::new_from_slice(data_key)
        .map_err(|_| "The data key must be 32 bytes (AES_256).")?;
    let aad = header(encrypted_data_key);
    let ct = cipher
        .encrypt(
            Nonce::from_slice(&nonce),
            Payload {
                msg: plaintext,
                aad: &aad,
            },
        )
        .map_err(|_| "AES-GCM encryption failed.")?;
    let mut out = aad;
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// Reads an envelope file without decrypting it.
pub fn parse(bytes: &[u8]) -> Result<Envelope, String> {
    if bytes.len() < 12 || &bytes[..8] != MAGIC {
        return Err("This is not an envelope-encrypted file made by this page (the KMSENV01 header is missing).".into());
    }
    let truncated = || "The envelope file is truncated.".to_string();
    let mut field = [0u8; 4];
    field.copy_from_slice(&bytes[8..12]);
    // Every length is checked arithmetic: on a 32-bit target (wasm32) a length near u32::MAX
    // would otherwise wrap around and pass the check.
    let len = usize::try_from(u32::from_be_bytes(field)).map_err(|_| truncated())?;
    let rest = &bytes[12..];
    let nonce_end = len.checked_add(NONCE_LEN).ok_or_else(truncated)?;
    let needed = nonce_end.checked_add(TAG_LEN).ok_or_else(truncated)?;
    if rest.len() < needed {
        return Err(truncated());
    }
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(rest.get(len..nonce_end).ok_or_else(truncated)?);
    Ok(Envelope {
        encrypted_data_key: rest.get(..len).ok_or_else(truncated)?.to_vec(),
        nonce,
        ciphertext: rest.get(nonce_end..).ok_or_else(truncated)?.to_vec(),
    })
}

/// Decrypts the envelope's content with the plaintext data key KMS returned.
pub fn open(data_key: &[u8], env: &Envelope) -> Result<Vec<u8>, String> {
    let cipher = Aes256Gcm::new_from_slice(data_key)
        .map_err(|_| "The data key must be 32 bytes (AES_256).")?;
    let aad = header(&env.encrypted_data_key);
    cipher
        .decrypt(
            Nonce::from_slice(&env.nonce),
            Payload {
                msg: &env.ciphertext,
                aad: &aad,
            },
        )
        .map_err(|_| {
            "The file failed authentication: it was altered, or this is the wrong data key.".into()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: [u8; 32] = [7; 32];
    const EDK: &[u8] = b"encrypted-data-key-from-kms";

    #[test]
    fn round_trip() {
        let data = vec![42u8; 10_000];
        let sealed = seal(&KEY, [1; 12], EDK, &data).unwrap();
        let env = parse(&sealed).unwrap();
        assert_eq!(env.encrypted_data_key, EDK);
        assert_eq!(env.nonce, [1; 12]);
        assert_eq!(open(&KEY, &env).unwrap(), data);
        assert_eq!(sealed.len(), 12 + EDK.len() + 12 + data.len() + 16);
    }

    #[test]
    fn tampering_is_detected() {
        let mut sealed = seal(&KEY, [1; 12], EDK, b"secret").unwrap();
        let last = sealed.len() - 1;
        sealed[last] ^= 1;
        assert!(open(&KEY, &parse(&sealed).unwrap()).is_err());
    }

    #[test]
    fn a_swapped_data_key_header_fails() {
        let sealed = seal(&KEY, [1; 12], EDK, b"secret").unwrap();
        let mut env = parse(&sealed).unwrap();
        env.encrypted_data_key = b"another-encrypted-data-key!".to_vec();
        assert!(open(&KEY, &env).is_err());
    }

    #[test]
    fn wrong_key_and_bad_files_are_errors() {
        let sealed = seal(&KEY, [1; 12], EDK, b"secret").unwrap();
        assert!(open(&[8; 32], &parse(&sealed).unwrap()).is_err());
        assert!(parse(b"hello world, not an envelope").is_err());
        assert!(parse(&sealed[..20]).is_err());
        assert!(seal(&[1; 16], [0; 12], EDK, b"x").is_err());
    }

    #[test]
    fn a_length_near_the_integer_limit_is_truncated_not_a_panic() {
        // On a 32-bit target, `len + 12 + 16` with len near u32::MAX wraps around: each such
        // length must be refused as truncated, on every target.
        for len in [
            u32::MAX,
            u32::MAX - 11,
            u32::MAX - 27,
            u32::MAX - 28,
            1 << 31,
        ] {
            let mut file = MAGIC.to_vec();
            file.extend_from_slice(&len.to_be_bytes());
            file.extend_from_slice(&[0u8; 64]);
            assert_eq!(
                parse(&file),
                Err("The envelope file is truncated.".to_string()),
                "length {len}"
            );
        }
        // A length that exactly fits still parses.
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&4u32.to_be_bytes());
        file.extend_from_slice(&[9u8; 4 + NONCE_LEN + TAG_LEN]);
        let env = parse(&file).unwrap();
        assert_eq!(env.encrypted_data_key, vec![9u8; 4]);
        assert_eq!(env.ciphertext.len(), TAG_LEN);
    }
}
