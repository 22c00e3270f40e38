//! Imported key material, multi-Region keys and the newer key specs in the browser, through the
//! official `@aws-sdk/client-kms` and the sandbox's request handler: material wrapped with
//! WebCrypto RSA-OAEP as the AWS CLI and OpenSSL recipes wrap it, with an import token that
//! outlives reopening the sandbox; a key replicated to another Region that decrypts and verifies
//! there what the primary made; Ed25519, P-521 and secp256k1 signatures verified outside the
//! engine (WebCrypto, and the k256 crate's own verifier); and DeriveSharedSecret's ECDH secret
//! matched by WebCrypto's on each curve it has.

use crate::common::*;
use js_sys::{Array, Uint8Array};
use kms_web::Sandbox;
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

const PRIMARY: &str = "us-east-1";
const REPLICA: &str = "eu-west-1";

/// An SDK `KMSClient` for `region` over `sandbox`'s request handler (signed as the account root).
fn kms_client(sandbox: &Sandbox, region: &str) -> JsValue {
    let handler = get(&sandbox.to_js(), "requestHandler");
    service_client("kms", region, &handler, None, None, None)
}

fn u8s(bytes: &[u8]) -> JsValue {
    Uint8Array::from(bytes).into()
}

async fn key_id(client: &JsValue, input: serde_json::Value) -> String {
    let created = sdk_ok(client, "CreateKey", js(input)).await;
    path_str(&created, "KeyMetadata.KeyId")
}

#[wasm_bindgen_test]
async fn material_wrapped_with_webcrypto_imports_with_a_token_that_outlives_reopening() {
    let name = unique("keys-import");
    let first = Sandbox::open(&name, Some(PRIMARY.into()), None)
        .await
        .unwrap();
    let kms = kms_client(&first, PRIMARY);
    let key = key_id(&kms, json!({"Origin": "EXTERNAL", "Description": "BYOK"})).await;
    let created = sdk_ok(&kms, "DescribeKey", js(json!({"KeyId": key}))).await;
    assert_eq!(path_str(&created, "KeyMetadata.KeyState"), "PendingImport");
    let params = sdk_ok(
        &kms,
        "GetParametersForImport",
        js(
            json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
            "WrappingKeySpec": "RSA_3072"}),
        ),
    )
    .await;
    let public_key: Uint8Array = get(&params, "PublicKey").dyn_into().unwrap();
    let token: Uint8Array = get(&params, "ImportToken").dyn_into().unwrap();
    assert!(get(&params, "ParametersValidTo").is_instance_of::<js_sys::Date>());

    // Another copy of the sandbox, read from IndexedDB as a reloaded page of a big sandbox reads
    // it (in pages, the key sealed): the token and its wrapping key are there, unwrapped on use.
    Sandbox::test_set_read_page(Some(1));
    Sandbox::test_set_eager_keys(Some(0));
    let reopened = Sandbox::test_open_detached(&name).await.unwrap();
    Sandbox::test_set_read_page(None);
    Sandbox::test_set_eager_keys(None);
    let kms = kms_client(&reopened, PRIMARY);
    let material: Vec<u8> = (0u8..32).map(|i| i.wrapping_mul(37) ^ 0xa5).collect();
    let wrapped: Uint8Array = wait(webcrypto_oaep_encrypt(
        &public_key,
        "SHA-256",
        &Uint8Array::from(&material[..]),
    ))
    .await
    .dyn_into()
    .unwrap();
    let imported = sdk_ok(
        &kms,
        "ImportKeyMaterial",
        obj(&[
            ("KeyId", key.as_str().into()),
            ("ImportToken", token.clone().into()),
            ("EncryptedKeyMaterial", wrapped.clone().into()),
            ("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE".into()),
        ]),
    )
    .await;
    assert_eq!(
        path_str(&imported, "KeyId"),
        format!("arn:aws:kms:{PRIMARY}:111122223333:key/{key}")
    );
    let described = sdk_ok(&kms, "DescribeKey", js(json!({"KeyId": key}))).await;
    assert_eq!(path_str(&described, "KeyMetadata.KeyState"), "Enabled");

    let secret = b"imported in the browser";
    let blob = get(
        &sdk_ok(
            &kms,
            "Encrypt",
            obj(&[("KeyId", key.as_str().into()), ("Plaintext", u8s(secret))]),
        )
        .await,
        "CiphertextBlob",
    );
    let back = sdk_ok(&kms, "Decrypt", obj(&[("CiphertextBlob", blob.clone())])).await;
    assert_eq!(bytes(&get(&back, "Plaintext")), secret);

    // Other material under the same key is refused; the material itself can be imported again
    // after DeleteImportedKeyMaterial, and the old ciphertext decrypts again.
    sdk_ok(&kms, "DeleteImportedKeyMaterial", js(json!({"KeyId": key}))).await;
    let e = sdk(&kms, "Decrypt", obj(&[("CiphertextBlob", blob.clone())]))
        .await
        .unwrap_err();
    assert_eq!(error_parts(&e).0, "KMSInvalidStateException");
    let params = sdk_ok(
        &kms,
        "GetParametersForImport",
        js(
            json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_1",
            "WrappingKeySpec": "RSA_2048"}),
        ),
    )
    .await;
    let public_key: Uint8Array = get(&params, "PublicKey").dyn_into().unwrap();
    let wrap = |m: Vec<u8>| {
        let public_key = public_key.clone();
        async move {
            wait(webcrypto_oaep_encrypt(
                &public_key,
                "SHA-1",
                &Uint8Array::from(&m[..]),
            ))
            .await
        }
    };
    let import_input = |wrapped: JsValue| {
        obj(&[
            ("KeyId", key.as_str().into()),
            ("ImportToken", get(&params, "ImportToken")),
            ("EncryptedKeyMaterial", wrapped),
            ("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE".into()),
        ])
    };
    let other = wrap(vec![7u8; 32]).await;
    let e = sdk(&kms, "ImportKeyMaterial", import_input(other))
        .await
        .unwrap_err();
    assert_eq!(error_parts(&e).0, "IncorrectKeyMaterialException");
    let same = wrap(material.clone()).await;
    sdk_ok(&kms, "ImportKeyMaterial", import_input(same)).await;
    let back = sdk_ok(&kms, "Decrypt", obj(&[("CiphertextBlob", blob)])).await;
    assert_eq!(bytes(&get(&back, "Plaintext")), secret);

    // A token of another key is InvalidImportTokenException.
    let stranger = key_id(&kms, json!({"Origin": "EXTERNAL"})).await;
    let e = sdk(
        &kms,
        "ImportKeyMaterial",
        obj(&[
            ("KeyId", stranger.as_str().into()),
            ("ImportToken", token.into()),
            ("EncryptedKeyMaterial", wrapped.into()),
            ("ExpirationModel", "KEY_MATERIAL_DOES_NOT_EXPIRE".into()),
        ]),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "InvalidImportTokenException");

    // The wrapping private keys are stored wrapped, like key material: the stored records hold
    // neither the imported material nor anything in the clear that decrypts it.
    let stored = wait(raw_values(&db_name(&name))).await;
    let sequences = byte_sequences(&stored);
    assert!(sequences.length() > 0);
    for s in sequences.iter() {
        assert!(
            !contains(&bytes(&s), &material),
            "imported material stored in the clear"
        );
    }
}

#[wasm_bindgen_test]
async fn a_replica_decrypts_and_verifies_what_the_primary_made_in_another_region() {
    let sandbox = Sandbox::open(&unique("keys-mrk"), Some(PRIMARY.into()), None)
        .await
        .unwrap();
    let east = kms_client(&sandbox, PRIMARY);
    let west = kms_client(&sandbox, REPLICA);

    let key = key_id(&east, json!({"MultiRegion": true, "Description": "DR"})).await;
    assert!(key.starts_with("mrk-"), "{key}");
    let replicated = sdk_ok(
        &east,
        "ReplicateKey",
        js(json!({"KeyId": key, "ReplicaRegion": REPLICA, "Description": "DR replica"})),
    )
    .await;
    assert_eq!(
        path_str(&replicated, "ReplicaKeyMetadata.Arn"),
        format!("arn:aws:kms:{REPLICA}:111122223333:key/{key}")
    );
    let replica = sdk_ok(&west, "DescribeKey", js(json!({"KeyId": key}))).await;
    assert_eq!(
        path_str(
            &replica,
            "KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType"
        ),
        "REPLICA"
    );
    assert_eq!(
        path_str(
            &replica,
            "KeyMetadata.MultiRegionConfiguration.PrimaryKey.Region"
        ),
        PRIMARY
    );

    let secret = b"made in us-east-1";
    let context = json!({"purpose": "dr"});
    let mut input = obj(&[("KeyId", key.as_str().into()), ("Plaintext", u8s(secret))]);
    js_sys::Reflect::set(&input, &"EncryptionContext".into(), &js(context.clone())).unwrap();
    let blob = get(
        &sdk_ok(&east, "Encrypt", input.clone()).await,
        "CiphertextBlob",
    );
    input = obj(&[("CiphertextBlob", blob.clone())]);
    js_sys::Reflect::set(&input, &"EncryptionContext".into(), &js(context)).unwrap();
    let back = sdk_ok(&west, "Decrypt", input).await;
    assert_eq!(bytes(&get(&back, "Plaintext")), secret);
    assert_eq!(
        path_str(&back, "KeyId"),
        format!("arn:aws:kms:{REPLICA}:111122223333:key/{key}")
    );

    // Independent properties stay apart: disabling the replica leaves the primary enabled.
    sdk_ok(&west, "DisableKey", js(json!({"KeyId": key}))).await;
    let primary = sdk_ok(&east, "DescribeKey", js(json!({"KeyId": key}))).await;
    assert_eq!(path_str(&primary, "KeyMetadata.KeyState"), "Enabled");
    let e = sdk(&west, "Decrypt", obj(&[("CiphertextBlob", blob)]))
        .await
        .unwrap_err();
    assert_eq!(error_parts(&e).0, "DisabledException");

    // A multi-Region signing key: the replica verifies the primary's signature, and so does
    // WebCrypto with the replica's public key (the same key pair).
    let signer = key_id(
        &east,
        json!({"MultiRegion": true, "KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )
    .await;
    sdk_ok(
        &east,
        "ReplicateKey",
        js(json!({"KeyId": signer, "ReplicaRegion": REPLICA})),
    )
    .await;
    let message = b"signed in one Region, verified in another";
    let signature = get(
        &sdk_ok(
            &east,
            "Sign",
            obj(&[
                ("KeyId", signer.as_str().into()),
                ("Message", u8s(message)),
                ("SigningAlgorithm", "ECDSA_SHA_256".into()),
            ]),
        )
        .await,
        "Signature",
    );
    let verified = sdk_ok(
        &west,
        "Verify",
        obj(&[
            ("KeyId", signer.as_str().into()),
            ("Message", u8s(message)),
            ("Signature", signature.clone()),
            ("SigningAlgorithm", "ECDSA_SHA_256".into()),
        ]),
    )
    .await;
    assert_eq!(get(&verified, "SignatureValid"), JsValue::TRUE);
    let public = get(
        &sdk_ok(&west, "GetPublicKey", js(json!({"KeyId": signer}))).await,
        "PublicKey",
    );
    let valid = wait(webcrypto_verify(
        public.unchecked_ref(),
        "ECDSA_SHA_256",
        &Uint8Array::from(&message[..]),
        signature.unchecked_ref(),
    ))
    .await;
    assert_eq!(valid, JsValue::TRUE);

    // UpdatePrimaryRegion swaps the roles.
    sdk_ok(
        &east,
        "UpdatePrimaryRegion",
        js(json!({"KeyId": signer, "PrimaryRegion": REPLICA})),
    )
    .await;
    let now_primary = sdk_ok(&west, "DescribeKey", js(json!({"KeyId": signer}))).await;
    assert_eq!(
        path_str(
            &now_primary,
            "KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType"
        ),
        "PRIMARY"
    );
    let replicas: Array = path(
        &now_primary,
        "KeyMetadata.MultiRegionConfiguration.ReplicaKeys",
    )
    .dyn_into()
    .unwrap();
    assert_eq!(path_str(&replicas.get(0), "Region"), PRIMARY);
}

#[wasm_bindgen_test]
async fn ed25519_p521_and_secp256k1_signatures_verify_outside_the_engine() {
    let sandbox = Sandbox::memory(Some(PRIMARY.into()), None);
    let kms = kms_client(&sandbox, PRIMARY);
    let message = b"verified by another implementation";
    for (spec, algorithm) in [
        ("ECC_NIST_EDWARDS25519", "ED25519_SHA_512"),
        ("ECC_NIST_P521", "ECDSA_SHA_512"),
        ("ECC_SECG_P256K1", "ECDSA_SHA_256"),
    ] {
        let key = key_id(&kms, json!({"KeySpec": spec, "KeyUsage": "SIGN_VERIFY"})).await;
        let signed = sdk_ok(
            &kms,
            "Sign",
            obj(&[
                ("KeyId", key.as_str().into()),
                ("Message", u8s(message)),
                ("MessageType", "RAW".into()),
                ("SigningAlgorithm", algorithm.into()),
            ]),
        )
        .await;
        let signature = get(&signed, "Signature");
        let public = get(
            &sdk_ok(&kms, "GetPublicKey", js(json!({"KeyId": key}))).await,
            "PublicKey",
        );
        let valid = if spec == "ECC_SECG_P256K1" {
            // WebCrypto has no secp256k1: the k256 crate's verifier, from the SPKI and DER.
            use k256::ecdsa::signature::Verifier;
            use k256::pkcs8::DecodePublicKey;
            let key = k256::ecdsa::VerifyingKey::from_public_key_der(&bytes(&public)).unwrap();
            let sig = k256::ecdsa::Signature::from_der(&bytes(&signature)).unwrap();
            // KMS does not normalise s (nor does AWS: Ethereum users normalise it themselves);
            // k256 verifies low-s signatures only.
            let sig = sig.normalize_s().unwrap_or(sig);
            key.verify(message, &sig).is_ok()
        } else {
            wait(webcrypto_verify(
                public.unchecked_ref(),
                algorithm,
                &Uint8Array::from(&message[..]),
                signature.unchecked_ref(),
            ))
            .await
                == JsValue::TRUE
        };
        assert!(valid, "{spec} {algorithm}: the signature does not verify");
        // And a changed message does not: KMSInvalidSignatureException, as AWS answers.
        let e = sdk(
            &kms,
            "Verify",
            obj(&[
                ("KeyId", key.as_str().into()),
                ("Message", u8s(b"another message")),
                ("Signature", signature),
                ("SigningAlgorithm", algorithm.into()),
            ]),
        )
        .await
        .unwrap_err();
        assert_eq!(error_parts(&e).0, "KMSInvalidSignatureException", "{spec}");
    }
}

#[wasm_bindgen_test]
async fn derive_shared_secret_matches_webcrypto_ecdh_on_every_nist_curve() {
    let sandbox = Sandbox::memory(Some(PRIMARY.into()), None);
    let kms = kms_client(&sandbox, PRIMARY);
    for (spec, curve, bits) in [
        ("ECC_NIST_P256", "P-256", 256),
        ("ECC_NIST_P384", "P-384", 384),
        ("ECC_NIST_P521", "P-521", 528),
    ] {
        let key = key_id(&kms, json!({"KeySpec": spec, "KeyUsage": "KEY_AGREEMENT"})).await;
        let peer = wait(webcrypto_ecdh_peer(curve)).await;
        let peer_spki: Uint8Array = get(&peer, "spki").dyn_into().unwrap();
        let derived = sdk_ok(
            &kms,
            "DeriveSharedSecret",
            obj(&[
                ("KeyId", key.as_str().into()),
                ("KeyAgreementAlgorithm", "ECDH".into()),
                ("PublicKey", peer_spki.into()),
            ]),
        )
        .await;
        assert_eq!(path_str(&derived, "KeyAgreementAlgorithm"), "ECDH");
        assert_eq!(path_str(&derived, "KeyOrigin"), "AWS_KMS");
        let kms_public: Uint8Array = get(
            &sdk_ok(&kms, "GetPublicKey", js(json!({"KeyId": key}))).await,
            "PublicKey",
        )
        .dyn_into()
        .unwrap();
        let theirs = wait(webcrypto_ecdh_derive(
            &get(&peer, "privateKey"),
            &kms_public,
            curve,
            bits,
        ))
        .await;
        assert_eq!(
            bytes(&get(&derived, "SharedSecret")),
            bytes(&theirs),
            "{spec}: KMS and WebCrypto derive the same secret"
        );
    }
}

/// RSA and ECDSA signatures and RSA-OAEP decryption are WebCrypto's work in the browser
/// (`kms_core::platform`): each is done there, not by the engine's fallback, and what it makes
/// passes the engine's own RustCrypto checks: every signature verifies (several per algorithm,
/// so that DER integers with a high bit and P-521's long form come up), what the engine
/// encrypted decrypts, and a damaged ciphertext is refused as the engine refuses it. A DIGEST
/// message stays the engine's work.
#[wasm_bindgen_test]
async fn rsa_and_ecdsa_private_key_work_is_webcrypto_s_and_checks_out() {
    let kms = Sandbox::memory(None, None);
    let mut expected = 0;
    let specs: [(&str, &[&str]); 4] = [
        (
            "RSA_2048",
            &[
                "RSASSA_PSS_SHA_256",
                "RSASSA_PKCS1_V1_5_SHA_384",
                "RSASSA_PSS_SHA_512",
            ],
        ),
        ("ECC_NIST_P256", &["ECDSA_SHA_256"]),
        ("ECC_NIST_P384", &["ECDSA_SHA_384"]),
        ("ECC_NIST_P521", &["ECDSA_SHA_512"]),
    ];
    for (spec, algorithms) in specs {
        let created = ok(
            &kms,
            "CreateKey",
            json!({"KeySpec": spec, "KeyUsage": "SIGN_VERIFY"}),
        )
        .await;
        let id = created["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_string();
        for alg in algorithms {
            for i in 0..8 {
                let message = b64(format!("message {i}").as_bytes());
                let signed = ok(
                    &kms,
                    "Sign",
                    json!({"KeyId": id, "Message": message, "SigningAlgorithm": alg}),
                )
                .await;
                expected += 1;
                assert_eq!(signed["SigningAlgorithm"], *alg);
                ok(
                    &kms,
                    "Verify",
                    json!({"KeyId": id, "Message": message, "SigningAlgorithm": alg,
                           "Signature": signed["Signature"]}),
                )
                .await;
            }
        }
        assert_eq!(
            kms.test_platform_ops(),
            expected,
            "{spec}: done by WebCrypto"
        );
    }
    let p256 = ok(
        &kms,
        "CreateKey",
        json!({"KeySpec": "ECC_NIST_P256", "KeyUsage": "SIGN_VERIFY"}),
    )
    .await["KeyMetadata"]["KeyId"]
        .clone();
    ok(
        &kms,
        "Sign",
        json!({"KeyId": p256, "Message": b64(&[7; 32]), "MessageType": "DIGEST",
               "SigningAlgorithm": "ECDSA_SHA_256"}),
    )
    .await;
    assert_eq!(
        kms.test_platform_ops(),
        expected,
        "a DIGEST is the engine's"
    );

    let rsa = ok(
        &kms,
        "CreateKey",
        json!({"KeySpec": "RSA_2048", "KeyUsage": "ENCRYPT_DECRYPT"}),
    )
    .await["KeyMetadata"]["KeyId"]
        .clone();
    for alg in ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] {
        let sealed = ok(
            &kms,
            "Encrypt",
            json!({"KeyId": rsa, "Plaintext": b64(b"for webcrypto"), "EncryptionAlgorithm": alg}),
        )
        .await;
        let opened = ok(
            &kms,
            "Decrypt",
            json!({"KeyId": rsa, "CiphertextBlob": sealed["CiphertextBlob"],
                   "EncryptionAlgorithm": alg}),
        )
        .await;
        expected += 1;
        assert_eq!(unb64(&opened["Plaintext"]), b"for webcrypto");
        assert_eq!(opened["EncryptionAlgorithm"], alg);
        let mut damaged = unb64(&sealed["CiphertextBlob"]);
        damaged[10] ^= 1;
        let e = fails(
            &kms,
            "Decrypt",
            json!({"KeyId": rsa, "CiphertextBlob": b64(&damaged), "EncryptionAlgorithm": alg}),
        )
        .await;
        assert_eq!(e.error_type.as_str(), "InvalidCiphertextException");
    }
    assert_eq!(kms.test_platform_ops(), expected, "OAEP by WebCrypto");
}
