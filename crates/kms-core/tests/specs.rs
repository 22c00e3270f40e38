//! Every key spec of the model through the engine's dispatcher: CreateKey, DescribeKey,
//! GetPublicKey, Sign/Verify, DeriveSharedSecret, Encapsulate/Decapsulate and GenerateDataKeyPair,
//! each result checked with the RustCrypto crates from the other side (the peer's private key,
//! the public key GetPublicKey returns), and each error of the model they can give.

use base64::Engine as _;
use kms_core::crypto;
use kms_core::{json, ErrorType, KmsError, Sandbox, Value};
use rsa::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey, SubjectPublicKeyInfoRef};
use sha2::{Digest, Sha256, Sha512};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("a blob"))
        .expect("base64")
}

fn kms() -> Sandbox {
    Sandbox::in_memory(10)
}

/// A sandbox in Beijing, where SM2 keys exist and ML-KEM keys do not.
fn china() -> Sandbox {
    let mut kms = Sandbox::in_memory(11);
    kms.region = "cn-north-1".into();
    kms
}

fn ok(kms: &mut Sandbox, op: &str, req: Value) -> Value {
    kms.call(op, req.clone())
        .unwrap_or_else(|e| panic!("{op} {req} failed: {e}"))
}

fn err(kms: &mut Sandbox, op: &str, req: Value) -> KmsError {
    match kms.call(op, req.clone()) {
        Ok(v) => panic!("{op} {req} succeeded: {v}"),
        Err(e) => e,
    }
}

fn create(kms: &mut Sandbox, spec: &str, usage: &str) -> String {
    let out = ok(
        kms,
        "CreateKey",
        json!({"KeySpec": spec, "KeyUsage": usage}),
    );
    out["KeyMetadata"]["KeyId"].as_str().unwrap().to_string()
}

fn public_key(kms: &mut Sandbox, key: &str) -> Vec<u8> {
    unb64(&ok(kms, "GetPublicKey", json!({"KeyId": key}))["PublicKey"])
}

/// The raw key of a SubjectPublicKeyInfo, and its algorithm OID.
fn spki_parts(der: &[u8]) -> (String, Vec<u8>) {
    let spki = SubjectPublicKeyInfoRef::try_from(der).expect("an SPKI");
    (
        spki.algorithm.oid.to_string(),
        spki.subject_public_key.raw_bytes().to_vec(),
    )
}

fn sign(kms: &mut Sandbox, key: &str, alg: &str, message_type: &str, message: &[u8]) -> Vec<u8> {
    let out = ok(
        kms,
        "Sign",
        json!({"KeyId": key, "SigningAlgorithm": alg, "MessageType": message_type, "Message": b64(message)}),
    );
    assert_eq!(out["SigningAlgorithm"], alg);
    unb64(&out["Signature"])
}

fn verify(
    kms: &mut Sandbox,
    key: &str,
    alg: &str,
    message_type: &str,
    message: &[u8],
    signature: &[u8],
) -> Result<Value, KmsError> {
    kms.call(
        "Verify",
        json!({"KeyId": key, "SigningAlgorithm": alg, "MessageType": message_type,
               "Message": b64(message), "Signature": b64(signature)}),
    )
}

fn sign_err(
    kms: &mut Sandbox,
    key: &str,
    alg: &str,
    message_type: &str,
    message: &[u8],
) -> KmsError {
    err(
        kms,
        "Sign",
        json!({"KeyId": key, "SigningAlgorithm": alg, "MessageType": message_type, "Message": b64(message)}),
    )
}

// ---------------------------------------------------------------- key specs and their metadata

/// (KeySpec, KeyUsage, the algorithm field DescribeKey shows, its values, SPKI length).
const SPECS: &[(&str, &str, &str, &[&str], usize)] = &[
    (
        "ECC_NIST_P521",
        "SIGN_VERIFY",
        "SigningAlgorithms",
        &["ECDSA_SHA_512"],
        158,
    ),
    (
        "ECC_NIST_P521",
        "KEY_AGREEMENT",
        "KeyAgreementAlgorithms",
        &["ECDH"],
        158,
    ),
    (
        "ECC_NIST_P256",
        "KEY_AGREEMENT",
        "KeyAgreementAlgorithms",
        &["ECDH"],
        91,
    ),
    (
        "ECC_NIST_P384",
        "KEY_AGREEMENT",
        "KeyAgreementAlgorithms",
        &["ECDH"],
        120,
    ),
    (
        "ECC_SECG_P256K1",
        "SIGN_VERIFY",
        "SigningAlgorithms",
        &["ECDSA_SHA_256"],
        88,
    ),
    (
        "ECC_NIST_EDWARDS25519",
        "SIGN_VERIFY",
        "SigningAlgorithms",
        &["ED25519_SHA_512", "ED25519_PH_SHA_512"],
        44,
    ),
    (
        "ML_DSA_44",
        "SIGN_VERIFY",
        "SigningAlgorithms",
        &["ML_DSA_SHAKE_256"],
        1334,
    ),
    (
        "ML_DSA_65",
        "SIGN_VERIFY",
        "SigningAlgorithms",
        &["ML_DSA_SHAKE_256"],
        1974,
    ),
    (
        "ML_DSA_87",
        "SIGN_VERIFY",
        "SigningAlgorithms",
        &["ML_DSA_SHAKE_256"],
        2614,
    ),
    (
        "ML_KEM_512",
        "ENCAPSULATE_DECAPSULATE",
        "EncapsulationAlgorithms",
        &["ML_KEM"],
        822,
    ),
    (
        "ML_KEM_768",
        "ENCAPSULATE_DECAPSULATE",
        "EncapsulationAlgorithms",
        &["ML_KEM"],
        1206,
    ),
    (
        "ML_KEM_1024",
        "ENCAPSULATE_DECAPSULATE",
        "EncapsulationAlgorithms",
        &["ML_KEM"],
        1590,
    ),
];

const ALGORITHM_FIELDS: [&str; 4] = [
    "EncryptionAlgorithms",
    "SigningAlgorithms",
    "KeyAgreementAlgorithms",
    "EncapsulationAlgorithms",
];

fn check_metadata(m: &Value, spec: &str, usage: &str, field: &str, algs: &[&str]) {
    assert_eq!(m["KeySpec"], spec);
    assert_eq!(m["KeyUsage"], usage);
    assert_eq!(m[field], json!(algs), "{spec} {usage}");
    for other in ALGORITHM_FIELDS.iter().filter(|f| **f != field) {
        assert!(m.get(*other).is_none(), "{spec} {usage} has {other}: {m}");
    }
    // The deprecated CustomerMasterKeySpec has the specs of its own enum only.
    let old = [
        "ECC_NIST_P521",
        "ECC_NIST_P256",
        "ECC_NIST_P384",
        "ECC_SECG_P256K1",
        "SM2",
    ];
    if old.contains(&spec) {
        assert_eq!(m["CustomerMasterKeySpec"], spec);
    } else {
        assert!(m.get("CustomerMasterKeySpec").is_none(), "{m}");
    }
}

#[test]
fn every_spec_creates_describes_and_gives_its_public_key() {
    let mut kms = kms();
    for &(spec, usage, field, algs, spki_len) in SPECS {
        let out = ok(
            &mut kms,
            "CreateKey",
            json!({"KeySpec": spec, "KeyUsage": usage}),
        );
        let m = &out["KeyMetadata"];
        check_metadata(m, spec, usage, field, algs);
        let id = m["KeyId"].as_str().unwrap();
        let described = ok(&mut kms, "DescribeKey", json!({"KeyId": id}));
        check_metadata(&described["KeyMetadata"], spec, usage, field, algs);
        let public = ok(&mut kms, "GetPublicKey", json!({"KeyId": id}));
        check_metadata(&public, spec, usage, field, algs);
        let der = unb64(&public["PublicKey"]);
        assert_eq!(der.len(), spki_len, "{spec}");
        let (oid, raw) = spki_parts(&der);
        let expected_oid = match spec {
            "ECC_NIST_EDWARDS25519" => "1.3.101.112",
            "ML_DSA_44" => "2.16.840.1.101.3.4.3.17",
            "ML_DSA_65" => "2.16.840.1.101.3.4.3.18",
            "ML_DSA_87" => "2.16.840.1.101.3.4.3.19",
            "ML_KEM_512" => "2.16.840.1.101.3.4.4.1",
            "ML_KEM_768" => "2.16.840.1.101.3.4.4.2",
            "ML_KEM_1024" => "2.16.840.1.101.3.4.4.3",
            _ => "1.2.840.10045.2.1",
        };
        assert_eq!(oid, expected_oid, "{spec}");
        match spec {
            "ECC_NIST_P521" => {
                p521::PublicKey::from_public_key_der(&der).unwrap();
            }
            "ECC_NIST_P256" => {
                p256::PublicKey::from_public_key_der(&der).unwrap();
            }
            "ECC_NIST_P384" => {
                p384::PublicKey::from_public_key_der(&der).unwrap();
            }
            "ECC_SECG_P256K1" => {
                k256::PublicKey::from_public_key_der(&der).unwrap();
            }
            "ECC_NIST_EDWARDS25519" => {
                ed25519_dalek::VerifyingKey::from_bytes(&raw.try_into().unwrap()).unwrap();
            }
            "ML_KEM_512" => assert_eq!(raw.len(), 800),
            "ML_KEM_768" => assert_eq!(raw.len(), 1184),
            "ML_KEM_1024" => assert_eq!(raw.len(), 1568),
            _ => {}
        }
    }
}

#[test]
fn key_usages_follow_create_keys_documentation() {
    let mut kms = kms();
    for (spec, usage) in [
        ("ECC_SECG_P256K1", "KEY_AGREEMENT"),
        ("ECC_NIST_EDWARDS25519", "KEY_AGREEMENT"),
        ("ECC_NIST_EDWARDS25519", "ENCRYPT_DECRYPT"),
        ("ML_DSA_44", "ENCRYPT_DECRYPT"),
        ("ML_DSA_65", "KEY_AGREEMENT"),
        ("ML_KEM_768", "KEY_AGREEMENT"),
        ("ML_KEM_768", "SIGN_VERIFY"),
        ("ECC_NIST_P521", "ENCAPSULATE_DECAPSULATE"),
        ("ECC_NIST_P256", "ENCRYPT_DECRYPT"),
    ] {
        let e = err(
            &mut kms,
            "CreateKey",
            json!({"KeySpec": spec, "KeyUsage": usage}),
        );
        assert_eq!(e.error_type, ErrorType::Validation, "{spec} {usage}: {e}");
    }
    // An asymmetric key spec needs its KeyUsage named.
    let e = err(&mut kms, "CreateKey", json!({"KeySpec": "ML_DSA_44"}));
    assert_eq!(e.error_type, ErrorType::Validation);
}

#[test]
fn sm2_only_in_china_and_ml_kem_everywhere_else() {
    let mut kms = kms();
    for usage in ["SIGN_VERIFY", "ENCRYPT_DECRYPT", "KEY_AGREEMENT"] {
        let e = err(
            &mut kms,
            "CreateKey",
            json!({"KeySpec": "SM2", "KeyUsage": usage}),
        );
        assert_eq!(
            (e.error_type, e.message.as_str()),
            (
                ErrorType::UnsupportedOperation,
                "KeySpec SM2 is not supported in this Region"
            )
        );
    }
    let parent = ok(&mut kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    let e = err(
        &mut kms,
        "GenerateDataKeyPair",
        json!({"KeyId": parent, "KeyPairSpec": "SM2"}),
    );
    assert_eq!(e.error_type, ErrorType::UnsupportedOperation);

    let mut cn = china();
    for region in ["cn-north-1", "cn-northwest-1"] {
        cn.region = region.into();
        for (usage, field, algs) in [
            ("SIGN_VERIFY", "SigningAlgorithms", &["SM2DSA"][..]),
            ("ENCRYPT_DECRYPT", "EncryptionAlgorithms", &["SM2PKE"][..]),
            ("KEY_AGREEMENT", "KeyAgreementAlgorithms", &["ECDH"][..]),
        ] {
            let out = ok(
                &mut cn,
                "CreateKey",
                json!({"KeySpec": "SM2", "KeyUsage": usage}),
            );
            check_metadata(&out["KeyMetadata"], "SM2", usage, field, algs);
            let id = out["KeyMetadata"]["KeyId"].clone();
            let der = unb64(&ok(&mut cn, "GetPublicKey", json!({"KeyId": id}))["PublicKey"]);
            sm2::PublicKey::from_public_key_der(&der).unwrap();
            assert_eq!(spki_parts(&der).0, "1.2.840.10045.2.1");
        }
        for spec in ["ML_KEM_512", "ML_KEM_768", "ML_KEM_1024"] {
            let e = err(
                &mut cn,
                "CreateKey",
                json!({"KeySpec": spec, "KeyUsage": "ENCAPSULATE_DECAPSULATE"}),
            );
            assert_eq!(
                (e.error_type, e.message),
                (
                    ErrorType::UnsupportedOperation,
                    format!("KeySpec {spec} is not supported in this Region")
                )
            );
        }
        let parent = ok(&mut cn, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
        let e = err(
            &mut cn,
            "GenerateDataKeyPair",
            json!({"KeyId": parent, "KeyPairSpec": "ML_KEM_768"}),
        );
        assert_eq!(e.error_type, ErrorType::UnsupportedOperation);
    }
}

// ---------------------------------------------------------------- signing

#[test]
fn p521_signs_ecdsa_sha_512_verifiable_with_the_p521_crate() {
    use p521::ecdsa::signature::hazmat::PrehashVerifier;
    use p521::ecdsa::signature::Verifier;
    let mut kms = kms();
    let key = create(&mut kms, "ECC_NIST_P521", "SIGN_VERIFY");
    let der = public_key(&mut kms, &key);
    let point = p521::PublicKey::from_public_key_der(&der).unwrap();
    let verifier = p521::ecdsa::VerifyingKey::from_affine(*point.as_affine()).unwrap();
    let message = b"firmware image 1.0";
    let raw = sign(&mut kms, &key, "ECDSA_SHA_512", "RAW", message);
    let sig = p521::ecdsa::Signature::from_der(&raw).unwrap();
    verifier.verify(message, &sig).unwrap();
    let digest = Sha512::digest(message);
    let from_digest = sign(&mut kms, &key, "ECDSA_SHA_512", "DIGEST", &digest);
    verifier
        .verify_prehash(
            &digest,
            &p521::ecdsa::Signature::from_der(&from_digest).unwrap(),
        )
        .unwrap();
    // RAW and DIGEST are the same message to Verify.
    for (t, m) in [("RAW", &message[..]), ("DIGEST", &digest[..])] {
        for s in [&raw, &from_digest] {
            let out = verify(&mut kms, &key, "ECDSA_SHA_512", t, m, s).unwrap();
            assert_eq!(out["SignatureValid"], true);
        }
    }
    let e = verify(&mut kms, &key, "ECDSA_SHA_512", "RAW", b"other", &raw).unwrap_err();
    assert_eq!(e.error_type, ErrorType::KmsInvalidSignature);
    // ECC_NIST_P521 pairs with ECDSA_SHA_512 only; a DIGEST must be 64 bytes.
    let e = sign_err(&mut kms, &key, "ECDSA_SHA_256", "RAW", message);
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
    let e = sign_err(&mut kms, &key, "ECDSA_SHA_512", "DIGEST", &digest[..63]);
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = sign_err(&mut kms, &key, "ECDSA_SHA_512", "EXTERNAL_MU", &[0; 64]);
    assert_eq!(e.error_type, ErrorType::Validation);
}

#[test]
fn secp256k1_signs_plain_ecdsa_and_verifies_high_s() {
    use k256::ecdsa::signature::Verifier;
    let mut kms = kms();
    let key = create(&mut kms, "ECC_SECG_P256K1", "SIGN_VERIFY");
    let der = public_key(&mut kms, &key);
    let verifier = k256::ecdsa::VerifyingKey::from_public_key_der(&der).unwrap();
    let mut high_s_seen = false;
    for i in 0..24u8 {
        let message = [b'm', i];
        let raw = sign(&mut kms, &key, "ECDSA_SHA_256", "RAW", &message);
        let sig = k256::ecdsa::Signature::from_der(&raw).unwrap();
        // k256 verifies low-S only (BIP 62); KMS, like AWS, does not normalise.
        let low = sig.normalize_s().unwrap_or(sig);
        verifier.verify(&message, &low).unwrap();
        high_s_seen |= sig.normalize_s().is_some();
        // Both s and n - s verify in KMS, as in FIPS 186-4's ECDSA.
        let other = match sig.normalize_s() {
            Some(low) => low,
            None => {
                let (r, s) = sig.split_scalars();
                k256::ecdsa::Signature::from_scalars(r, -*s).unwrap()
            }
        };
        for s in [raw.clone(), other.to_der().as_bytes().to_vec()] {
            assert_eq!(
                verify(&mut kms, &key, "ECDSA_SHA_256", "RAW", &message, &s).unwrap()
                    ["SignatureValid"],
                true
            );
        }
        let digest = Sha256::digest(message);
        assert!(verify(&mut kms, &key, "ECDSA_SHA_256", "DIGEST", &digest, &raw).is_ok());
    }
    assert!(high_s_seen, "24 signatures and none with a high S");
    for alg in [
        "ECDSA_SHA_384",
        "ECDSA_SHA_512",
        "ED25519_SHA_512",
        "SM2DSA",
    ] {
        let e = sign_err(&mut kms, &key, alg, "RAW", b"m");
        assert_eq!(e.error_type, ErrorType::InvalidKeyUsage, "{alg}");
    }
}

#[test]
fn ed25519_pure_takes_raw_and_prehash_takes_a_sha_512_digest() {
    let mut kms = kms();
    let key = create(&mut kms, "ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
    let der = public_key(&mut kms, &key);
    let raw_key = spki_parts(&der).1;
    let verifier = ed25519_dalek::VerifyingKey::from_bytes(&raw_key.try_into().unwrap()).unwrap();
    let message = b"an Ed25519 message";

    let pure = sign(&mut kms, &key, "ED25519_SHA_512", "RAW", message);
    assert_eq!(pure.len(), 64);
    let sig = ed25519_dalek::Signature::from_slice(&pure).unwrap();
    verifier.verify_strict(message, &sig).unwrap();
    // Deterministic, as Ed25519 is.
    assert_eq!(
        sign(&mut kms, &key, "ED25519_SHA_512", "RAW", message),
        pure
    );
    assert!(verify(&mut kms, &key, "ED25519_SHA_512", "RAW", message, &pure).is_ok());

    // ED25519_PH_SHA_512 with a DIGEST: KMS hashes the digest once more (Ed25519ph's PH step).
    let digest = Sha512::digest(message);
    let ph = sign(&mut kms, &key, "ED25519_PH_SHA_512", "DIGEST", &digest);
    let sig = ed25519_dalek::Signature::from_slice(&ph).unwrap();
    verifier
        .verify_prehashed_strict(Sha512::new_with_prefix(digest), None, &sig)
        .unwrap();
    assert!(verifier.verify_strict(message, &sig).is_err());
    assert!(verify(&mut kms, &key, "ED25519_PH_SHA_512", "DIGEST", &digest, &ph).is_ok());
    let e = verify(&mut kms, &key, "ED25519_SHA_512", "RAW", message, &ph).unwrap_err();
    assert_eq!(e.error_type, ErrorType::KmsInvalidSignature);

    // The message types are not interchangeable.
    for (alg, mt, m) in [
        ("ED25519_SHA_512", "DIGEST", &digest[..]),
        ("ED25519_PH_SHA_512", "RAW", &message[..]),
        ("ED25519_SHA_512", "EXTERNAL_MU", &digest[..]),
        ("ED25519_PH_SHA_512", "EXTERNAL_MU", &digest[..]),
    ] {
        let e = sign_err(&mut kms, &key, alg, mt, m);
        assert_eq!(e.error_type, ErrorType::Validation, "{alg} {mt}");
        assert!(e.message.contains("incompatible"), "{}", e.message);
        let e = verify(&mut kms, &key, alg, mt, m, &ph).unwrap_err();
        assert_eq!(e.error_type, ErrorType::Validation, "{alg} {mt}");
    }
    // AWS names only the algorithm for these two.
    for (alg, mt, m) in [
        ("ED25519_SHA_512", "DIGEST", &digest[..]),
        ("ED25519_PH_SHA_512", "RAW", &message[..]),
    ] {
        let e = sign_err(&mut kms, &key, alg, mt, m);
        assert_eq!(
            e.message,
            format!("Message type {mt} is incompatible with algorithm {alg}.")
        );
    }
    let e = sign_err(
        &mut kms,
        &key,
        "ED25519_PH_SHA_512",
        "DIGEST",
        &digest[..32],
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = sign_err(&mut kms, &key, "ECDSA_SHA_512", "RAW", message);
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
}

/// ML-DSA's μ = SHAKE256(SHAKE256(pk, 64) || 0 || 0 || M, 64) for an empty context (FIPS 204
/// Algorithm 2 and 7), computed with sha3, not ml-dsa.
fn ml_dsa_mu(public_key: &[u8], message: &[u8]) -> [u8; 64] {
    use sha3::digest::{ExtendableOutput, Update, XofReader};
    let mut tr = [0u8; 64];
    let mut h = sha3::Shake256::default();
    h.update(public_key);
    h.finalize_xof().read(&mut tr);
    let mut mu = [0u8; 64];
    let mut h = sha3::Shake256::default();
    h.update(&tr);
    h.update(&[0, 0]);
    h.update(message);
    h.finalize_xof().read(&mut mu);
    mu
}

#[test]
fn ml_dsa_signs_raw_and_external_mu() {
    let mut kms = kms();
    for (spec, sig_len) in [
        ("ML_DSA_44", 2420),
        ("ML_DSA_65", 3309),
        ("ML_DSA_87", 4627),
    ] {
        let key = create(&mut kms, spec, "SIGN_VERIFY");
        let der = public_key(&mut kms, &key);
        let raw_key = spki_parts(&der).1;
        let message = vec![0x5A; 4096];
        let raw = sign(&mut kms, &key, "ML_DSA_SHAKE_256", "RAW", &message);
        assert_eq!(raw.len(), sig_len, "{spec}");
        let mu = ml_dsa_mu(&raw_key, &message);
        let external = sign(&mut kms, &key, "ML_DSA_SHAKE_256", "EXTERNAL_MU", &mu);
        assert_eq!(external.len(), sig_len);
        // A signature over μ is a signature over the message, and the other way round.
        for s in [&raw, &external] {
            assert!(verify(&mut kms, &key, "ML_DSA_SHAKE_256", "RAW", &message, s).is_ok());
            assert!(verify(&mut kms, &key, "ML_DSA_SHAKE_256", "EXTERNAL_MU", &mu, s).is_ok());
            assert!(crypto::verify_spki(
                &der,
                kms_core::SigningAlgorithm::MlDsaShake256,
                crypto::Message::Raw(&message),
                s
            )
            .unwrap());
        }
        // Checked by ml-dsa itself, outside the engine.
        macro_rules! check_with_crate {
            ($p:ty) => {{
                let vk = ml_dsa::VerifyingKey::<$p>::decode(raw_key.as_slice().try_into().unwrap());
                let sig =
                    ml_dsa::Signature::<$p>::decode(raw.as_slice().try_into().unwrap()).unwrap();
                assert!(vk.verify_with_context(&message, &[], &sig));
            }};
        }
        match spec {
            "ML_DSA_44" => check_with_crate!(ml_dsa::MlDsa44),
            "ML_DSA_65" => check_with_crate!(ml_dsa::MlDsa65),
            _ => check_with_crate!(ml_dsa::MlDsa87),
        }
        let mut tampered = raw.clone();
        tampered[10] ^= 1;
        let e = verify(
            &mut kms,
            &key,
            "ML_DSA_SHAKE_256",
            "RAW",
            &message,
            &tampered,
        )
        .unwrap_err();
        assert_eq!(e.error_type, ErrorType::KmsInvalidSignature);
        let e = verify(
            &mut kms,
            &key,
            "ML_DSA_SHAKE_256",
            "RAW",
            &message,
            &raw[..100],
        )
        .unwrap_err();
        assert_eq!(e.error_type, ErrorType::KmsInvalidSignature);

        // No DIGEST for ML-DSA; EXTERNAL_MU is exactly 64 bytes.
        let e = sign_err(&mut kms, &key, "ML_DSA_SHAKE_256", "DIGEST", &mu);
        assert_eq!(
            (e.error_type, e.message),
            (
                ErrorType::Validation,
                format!("Message type DIGEST is incompatible with key spec {spec}.")
            )
        );
        for len in [0, 32, 63, 65] {
            let e = sign_err(
                &mut kms,
                &key,
                "ML_DSA_SHAKE_256",
                "EXTERNAL_MU",
                &vec![1; len],
            );
            assert_eq!(e.error_type, ErrorType::Validation, "{len}");
        }
        // Messages longer than 4096 bytes fail the model's constraint.
        let e = sign_err(&mut kms, &key, "ML_DSA_SHAKE_256", "RAW", &[0; 4097]);
        assert_eq!(e.error_type, ErrorType::Validation);
        let e = sign_err(&mut kms, &key, "ECDSA_SHA_256", "RAW", b"m");
        assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
    }
}

#[test]
fn sm2dsa_signs_sm3_of_za_and_message_in_china() {
    use sm2::dsa::signature::hazmat::PrehashVerifier;
    use sm2::dsa::signature::Verifier;
    let mut kms = china();
    let key = create(&mut kms, "SM2", "SIGN_VERIFY");
    let der = public_key(&mut kms, &key);
    let public = sm2::PublicKey::from_public_key_der(&der).unwrap();
    // The default distinguishing ID of GM/T 0009, which AWS uses.
    let verifier = sm2::dsa::VerifyingKey::new("1234567812345678", public).unwrap();
    let message = b"SM2 in Beijing";
    let raw = sign(&mut kms, &key, "SM2DSA", "RAW", message);
    let parsed = ecdsa::Signature::<sm2::Sm2>::from_der(&raw).unwrap();
    let sig = sm2::dsa::Signature::from_slice(&parsed.to_bytes()).unwrap();
    verifier.verify(message, &sig).unwrap();
    // DIGEST: the 32-byte SM3(ZA || M) of AWS's calculateSM2Digest.
    let digest = crypto::sm2_digest(&der, message).unwrap();
    assert_eq!(digest.len(), 32);
    let from_digest = sign(&mut kms, &key, "SM2DSA", "DIGEST", &digest);
    let parsed = ecdsa::Signature::<sm2::Sm2>::from_der(&from_digest).unwrap();
    verifier
        .verify_prehash(
            &digest,
            &sm2::dsa::Signature::from_slice(&parsed.to_bytes()).unwrap(),
        )
        .unwrap();
    for (t, m) in [("RAW", &message[..]), ("DIGEST", &digest[..])] {
        for s in [&raw, &from_digest] {
            assert!(verify(&mut kms, &key, "SM2DSA", t, m, s).is_ok());
        }
    }
    let e = verify(&mut kms, &key, "SM2DSA", "RAW", b"other", &raw).unwrap_err();
    assert_eq!(e.error_type, ErrorType::KmsInvalidSignature);
    let e = sign_err(&mut kms, &key, "SM2DSA", "DIGEST", &digest[..31]);
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = sign_err(&mut kms, &key, "ECDSA_SHA_256", "RAW", message);
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
}

#[test]
fn sm2pke_encrypts_and_decrypts_in_china() {
    let mut kms = china();
    let key = create(&mut kms, "SM2", "ENCRYPT_DECRYPT");
    for plaintext in [&b"x"[..], b"attack at dawn", &[7u8; 1024]] {
        let out = ok(
            &mut kms,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": b64(plaintext), "EncryptionAlgorithm": "SM2PKE"}),
        );
        assert_eq!(out["EncryptionAlgorithm"], "SM2PKE");
        let ct = unb64(&out["CiphertextBlob"]);
        // GM/T 0009's DER: SEQUENCE { x1, y1, C3 (32 bytes), C2 (as long as the plaintext) }.
        assert_eq!(ct[0], 0x30);
        assert!(ct.len() >= plaintext.len() + 32 + 64);
        let back = ok(
            &mut kms,
            "Decrypt",
            json!({"KeyId": key, "CiphertextBlob": b64(&ct), "EncryptionAlgorithm": "SM2PKE"}),
        );
        assert_eq!(unb64(&back["Plaintext"]), plaintext);
        let mut tampered = ct.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let e = err(
            &mut kms,
            "Decrypt",
            json!({"KeyId": key, "CiphertextBlob": b64(&tampered), "EncryptionAlgorithm": "SM2PKE"}),
        );
        assert_eq!(e.error_type, ErrorType::InvalidCiphertext);
    }
    let e = err(
        &mut kms,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": b64(&[0; 1025]), "EncryptionAlgorithm": "SM2PKE"}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(
        &mut kms,
        "Encrypt",
        json!({"KeyId": key, "Plaintext": b64(b"x"), "EncryptionAlgorithm": "RSAES_OAEP_SHA_256"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
    // The asymmetric ciphertext names no key: Decrypt needs the KeyId.
    let e = err(
        &mut kms,
        "Decrypt",
        json!({"CiphertextBlob": b64(&[0x30, 0]), "EncryptionAlgorithm": "SM2PKE"}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let signer = create(&mut kms, "SM2", "SIGN_VERIFY");
    let e = err(
        &mut kms,
        "Encrypt",
        json!({"KeyId": signer, "Plaintext": b64(b"x"), "EncryptionAlgorithm": "SM2PKE"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
}

// ---------------------------------------------------------------- key agreement

/// A peer's key pair on a curve, made outside KMS: its DER SPKI and the shared secret it computes
/// with a KMS public key.
fn peer(spec: &str, kms_public: &[u8]) -> (Vec<u8>, Vec<u8>) {
    macro_rules! side {
        ($c:ident, $len:expr, $first:expr) => {{
            let mut d = vec![7u8; $len];
            d[0] = $first;
            let secret = $c::SecretKey::from_slice(&d).unwrap();
            let theirs = $c::PublicKey::from_public_key_der(kms_public).unwrap();
            let shared = elliptic_curve::ecdh::diffie_hellman(
                secret.to_nonzero_scalar(),
                theirs.as_affine(),
            );
            (
                secret.public_key().to_public_key_der().unwrap().into_vec(),
                shared.raw_secret_bytes().to_vec(),
            )
        }};
    }
    match spec {
        "ECC_NIST_P256" => side!(p256, 32, 7),
        "ECC_NIST_P384" => side!(p384, 48, 7),
        "ECC_NIST_P521" => side!(p521, 66, 1),
        "SM2" => side!(sm2, 32, 7),
        _ => unreachable!(),
    }
}

fn derive(kms: &mut Sandbox, key: &str, peer_spki: &[u8]) -> Result<Value, KmsError> {
    kms.call(
        "DeriveSharedSecret",
        json!({"KeyId": key, "KeyAgreementAlgorithm": "ECDH", "PublicKey": b64(peer_spki)}),
    )
}

#[test]
fn derive_shared_secret_is_ecdh_with_the_peers_public_key() {
    let mut kms = kms();
    let mut cn = china();
    for (spec, len) in [
        ("ECC_NIST_P256", 32),
        ("ECC_NIST_P384", 48),
        ("ECC_NIST_P521", 66),
        ("SM2", 32),
    ] {
        let kms = if spec == "SM2" { &mut cn } else { &mut kms };
        let out = ok(
            kms,
            "CreateKey",
            json!({"KeySpec": spec, "KeyUsage": "KEY_AGREEMENT"}),
        );
        let key = out["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
        let arn = out["KeyMetadata"]["Arn"].clone();
        let kms_public = public_key(kms, &key);
        let (peer_spki, expected) = peer(spec, &kms_public);
        let out = derive(kms, &key, &peer_spki).unwrap();
        assert_eq!(out["KeyId"], arn);
        assert_eq!(out["KeyAgreementAlgorithm"], "ECDH");
        assert_eq!(out["KeyOrigin"], "AWS_KMS");
        let secret = unb64(&out["SharedSecret"]);
        assert_eq!(secret.len(), len, "{spec}");
        assert_eq!(secret, expected, "{spec}");

        // Two KMS keys on the same curve agree with each other.
        let other = create(kms, spec, "KEY_AGREEMENT");
        let other_public = public_key(kms, &other);
        let a = derive(kms, &key, &other_public).unwrap()["SharedSecret"].clone();
        let b = derive(kms, &other, &kms_public).unwrap()["SharedSecret"].clone();
        assert_eq!(a, b);

        // A public key on another curve, not an SPKI, or a point off the curve.
        let other_curve = if spec == "ECC_NIST_P384" {
            "ECC_NIST_P256"
        } else {
            "ECC_NIST_P384"
        };
        let stranger = create(kms, other_curve, "KEY_AGREEMENT");
        let wrong_curve = peer(other_curve, &public_key(kms, &stranger)).0;
        let mut off_curve = peer_spki.clone();
        let last = off_curve.len() - 1;
        off_curve[last] ^= 1;
        for bad in [&wrong_curve[..], b"not a key", &off_curve[..]] {
            let e = derive(kms, &key, bad).unwrap_err();
            assert_eq!(e.error_type, ErrorType::Validation, "{spec}: {e}");
        }
        // Only ECDH is a key agreement algorithm (the model's enum).
        let e = err(
            kms,
            "DeriveSharedSecret",
            json!({"KeyId": key, "KeyAgreementAlgorithm": "X25519", "PublicKey": b64(&peer_spki)}),
        );
        assert_eq!(e.error_type, ErrorType::Validation);
        // A KEY_AGREEMENT key neither signs nor verifies.
        let e = sign_err(kms, &key, "ECDSA_SHA_256", "RAW", b"m");
        assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
        // Key states: disabled, then pending deletion.
        ok(kms, "DisableKey", json!({"KeyId": key}));
        assert_eq!(
            derive(kms, &key, &peer_spki).unwrap_err().error_type,
            ErrorType::Disabled
        );
        ok(
            kms,
            "ScheduleKeyDeletion",
            json!({"KeyId": key, "PendingWindowInDays": 7}),
        );
        assert_eq!(
            derive(kms, &key, &peer_spki).unwrap_err().error_type,
            ErrorType::KmsInvalidState
        );
    }
    // A signing key cannot derive; nor can a symmetric key. An alias names the key as well.
    let signer = create(&mut kms, "ECC_NIST_P256", "SIGN_VERIFY");
    let e = derive(&mut kms, &signer, &[0x30]).unwrap_err();
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
    let agreer = create(&mut kms, "ECC_NIST_P256", "KEY_AGREEMENT");
    ok(
        &mut kms,
        "CreateAlias",
        json!({"AliasName": "alias/agree", "TargetKeyId": agreer}),
    );
    let (peer_spki, expected) = peer("ECC_NIST_P256", &public_key(&mut kms, &agreer));
    let out = derive(&mut kms, "alias/agree", &peer_spki).unwrap();
    assert_eq!(unb64(&out["SharedSecret"]), expected);
    let e = derive(&mut kms, "alias/none", &peer_spki).unwrap_err();
    assert_eq!(e.error_type, ErrorType::NotFound);
}

// ---------------------------------------------------------------- ML-KEM

/// An ML-KEM ciphertext made outside KMS to the SPKI GetPublicKey returned, with the ml-kem crate.
fn encapsulate_outside(spec: &str, spki_der: &[u8], m: [u8; 32]) -> (Vec<u8>, Vec<u8>) {
    let ek = spki_parts(spki_der).1;
    macro_rules! encaps {
        ($p:ty) => {{
            let ek =
                ml_kem::EncapsulationKey::<$p>::new(ek.as_slice().try_into().unwrap()).unwrap();
            let (ct, k) = ek.encapsulate_deterministic(&m.into());
            (ct.to_vec(), k.to_vec())
        }};
    }
    match spec {
        "ML_KEM_512" => encaps!(ml_kem::MlKem512),
        "ML_KEM_768" => encaps!(ml_kem::MlKem768),
        _ => encaps!(ml_kem::MlKem1024),
    }
}

#[test]
fn ml_kem_encapsulates_and_decapsulates() {
    let mut kms = kms();
    for (spec, ct_len) in [
        ("ML_KEM_512", 768),
        ("ML_KEM_768", 1088),
        ("ML_KEM_1024", 1568),
    ] {
        let out = ok(
            &mut kms,
            "CreateKey",
            json!({"KeySpec": spec, "KeyUsage": "ENCAPSULATE_DECAPSULATE"}),
        );
        let key = out["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
        let arn = out["KeyMetadata"]["Arn"].clone();
        let enc = ok(
            &mut kms,
            "Encapsulate",
            json!({"KeyId": key, "EncapsulationAlgorithm": "ML_KEM"}),
        );
        assert_eq!(enc["KeyId"], arn);
        assert_eq!(enc["EncapsulationAlgorithm"], "ML_KEM");
        let ct = unb64(&enc["SharedSecretCiphertextBlob"]);
        let secret = unb64(&enc["SharedSecret"]);
        assert_eq!((ct.len(), secret.len()), (ct_len, 32), "{spec}");
        let dec = ok(
            &mut kms,
            "Decapsulate",
            json!({"KeyId": key, "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": b64(&ct)}),
        );
        assert_eq!(dec["KeyId"], arn);
        assert_eq!(unb64(&dec["SharedSecret"]), secret);
        // Each encapsulation is fresh.
        let again = ok(
            &mut kms,
            "Encapsulate",
            json!({"KeyId": key, "EncapsulationAlgorithm": "ML_KEM"}),
        );
        assert_ne!(again["SharedSecret"], enc["SharedSecret"]);

        // A ciphertext made outside KMS to the public key decapsulates to the same secret.
        let spki = public_key(&mut kms, &key);
        let (outside_ct, outside_secret) = encapsulate_outside(spec, &spki, [9; 32]);
        let dec = ok(
            &mut kms,
            "Decapsulate",
            json!({"KeyId": key, "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": b64(&outside_ct)}),
        );
        assert_eq!(unb64(&dec["SharedSecret"]), outside_secret);

        // Implicit rejection: an altered ciphertext gives another 32-byte secret, no error.
        let mut altered = ct.clone();
        altered[0] ^= 1;
        let dec = ok(
            &mut kms,
            "Decapsulate",
            json!({"KeyId": key, "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": b64(&altered)}),
        );
        let rejected = unb64(&dec["SharedSecret"]);
        assert_eq!(rejected.len(), 32);
        assert_ne!(rejected, secret);
        // Only a length that does not fit the key spec is InvalidCiphertextException.
        for bad in [
            &ct[..ct_len - 1],
            &[ct.clone(), vec![0]].concat()[..],
            &[1u8; 768][..],
        ] {
            if bad.len() == ct_len {
                continue;
            }
            let e = err(
                &mut kms,
                "Decapsulate",
                json!({"KeyId": key, "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": b64(bad)}),
            );
            assert_eq!(
                e.error_type,
                ErrorType::InvalidCiphertext,
                "{spec} {}",
                bad.len()
            );
        }
        let e = err(
            &mut kms,
            "Encapsulate",
            json!({"KeyId": key, "EncapsulationAlgorithm": "ECDH"}),
        );
        assert_eq!(e.error_type, ErrorType::Validation);
        // An ML-KEM key neither signs nor derives.
        let e = derive(&mut kms, &key, &spki).unwrap_err();
        assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
        ok(&mut kms, "DisableKey", json!({"KeyId": key}));
        let e = err(
            &mut kms,
            "Encapsulate",
            json!({"KeyId": key, "EncapsulationAlgorithm": "ML_KEM"}),
        );
        assert_eq!(e.error_type, ErrorType::Disabled);
        let e = err(
            &mut kms,
            "Decapsulate",
            json!({"KeyId": key, "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": b64(&ct)}),
        );
        assert_eq!(e.error_type, ErrorType::Disabled);
    }
    for (spec, usage) in [
        ("ML_DSA_44", "SIGN_VERIFY"),
        ("ECC_NIST_P256", "KEY_AGREEMENT"),
    ] {
        let key = create(&mut kms, spec, usage);
        for (op, extra) in [
            ("Encapsulate", json!({})),
            (
                "Decapsulate",
                json!({"SharedSecretCiphertextBlob": b64(&[0; 768])}),
            ),
        ] {
            let mut req = json!({"KeyId": key, "EncapsulationAlgorithm": "ML_KEM"});
            req.as_object_mut()
                .unwrap()
                .extend(extra.as_object().unwrap().clone());
            let e = err(&mut kms, op, req);
            assert_eq!(e.error_type, ErrorType::InvalidKeyUsage, "{op} {spec}");
        }
    }
}

// ---------------------------------------------------------------- data key pairs

/// Checks that a data key pair's PKCS#8 private key and SPKI public key belong together, with
/// the crates (not the engine).
fn check_pair(spec: &str, private: &[u8], public: &[u8]) {
    use ml_kem::KeyExport as _;
    macro_rules! ec {
        ($c:ident) => {{
            let secret = $c::SecretKey::from_pkcs8_der(private).unwrap();
            assert_eq!(
                secret.public_key(),
                $c::PublicKey::from_public_key_der(public).unwrap()
            );
        }};
    }
    match spec {
        "RSA_2048" | "RSA_3072" | "RSA_4096" => {
            let key = rsa::RsaPrivateKey::from_pkcs8_der(private).unwrap();
            assert_eq!(
                rsa::RsaPublicKey::from(&key),
                rsa::RsaPublicKey::from_public_key_der(public).unwrap()
            );
        }
        "ECC_NIST_P256" => ec!(p256),
        "ECC_NIST_P384" => ec!(p384),
        "ECC_NIST_P521" => ec!(p521),
        "ECC_SECG_P256K1" => ec!(k256),
        "SM2" => ec!(sm2),
        "ECC_NIST_EDWARDS25519" => {
            // RFC 8410: 30 2e 02 01 00 30 05 06 03 2b 65 70 04 22 04 20 <seed>, 48 bytes.
            assert_eq!(private.len(), 48);
            assert_eq!(&private[..16], &hex("302e020100300506032b657004220420")[..]);
            let key = ed25519_dalek::SigningKey::from_bytes(&private[16..].try_into().unwrap());
            assert_eq!(spki_parts(public).1, key.verifying_key().as_bytes());
        }
        "ML_KEM_512" | "ML_KEM_768" | "ML_KEM_1024" => {
            // The seed format GenerateDataKeyPair documents: 86 bytes at every level.
            assert_eq!(private.len(), 86);
            assert_eq!(&private[20..22], &[0x80, 0x40]);
            let seed: [u8; 64] = private[22..].try_into().unwrap();
            let ek = match spec {
                "ML_KEM_512" => {
                    ml_kem::DecapsulationKey::<ml_kem::MlKem512>::from_seed(seed.into())
                        .encapsulation_key()
                        .to_bytes()
                        .to_vec()
                }
                "ML_KEM_768" => {
                    ml_kem::DecapsulationKey::<ml_kem::MlKem768>::from_seed(seed.into())
                        .encapsulation_key()
                        .to_bytes()
                        .to_vec()
                }
                _ => ml_kem::DecapsulationKey::<ml_kem::MlKem1024>::from_seed(seed.into())
                    .encapsulation_key()
                    .to_bytes()
                    .to_vec(),
            };
            assert_eq!(spki_parts(public).1, ek);
        }
        other => panic!("no check for {other}"),
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn generate_data_key_pair_for_every_pair_spec_of_the_model() {
    let specs: Vec<String> = kms_core::model::model()
        .shape("DataKeyPairSpec")
        .enum_values
        .clone()
        .unwrap();
    assert!(specs.len() >= 12, "{specs:?}");
    let mut kms = kms();
    let mut cn = china();
    for spec in &specs {
        let sandbox = if spec == "SM2" { &mut cn } else { &mut kms };
        let parent = ok(sandbox, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
        let context = json!({"purpose": "test"});
        let out = ok(
            sandbox,
            "GenerateDataKeyPair",
            json!({"KeyId": parent, "KeyPairSpec": spec, "EncryptionContext": context}),
        );
        assert_eq!(out["KeyPairSpec"], spec.as_str());
        let private = unb64(&out["PrivateKeyPlaintext"]);
        let public = unb64(&out["PublicKey"]);
        check_pair(spec, &private, &public);
        let back = ok(
            sandbox,
            "Decrypt",
            json!({"CiphertextBlob": out["PrivateKeyCiphertextBlob"], "EncryptionContext": context}),
        );
        assert_eq!(unb64(&back["Plaintext"]), private, "{spec}");

        // RSA-3072/4096 generation takes seconds here: once per spec is enough.
        if spec == "RSA_3072" || spec == "RSA_4096" {
            continue;
        }
        let without = ok(
            sandbox,
            "GenerateDataKeyPairWithoutPlaintext",
            json!({"KeyId": parent, "KeyPairSpec": spec}),
        );
        assert!(without.get("PrivateKeyPlaintext").is_none());
        let private = unb64(
            &ok(
                sandbox,
                "Decrypt",
                json!({"CiphertextBlob": without["PrivateKeyCiphertextBlob"]}),
            )["Plaintext"],
        );
        check_pair(spec, &private, &unb64(&without["PublicKey"]));
    }
    // The pair's parent is a symmetric encryption key; ML-DSA is no DataKeyPairSpec.
    let signer = create(&mut kms, "ECC_NIST_P521", "SIGN_VERIFY");
    let e = err(
        &mut kms,
        "GenerateDataKeyPair",
        json!({"KeyId": signer, "KeyPairSpec": "ECC_NIST_P521"}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidKeyUsage);
    let parent = ok(&mut kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    let e = err(
        &mut kms,
        "GenerateDataKeyPair",
        json!({"KeyId": parent, "KeyPairSpec": "ML_DSA_44"}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
}

// ---------------------------------------------------------------- engine-level crypto

#[test]
fn key_material_never_shows_in_debug_output() {
    let mut kms = kms();
    for &(spec, usage, ..) in SPECS {
        let out = kms.outcome("CreateKey", json!({"KeySpec": spec, "KeyUsage": usage}));
        let shown = format!("{:?}", out.changes);
        assert!(shown.contains("Secret([REDACTED;"), "{spec}: {shown}");
    }
}

#[test]
fn dry_run_answers_for_the_new_operations() {
    let mut kms = kms();
    let agreer = create(&mut kms, "ECC_NIST_P384", "KEY_AGREEMENT");
    let (peer_spki, _) = peer("ECC_NIST_P384", &public_key(&mut kms, &agreer));
    let kem = create(&mut kms, "ML_KEM_512", "ENCAPSULATE_DECAPSULATE");
    let signer = create(&mut kms, "ML_DSA_44", "SIGN_VERIFY");
    for (op, req) in [
        (
            "DeriveSharedSecret",
            json!({"KeyId": agreer, "KeyAgreementAlgorithm": "ECDH", "PublicKey": b64(&peer_spki)}),
        ),
        (
            "Encapsulate",
            json!({"KeyId": kem, "EncapsulationAlgorithm": "ML_KEM"}),
        ),
        (
            "Decapsulate",
            json!({"KeyId": kem, "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": b64(&[0; 768])}),
        ),
        (
            "Sign",
            json!({"KeyId": signer, "SigningAlgorithm": "ML_DSA_SHAKE_256", "MessageType": "EXTERNAL_MU", "Message": b64(&[0; 64])}),
        ),
    ] {
        let mut dry = req.clone();
        dry["DryRun"] = json!(true);
        assert_eq!(
            err(&mut kms, op, dry).error_type,
            ErrorType::DryRunOperation,
            "{op}"
        );
    }
    // The real error, not DryRunOperationException, when the request would fail.
    let e = err(
        &mut kms,
        "DeriveSharedSecret",
        json!({"KeyId": agreer, "KeyAgreementAlgorithm": "ECDH", "PublicKey": b64(b"junk"), "DryRun": true}),
    );
    assert_eq!(e.error_type, ErrorType::Validation);
    let e = err(
        &mut kms,
        "Decapsulate",
        json!({"KeyId": kem, "EncapsulationAlgorithm": "ML_KEM", "SharedSecretCiphertextBlob": b64(&[0; 10]), "DryRun": true}),
    );
    assert_eq!(e.error_type, ErrorType::InvalidCiphertext);
}
