//! The sandbox's symmetric ciphertext blob: a versioned binary format of its own.
//!
//! ```text
//! 0      1                 17                       49        61
//! | 0x01 | key id (16 B)   | backing key id (32 B)  | nonce   | AES-256-GCM ciphertext || tag
//! ```
//!
//! The AAD binds the key ARN, the backing key id and the encryption context in a canonical,
//! length-prefixed encoding with pairs sorted by key, so `{"ab":"c"}` and `{"a":"bc"}` differ.
//!
//! A multi-Region key (`mrk-` + 32 hex digits) has format byte 0x02 and binds its key id
//! instead of its ARN: the ARN differs from Region to Region, and any related key decrypts.

use crate::records::BackingKey;
use crate::Secret;
use std::collections::BTreeMap;

const FORMAT_V1: u8 = 1;
/// The same layout for a multi-Region key: the 16 bytes are the hex digits after `mrk-`.
const FORMAT_MRK: u8 = 2;
const MRK_PREFIX: &str = "mrk-";
const HEADER_LEN: usize = 1 + 16 + 32 + 12;
const TAG_LEN: usize = 16;

/// The parts of a parsed blob.
pub(crate) struct Blob<'a> {
    pub key_id: String,
    pub backing_key_id: String,
    nonce: [u8; 12],
    sealed: &'a [u8],
}

/// The additional data, and how many of its bytes are the same for every ciphertext of the
/// backing key (all but the encryption context): the cipher hashes those once.
pub(crate) fn aad(
    key_arn: &str,
    backing_key_id: &[u8],
    context: &BTreeMap<String, String>,
) -> (Vec<u8>, usize) {
    let mut out = Vec::with_capacity(key_arn.len().saturating_add(80));
    out.extend_from_slice(b"kms-sandbox/ciphertext/v1");
    push(&mut out, key_arn.as_bytes());
    push(&mut out, backing_key_id);
    let fixed = out.len();
    out.extend_from_slice(&len_u32(context.len()).to_be_bytes());
    // BTreeMap iterates in byte order of the keys: canonical.
    for (k, v) in context {
        push(&mut out, k.as_bytes());
        push(&mut out, v.as_bytes());
    }
    (out, fixed)
}

/// A length as the u32 of the encoding. Validated inputs are far below 4 GiB (an encryption
/// context is at most 8 KiB); a larger one saturates rather than wrap to a small number, so no
/// two inputs of different lengths share a prefix.
fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

fn push(out: &mut Vec<u8>, field: &[u8]) {
    out.extend_from_slice(&len_u32(field.len()).to_be_bytes());
    out.extend_from_slice(field);
}

/// Exactly `N` bytes from `2N` hex digits, without an allocation (this is on every call's path).
fn hex_array<const N: usize>(s: &str) -> Option<[u8; N]> {
    let mut out = [0u8; N];
    let n = base16ct::mixed::decode(s, &mut out).ok()?.len();
    (n == N).then_some(out)
}

fn hex(b: &[u8]) -> String {
    base16ct::lower::encode_string(b)
}

/// The 16 bytes of a UUID key id (8-4-4-4-12 hex digits).
fn uuid_bytes(key_id: &str) -> Option<[u8; 16]> {
    let mut out = [0u8; 16];
    let mut at = 0;
    for group in key_id.split('-') {
        let end = at + group.len() / 2;
        if group.len() % 2 != 0 || end > out.len() {
            return None;
        }
        base16ct::mixed::decode(group, &mut out[at..end]).ok()?;
        at = end;
    }
    (at == out.len()).then_some(out)
}

/// What the AAD binds a key by: its ARN, or for a multi-Region key its key id.
fn binding<'a>(key_id: &'a str, key_arn: &'a str) -> &'a str {
    if key_id.starts_with(MRK_PREFIX) {
        key_id
    } else {
        key_arn
    }
}

pub(crate) fn seal(
    key_id: &str,
    key_arn: &str,
    backing: &BackingKey,
    context: &BTreeMap<String, String>,
    nonce: [u8; 12],
    plaintext: &[u8],
) -> Vec<u8> {
    let (format, id) = match key_id.strip_prefix(MRK_PREFIX) {
        Some(hex) => (FORMAT_MRK, hex_array::<16>(hex)),
        None => (FORMAT_V1, uuid_bytes(key_id)),
    };
    let id = id.expect("key ids are UUIDs or mrk- and 32 hex digits");
    let bk = hex_array::<32>(&backing.id).expect("backing key ids are 64 hex digits");
    let (aad, fixed) = aad(binding(key_id, key_arn), &bk, context);
    let sealed = backing.gcm().seal_bound(&nonce, &aad, fixed, plaintext);
    let mut out = Vec::with_capacity(HEADER_LEN + sealed.len());
    out.push(format);
    out.extend_from_slice(&id);
    out.extend_from_slice(&bk);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    out
}

/// `None` when the bytes are not a blob of this format.
pub(crate) fn parse(blob: &[u8]) -> Option<Blob<'_>> {
    if blob.len() < HEADER_LEN + TAG_LEN {
        return None;
    }
    let key_id = match blob[0] {
        FORMAT_V1 => crate::env::uuid_string(&blob[1..17]),
        FORMAT_MRK => format!("{MRK_PREFIX}{}", hex(&blob[1..17])),
        _ => return None,
    };
    Some(Blob {
        key_id,
        backing_key_id: hex(&blob[17..49]),
        nonce: blob[49..61].try_into().ok()?,
        sealed: &blob[HEADER_LEN..],
    })
}

impl Blob<'_> {
    pub fn open(
        &self,
        key_arn: &str,
        backing: &BackingKey,
        context: &BTreeMap<String, String>,
    ) -> Option<Secret> {
        let bk = hex_array::<32>(&backing.id)?;
        let (aad, fixed) = aad(binding(&self.key_id, key_arn), &bk, context);
        backing
            .gcm()
            .open_bound(&self.nonce, &aad, fixed, self.sealed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn context_encoding_is_unambiguous() {
        let arn = "arn:aws:kms:ap-southeast-2:111122223333:key/x";
        assert_ne!(
            aad(arn, b"k", &ctx(&[("ab", "c")])),
            aad(arn, b"k", &ctx(&[("a", "bc")]))
        );
        assert_ne!(
            aad(arn, b"k", &ctx(&[("a", "b"), ("c", "d")])),
            aad(arn, b"k", &ctx(&[("a", "bcd")]))
        );
        assert_ne!(aad(arn, b"k", &ctx(&[])), aad(arn, b"k", &ctx(&[("", "")])));
        let (bytes, fixed) = aad(arn, b"k", &ctx(&[("a", "b")]));
        assert_eq!(&bytes[..fixed], &aad(arn, b"k", &ctx(&[])).0[..fixed]);
        assert_eq!(bytes.len() - fixed, 4 + 4 + 1 + 4 + 1);
    }

    #[test]
    fn uuid_bytes_take_only_a_uuid() {
        let id = "0ead34eb-16ba-4125-977c-dae54f1b2475";
        let bytes = uuid_bytes(id).unwrap();
        assert_eq!(crate::env::uuid_string(&bytes), id);
        assert!(uuid_bytes("0ead34eb-16ba-4125-977c-dae54f1b247").is_none());
        assert!(uuid_bytes("0ead34eb-16ba-4125-977c-dae54f1b247500").is_none());
        assert!(uuid_bytes("0ead34eb-16ba-4125-977c-dae54f1b247x").is_none());
        assert_eq!(hex_array::<2>("0aFf"), Some([0x0a, 0xff]));
        assert_eq!(hex_array::<2>("0a"), None);
    }

    #[test]
    fn short_or_foreign_blobs_do_not_parse() {
        assert!(parse(&[]).is_none());
        assert!(parse(&[1; 60]).is_none());
        let mut b = vec![3u8; 100];
        assert!(parse(&b).is_none());
        b[0] = 2;
        assert_eq!(
            parse(&b).unwrap().key_id,
            format!("mrk-{}", "03".repeat(16))
        );
        b[0] = 1;
        let blob = parse(&b).unwrap();
        assert_eq!(blob.key_id, "03030303-0303-0303-0303-030303030303");
    }
}
