//! AWS's key type reference (symm-asymm-compare.md) as data, checked against the engine: its
//! "Key type table" (every operation × symmetric encryption, HMAC, asymmetric ENCRYPT_DECRYPT and
//! asymmetric SIGN_VERIFY keys) and its "Special features table" (multi-Region keys, imported key
//! material, KMS keys in a custom key store). Each cell is run on a fresh key of its kind with
//! the minimal valid request a user would send, and must succeed (with the cell's note, e.g.
//! `KeyRotationEnabled` false) or fail with the error AWS gives.
//!
//! Which error a refusal gives comes from the model (service-2.json): InvalidKeyUsageException
//! "The KeyUsage value of the KMS key is incompatible with the API operation" (Encrypt, Decrypt,
//! ReEncrypt, GenerateDataKey*, Sign, Verify, GenerateMac, VerifyMac list it, and only it);
//! UnsupportedOperationException "a specified resource is not valid for this operation" (the
//! import, rotation and multi-Region operations list it, and only it; GetPublicKey lists both:
//! the engine answers UnsupportedOperationException for a key without a public key, whatever its
//! usage); IncorrectKeyException where Decrypt's `KeyId` names another key than the ciphertext's
//! (the member's documentation: "If you identify a different KMS key, the Decrypt operation
//! throws an IncorrectKeyException"); key-state.md's footnotes 6, 7 and 9 for the import and
//! rotation operations.
//!
//! Not covered, as the page does not cover them: KEY_AGREEMENT keys (the page never mentions key
//! agreement), ENCAPSULATE_DECAPSULATE (ML-KEM) keys, and the operations its tables do not list
//! (ListKeys, GenerateRandom, RotateKeyOnDemand, ListKeyRotations, GetKeyLastUsage,
//! DeriveSharedSecret, Encapsulate, Decapsulate, the custom key store operations).

use base64::Engine as _;
use kms_core::{json, ErrorType, KmsError, Sandbox, Value};
use rsa::pkcs8::DecodePublicKey;
use rsa::{Oaep, RsaPublicKey};
use sha2::Sha256;

mod common;
use common::TestRng;

const HOME: &str = "ap-southeast-2";
const AWAY: &str = "us-west-2";
const THIRD: &str = "us-east-1";

/// The material imported into every key with Origin EXTERNAL (a primary and its replicas share
/// it).
const MATERIAL: [u8; 32] = [0x42; 32];

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("a blob"))
        .expect("base64")
}

fn ok(kms: &mut Sandbox, op: &str, req: Value) -> Value {
    kms.call(op, req.clone())
        .unwrap_or_else(|e| panic!("{op} {req} in {} failed: {e}", kms.region))
}

// ---------------------------------------------------------------- the tables

/// The key types of the key type table's columns, in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Symmetric,
    Hmac,
    AsymmetricEncrypt,
    AsymmetricSign,
}

const KINDS: [Kind; 4] = [
    Kind::Symmetric,
    Kind::Hmac,
    Kind::AsymmetricEncrypt,
    Kind::AsymmetricSign,
];

impl Kind {
    /// The key specs each column is checked with (SM2 is the China Regions' alone).
    fn specs(self) -> &'static [&'static str] {
        match self {
            Kind::Symmetric => &["SYMMETRIC_DEFAULT"],
            Kind::Hmac => &["HMAC_256", "HMAC_512"],
            Kind::AsymmetricEncrypt => &["RSA_2048"],
            Kind::AsymmetricSign => &[
                "ECC_NIST_P256",
                "RSA_2048",
                "ECC_NIST_EDWARDS25519",
                "ML_DSA_44",
            ],
        }
    }

    fn usage(self) -> &'static str {
        match self {
            Kind::Symmetric | Kind::AsymmetricEncrypt => "ENCRYPT_DECRYPT",
            Kind::Hmac => "GENERATE_VERIFY_MAC",
            Kind::AsymmetricSign => "SIGN_VERIFY",
        }
    }
}

/// What a cell's note asks of the key ("Valid only on ..." / "Valid only when ...").
#[derive(Clone, Copy, Debug)]
enum Need {
    /// "Valid only on KMS keys with imported key material (`Origin` is `EXTERNAL`)".
    External,
    /// "Valid only on KMS keys with AWS KMS key material (`Origin` is `AWS_KMS`)".
    AwsKms,
    /// "Valid only on multi-Region keys".
    MultiRegion,
    /// "Valid only on multi-Region primary keys".
    Primary,
    /// "Valid only when `KeyUsage` is ...", "Valid only on symmetric encryption / HMAC /
    /// asymmetric KMS keys": only in the multi-Region column, where it restates the key type
    /// table (which says what the other kinds answer).
    Kinds(&'static [Kind]),
    /// "Valid only on symmetric encryption keys with AWS KMS key material".
    KindsAwsKms(&'static [Kind]),
}

#[derive(Clone, Copy, Debug)]
enum Cell {
    /// icon-successful.
    Y,
    /// icon-failed, with the error AWS gives for it.
    N(ErrorType),
    /// icon-successful with a "Valid only ..." note: refused (UnsupportedOperationException)
    /// on a key that does not meet it, save for a `Need::Kinds` note (see there).
    Only(Need),
    /// icon-successful "(`KeyRotationEnabled` will always be `false`.)".
    RotationOff,
}

use Cell::{Only, RotationOff, N, Y};

const KU: Cell = N(ErrorType::InvalidKeyUsage);
const UO: Cell = N(ErrorType::UnsupportedOperation);
/// Decrypt naming an HMAC key: a user's ciphertext is always some other key's.
const IK: Cell = N(ErrorType::IncorrectKey);

const SYM: &[Kind] = &[Kind::Symmetric];
const ENC: &[Kind] = &[Kind::Symmetric, Kind::AsymmetricEncrypt];
const HMAC: &[Kind] = &[Kind::Hmac];
const SIGN: &[Kind] = &[Kind::AsymmetricSign];
const ASYM: &[Kind] = &[Kind::AsymmetricEncrypt, Kind::AsymmetricSign];

/// The key type table: operation, then symmetric encryption, HMAC, asymmetric ENCRYPT_DECRYPT,
/// asymmetric SIGN_VERIFY.
#[rustfmt::skip]
const KEY_TYPE_TABLE: &[(&str, [Cell; 4])] = &[
    ("CancelKeyDeletion", [Y, Y, Y, Y]),
    ("CreateAlias", [Y, Y, Y, Y]),
    ("CreateGrant", [Y, Y, Y, Y]),
    ("CreateKey", [Y, Y, Y, Y]),
    ("Decrypt", [Y, IK, Y, KU]),
    ("DeleteAlias", [Y, Y, Y, Y]),
    ("DeleteImportedKeyMaterial", [Only(Need::External), UO, UO, UO]),
    ("DescribeKey", [Y, Y, Y, Y]),
    ("DisableKey", [Y, Y, Y, Y]),
    ("DisableKeyRotation", [Only(Need::AwsKms), UO, UO, UO]),
    ("EnableKey", [Y, Y, Y, Y]),
    ("EnableKeyRotation", [Only(Need::AwsKms), UO, UO, UO]),
    ("Encrypt", [Y, KU, Y, KU]),
    ("GenerateDataKey", [Y, KU, KU, KU]),
    // "Not valid on KMS keys in custom key stores": the sandbox has none.
    ("GenerateDataKeyPair", [Y, KU, KU, KU]),
    ("GenerateDataKeyPairWithoutPlaintext", [Y, KU, KU, KU]),
    ("GenerateDataKeyWithoutPlaintext", [Y, KU, KU, KU]),
    ("GenerateMac", [KU, Y, KU, KU]),
    ("GetKeyPolicy", [Y, Y, Y, Y]),
    ("GetKeyRotationStatus", [Y, RotationOff, RotationOff, RotationOff]),
    ("GetParametersForImport", [Only(Need::External), UO, UO, UO]),
    ("GetPublicKey", [UO, UO, Y, Y]),
    ("ImportKeyMaterial", [Only(Need::External), UO, UO, UO]),
    ("ListAliases", [Y, Y, Y, Y]),
    ("ListGrants", [Y, Y, Y, Y]),
    ("ListKeyPolicies", [Y, Y, Y, Y]),
    ("ListResourceTags", [Y, Y, Y, Y]),
    ("ListRetirableGrants", [Y, Y, Y, Y]),
    ("PutKeyPolicy", [Y, Y, Y, Y]),
    ("ReEncrypt", [Y, KU, Y, KU]),
    // The row's note: "Valid only on multi-Region keys".
    ("ReplicateKey", [Only(Need::MultiRegion); 4]),
    ("RetireGrant", [Y, Y, Y, Y]),
    ("RevokeGrant", [Y, Y, Y, Y]),
    ("ScheduleKeyDeletion", [Y, Y, Y, Y]),
    ("Sign", [KU, KU, KU, Y]),
    ("TagResource", [Y, Y, Y, Y]),
    ("UntagResource", [Y, Y, Y, Y]),
    // The row's note (same type and key usage) is checked by `update_alias_keeps_the_key_type`.
    ("UpdateAlias", [Y, Y, Y, Y]),
    ("UpdateKeyDescription", [Y, Y, Y, Y]),
    // The page's "UpdateReplicaRegion" (no such operation) is UpdatePrimaryRegion, the only
    // operation that updates a multi-Region key's Regions; "Valid only on multi-Region keys".
    ("UpdatePrimaryRegion", [Only(Need::MultiRegion); 4]),
    ("Verify", [KU, KU, KU, Y]),
    ("VerifyMac", [KU, Y, KU, KU]),
];

/// The special features table: operation, then multi-Region keys, imported key material, and KMS
/// keys in a custom key store. The last column is recorded (true: icon-successful) but not
/// checked: the sandbox has no custom key stores (CreateCustomKeyStore is not offered).
#[rustfmt::skip]
const SPECIAL_FEATURES_TABLE: &[(&str, Cell, Cell, bool)] = &[
    ("CancelKeyDeletion", Y, Y, true),
    ("CreateAlias", Y, Y, true),
    ("CreateGrant", Y, Y, true),
    ("CreateKey", Y, Y, true),
    ("Decrypt", Only(Need::Kinds(ENC)), Y, true),
    ("DeleteAlias", Y, Y, true),
    ("DeleteImportedKeyMaterial", Only(Need::External), Y, false),
    ("DescribeKey", Y, Y, true),
    ("DisableKey", Y, Y, true),
    ("DisableKeyRotation", Only(Need::KindsAwsKms(SYM)), UO, false),
    // "Valid only on symmetric encryption KMS keys": contradicted by the key type table (EnableKey
    // on every kind) and by this table's own DisableKey row; see `MULTI_REGION_NOTE_CONFLICTS`.
    ("EnableKey", Only(Need::Kinds(SYM)), Y, true),
    ("EnableKeyRotation", Only(Need::KindsAwsKms(SYM)), UO, false),
    ("Encrypt", Only(Need::Kinds(ENC)), Y, true),
    ("GenerateDataKey", Only(Need::Kinds(SYM)), Y, true),
    ("GenerateDataKeyPair", Only(Need::Kinds(SYM)), Y, false),
    ("GenerateDataKeyPairWithoutPlaintext", Only(Need::Kinds(SYM)), Y, false),
    ("GenerateDataKeyWithoutPlaintext", Only(Need::Kinds(SYM)), Y, true),
    ("GenerateMac", Only(Need::Kinds(HMAC)), KU, false),
    ("GetKeyPolicy", Y, Y, true),
    ("GetKeyRotationStatus", Y, RotationOff, false),
    ("GetParametersForImport", Only(Need::External), Y, false),
    ("GetPublicKey", Only(Need::Kinds(ASYM)), UO, false),
    ("ImportKeyMaterial", Only(Need::External), Y, false),
    ("ListAliases", Y, Y, true),
    ("ListGrants", Y, Y, true),
    ("ListKeyPolicies", Y, Y, true),
    ("ListResourceTags", Y, Y, true),
    ("ListRetirableGrants", Y, Y, true),
    ("PutKeyPolicy", Y, Y, true),
    ("ReEncrypt", Only(Need::Kinds(ENC)), Y, true),
    ("ReplicateKey", Only(Need::Primary), Only(Need::Primary), false),
    ("RetireGrant", Y, Y, true),
    ("RevokeGrant", Y, Y, true),
    ("ScheduleKeyDeletion", Y, Y, true),
    ("Sign", Only(Need::Kinds(SIGN)), KU, false),
    ("TagResource", Y, Y, true),
    ("UntagResource", Y, Y, true),
    ("UpdateAlias", Y, Y, true),
    ("UpdateKeyDescription", Y, Y, true),
    ("UpdatePrimaryRegion", Y, Only(Need::MultiRegion), false),
    ("Verify", Only(Need::Kinds(SIGN)), KU, false),
    ("VerifyMac", Only(Need::Kinds(HMAC)), KU, false),
];

/// The multi-Region column's notes that the key type table contradicts: (operation, kind). The
/// engine follows the key type table, which the rest of the page agrees with (the special
/// features table's own DisableKey row, "Multi-Region keys can be symmetric encryption KMS keys,
/// asymmetric KMS keys, HMAC KMS keys", key-state.md's EnableKey row for every key).
const MULTI_REGION_NOTE_CONFLICTS: &[(&str, Kind)] = &[
    ("EnableKey", Kind::Hmac),
    ("EnableKey", Kind::AsymmetricEncrypt),
    ("EnableKey", Kind::AsymmetricSign),
];

// ---------------------------------------------------------------- expectations

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mr {
    No,
    Primary,
    Replica,
}

/// The key a cell is run on.
#[derive(Clone, Copy, Debug)]
struct Shape {
    kind: Kind,
    spec: &'static str,
    external: bool,
    mr: Mr,
}

impl Shape {
    fn regional(kind: Kind, spec: &'static str) -> Shape {
        Shape {
            kind,
            spec,
            external: false,
            mr: Mr::No,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    Success,
    RotationOff,
    Refused(ErrorType),
}

fn meets(need: Need, shape: &Shape) -> bool {
    match need {
        Need::External => shape.external,
        Need::AwsKms => !shape.external,
        Need::MultiRegion => shape.mr != Mr::No,
        Need::Primary => shape.mr == Mr::Primary,
        Need::Kinds(kinds) => kinds.contains(&shape.kind),
        Need::KindsAwsKms(kinds) => kinds.contains(&shape.kind) && !shape.external,
    }
}

fn expect(cell: Cell, shape: &Shape) -> Expect {
    match cell {
        Y => Expect::Success,
        RotationOff => Expect::RotationOff,
        N(e) => Expect::Refused(e),
        Only(need) if meets(need, shape) => Expect::Success,
        Only(_) => Expect::Refused(ErrorType::UnsupportedOperation),
    }
}

fn key_type_cell(op: &str, kind: Kind) -> Cell {
    let i = KINDS.iter().position(|k| *k == kind).unwrap();
    KEY_TYPE_TABLE
        .iter()
        .find(|(o, _)| *o == op)
        .unwrap_or_else(|| panic!("{op} is not in the key type table"))
        .1[i]
}

/// Where another document decides what the tables leave open or say otherwise: the expectation
/// and why.
fn other_documents(op: &str, shape: &Shape) -> Option<(Expect, &'static str)> {
    let unsupported = Expect::Refused(ErrorType::UnsupportedOperation);
    match op {
        // The special features table says imported keys answer, KeyRotationEnabled false;
        // key-state.md footnote 7 (GetKeyRotationStatus in Enabled, Disabled and pending
        // deletion: "If the KMS key has imported key material or is in a custom key store:
        // UnsupportedOperationException") and footnote 6 (PendingImport: "origin is EXTERNAL
        // which is not valid for this operation") say it is refused. The engine follows
        // key-state.md, the more specific of the two.
        "GetKeyRotationStatus" if shape.external => {
            Some((unsupported, "key-state.md footnotes 6 and 7"))
        }
        // rotate-keys.md: "You set the property only on the primary key" (the table's note
        // speaks of the key material only).
        "EnableKeyRotation" | "DisableKeyRotation" if shape.mr == Mr::Replica => Some((
            unsupported,
            "rotate-keys.md: rotation is set on the primary key only",
        )),
        // The model's UpdatePrimaryRegion KeyId: "Identifies the current primary key."
        "UpdatePrimaryRegion" if shape.mr == Mr::Replica => Some((
            unsupported,
            "the model: UpdatePrimaryRegion's KeyId is the current primary key",
        )),
        _ => None,
    }
}

// ---------------------------------------------------------------- keys

struct Key {
    shape: Shape,
    id: String,
    region: String,
    meta: Value,
}

fn create_request(shape: &Shape) -> Value {
    let mut req = json!({"KeySpec": shape.spec, "KeyUsage": shape.kind.usage()});
    if shape.external {
        req["Origin"] = json!("EXTERNAL");
    }
    if shape.mr != Mr::No {
        req["MultiRegion"] = json!(true);
    }
    req
}

/// GetParametersForImport, RSA-OAEP wrapping as `openssl pkeyutl` does, ImportKeyMaterial of
/// `MATERIAL` (new material into a key without any, the same material again otherwise).
fn import(kms: &mut Sandbox, key: &str) -> Result<Value, KmsError> {
    let params = ok(
        kms,
        "GetParametersForImport",
        json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
    );
    let public = RsaPublicKey::from_public_key_der(&unb64(&params["PublicKey"])).unwrap();
    let wrapped = public
        .encrypt(&mut TestRng(5), Oaep::new::<Sha256>(), &MATERIAL)
        .unwrap();
    kms.call(
        "ImportKeyMaterial",
        json!({
            "KeyId": key,
            "ImportToken": params["ImportToken"],
            "EncryptedKeyMaterial": b64(&wrapped),
            "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
        }),
    )
}

/// A key of `shape`, Enabled: its material imported if EXTERNAL, a replica made from a primary
/// in HOME (and given the same material).
fn make(kms: &mut Sandbox, shape: Shape) -> Key {
    kms.region = HOME.to_string();
    let id = ok(kms, "CreateKey", create_request(&shape))["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    if shape.external {
        import(kms, &id).unwrap();
    }
    if shape.mr == Mr::Replica {
        ok(
            kms,
            "ReplicateKey",
            json!({"KeyId": id, "ReplicaRegion": AWAY}),
        );
        kms.region = AWAY.to_string();
        if shape.external {
            import(kms, &id).unwrap();
        }
    }
    let meta = ok(kms, "DescribeKey", json!({"KeyId": id}))["KeyMetadata"].clone();
    assert_eq!(meta["KeyState"], "Enabled", "{shape:?}: {meta}");
    Key {
        shape,
        id,
        region: kms.region.clone(),
        meta,
    }
}

// ---------------------------------------------------------------- requests

fn first(meta: &Value, member: &str) -> Option<String> {
    meta[member][0].as_str().map(str::to_string)
}

/// The EncryptionAlgorithm a user sends with the key: the key's own for an asymmetric
/// ENCRYPT_DECRYPT key, RSAES_OAEP_SHA_256 for a signing key (taken for an RSA key pair), none
/// (SYMMETRIC_DEFAULT) for a symmetric or HMAC key.
fn encryption_algorithm(key: &Key) -> Option<String> {
    match key.shape.kind {
        Kind::Symmetric | Kind::Hmac => None,
        Kind::AsymmetricEncrypt => first(&key.meta, "EncryptionAlgorithms"),
        Kind::AsymmetricSign => Some("RSAES_OAEP_SHA_256".into()),
    }
}

fn signing_algorithm(key: &Key) -> String {
    first(&key.meta, "SigningAlgorithms").unwrap_or_else(|| "ECDSA_SHA_256".into())
}

fn mac_algorithm(key: &Key) -> String {
    first(&key.meta, "MacAlgorithms").unwrap_or_else(|| "HMAC_SHA_256".into())
}

fn with_algorithm(mut req: Value, member: &str, alg: Option<String>) -> Value {
    if let Some(alg) = alg {
        req[member] = json!(alg);
    }
    req
}

fn encrypt(kms: &mut Sandbox, key: &Key) -> Value {
    ok(
        kms,
        "Encrypt",
        with_algorithm(
            json!({"KeyId": key.id, "Plaintext": b64(b"key types")}),
            "EncryptionAlgorithm",
            encryption_algorithm(key),
        ),
    )["CiphertextBlob"]
        .clone()
}

/// A ciphertext of another (symmetric encryption) key in the key's Region: what a user holds
/// when the key itself cannot encrypt.
fn foreign_ciphertext(kms: &mut Sandbox) -> Value {
    let other = ok(kms, "CreateKey", json!({}))["KeyMetadata"]["KeyId"].clone();
    ok(
        kms,
        "Encrypt",
        json!({"KeyId": other, "Plaintext": b64(b"key types")}),
    )["CiphertextBlob"]
        .clone()
}

fn grant(kms: &mut Sandbox, key: &Key) -> Value {
    ok(
        kms,
        "CreateGrant",
        json!({
            "KeyId": key.id,
            "GranteePrincipal": "arn:aws:iam::444455556666:role/grantee",
            "RetiringPrincipal": "arn:aws:iam::444455556666:role/retiree",
            "Operations": ["DescribeKey"],
        }),
    )
}

fn other_region(key: &Key) -> &'static str {
    if key.region == HOME {
        AWAY
    } else {
        THIRD
    }
}

const ALIAS: &str = "alias/key-types";

/// Runs `op` on `key` with the minimal request a user would send (and the calls it needs
/// first, which must succeed), in the key's Region.
fn run(kms: &mut Sandbox, op: &str, key: &Key) -> Result<Value, KmsError> {
    kms.region = key.region.clone();
    let id = key.id.as_str();
    let signs = key.shape.kind == Kind::AsymmetricSign;
    let macs = key.shape.kind == Kind::Hmac;
    let encrypts = key.shape.kind.usage() == "ENCRYPT_DECRYPT";
    let out = match op {
        "CancelKeyDeletion" => {
            ok(
                kms,
                "ScheduleKeyDeletion",
                json!({"KeyId": id, "PendingWindowInDays": 7}),
            );
            kms.call(op, json!({"KeyId": id}))
        }
        "CreateAlias" => kms.call(op, json!({"AliasName": ALIAS, "TargetKeyId": id})),
        "CreateGrant" => kms.call(
            op,
            json!({"KeyId": id, "GranteePrincipal": "arn:aws:iam::444455556666:role/grantee", "Operations": ["DescribeKey"]}),
        ),
        // Another key of the same shape (a replica is made by ReplicateKey, not CreateKey).
        "CreateKey" => kms.call(op, create_request(&key.shape)).inspect(|out| {
            let m = &out["KeyMetadata"];
            assert_eq!(m["KeySpec"], key.shape.spec);
            assert_eq!(m["KeyUsage"], key.shape.kind.usage());
            assert_eq!(m["Origin"], key.meta["Origin"]);
            assert_eq!(m["MultiRegion"], key.meta["MultiRegion"]);
        }),
        "Decrypt" => {
            let req = if encrypts {
                json!({"KeyId": id, "CiphertextBlob": encrypt(kms, key)})
            } else if macs {
                json!({"KeyId": id, "CiphertextBlob": foreign_ciphertext(kms)})
            } else {
                json!({"KeyId": id, "CiphertextBlob": b64(&[1u8; 256])})
            };
            let alg = encryption_algorithm(key);
            kms.call(op, with_algorithm(req, "EncryptionAlgorithm", alg))
                .inspect(|out| assert_eq!(unb64(&out["Plaintext"]), b"key types"))
        }
        "DeleteAlias" => {
            ok(
                kms,
                "CreateAlias",
                json!({"AliasName": ALIAS, "TargetKeyId": id}),
            );
            kms.call(op, json!({"AliasName": ALIAS}))
        }
        "DeleteImportedKeyMaterial"
        | "DescribeKey"
        | "DisableKey"
        | "DisableKeyRotation"
        | "EnableKeyRotation"
        | "GetKeyRotationStatus"
        | "GetPublicKey"
        | "ListKeyPolicies"
        | "ListResourceTags" => kms.call(op, json!({"KeyId": id})),
        "EnableKey" => {
            ok(kms, "DisableKey", json!({"KeyId": id}));
            kms.call(op, json!({"KeyId": id}))
        }
        "Encrypt" => kms.call(
            op,
            with_algorithm(
                json!({"KeyId": id, "Plaintext": b64(b"key types")}),
                "EncryptionAlgorithm",
                encryption_algorithm(key),
            ),
        ),
        "GenerateDataKey" | "GenerateDataKeyWithoutPlaintext" => {
            kms.call(op, json!({"KeyId": id, "KeySpec": "AES_256"}))
        }
        "GenerateDataKeyPair" | "GenerateDataKeyPairWithoutPlaintext" => {
            kms.call(op, json!({"KeyId": id, "KeyPairSpec": "ECC_NIST_P256"}))
        }
        "GenerateMac" => kms.call(
            op,
            json!({"KeyId": id, "MacAlgorithm": mac_algorithm(key), "Message": b64(b"key types")}),
        ),
        "GetKeyPolicy" => kms.call(op, json!({"KeyId": id, "PolicyName": "default"})),
        "GetParametersForImport" => kms.call(
            op,
            json!({"KeyId": id, "WrappingAlgorithm": "RSAES_OAEP_SHA_256", "WrappingKeySpec": "RSA_2048"}),
        ),
        "ImportKeyMaterial" => {
            if key.shape.external {
                import(kms, id)
            } else {
                // No import parameters can be had for it: the request a user would try anyway.
                kms.call(
                    op,
                    json!({
                        "KeyId": id,
                        "ImportToken": b64(&[7u8; 64]),
                        "EncryptedKeyMaterial": b64(&[7u8; 256]),
                        "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE",
                    }),
                )
            }
        }
        "ListAliases" => {
            ok(
                kms,
                "CreateAlias",
                json!({"AliasName": ALIAS, "TargetKeyId": id}),
            );
            kms.call(op, json!({"KeyId": id}))
                .inspect(|out| assert_eq!(out["Aliases"][0]["AliasName"], ALIAS))
        }
        "ListGrants" => {
            let g = grant(kms, key);
            kms.call(op, json!({"KeyId": id}))
                .inspect(|out| assert_eq!(out["Grants"][0]["GrantId"], g["GrantId"]))
        }
        "ListRetirableGrants" => {
            let g = grant(kms, key);
            kms.call(
                op,
                json!({"RetiringPrincipal": "arn:aws:iam::444455556666:role/retiree"}),
            )
            .inspect(|out| {
                assert_eq!(out["Grants"][0]["GrantId"], g["GrantId"]);
                assert_eq!(out["Grants"][0]["KeyId"], key.meta["Arn"]);
            })
        }
        "PutKeyPolicy" => {
            let policy = ok(
                kms,
                "GetKeyPolicy",
                json!({"KeyId": id, "PolicyName": "default"}),
            )["Policy"]
                .clone();
            kms.call(
                op,
                json!({"KeyId": id, "PolicyName": "default", "Policy": policy}),
            )
        }
        "ReEncrypt" => {
            let req = if encrypts {
                with_algorithm(
                    json!({"CiphertextBlob": encrypt(kms, key), "SourceKeyId": id}),
                    "SourceEncryptionAlgorithm",
                    encryption_algorithm(key),
                )
            } else {
                json!({"CiphertextBlob": foreign_ciphertext(kms)})
            };
            let mut req = with_algorithm(
                req,
                "DestinationEncryptionAlgorithm",
                encryption_algorithm(key),
            );
            req["DestinationKeyId"] = json!(id);
            kms.call(op, req)
        }
        "ReplicateKey" => kms.call(
            op,
            json!({"KeyId": id, "ReplicaRegion": other_region(key)}),
        ),
        "RetireGrant" => {
            let g = grant(kms, key);
            kms.call(op, json!({"GrantToken": g["GrantToken"]}))
        }
        "RevokeGrant" => {
            let g = grant(kms, key);
            kms.call(op, json!({"KeyId": id, "GrantId": g["GrantId"]}))
        }
        "ScheduleKeyDeletion" => kms.call(op, json!({"KeyId": id, "PendingWindowInDays": 7})),
        "Sign" => kms.call(
            op,
            json!({"KeyId": id, "Message": b64(b"key types"), "MessageType": "RAW", "SigningAlgorithm": signing_algorithm(key)}),
        ),
        "TagResource" => kms.call(
            op,
            json!({"KeyId": id, "Tags": [{"TagKey": "team", "TagValue": "a"}]}),
        ),
        "UntagResource" => {
            ok(
                kms,
                "TagResource",
                json!({"KeyId": id, "Tags": [{"TagKey": "team", "TagValue": "a"}]}),
            );
            kms.call(op, json!({"KeyId": id, "TagKeys": ["team"]}))
        }
        "UpdateAlias" => {
            ok(
                kms,
                "CreateAlias",
                json!({"AliasName": ALIAS, "TargetKeyId": id}),
            );
            // Another key of the same type and key usage.
            let other = ok(
                kms,
                "CreateKey",
                create_request(&Shape::regional(key.shape.kind, key.shape.spec)),
            )["KeyMetadata"]["KeyId"]
                .clone();
            kms.call(op, json!({"AliasName": ALIAS, "TargetKeyId": other}))
        }
        "UpdateKeyDescription" => kms.call(op, json!({"KeyId": id, "Description": "updated"})),
        "UpdatePrimaryRegion" => {
            let region = if key.shape.mr == Mr::Primary {
                // A replica to make primary, with its material if the key's is imported.
                ok(
                    kms,
                    "ReplicateKey",
                    json!({"KeyId": id, "ReplicaRegion": AWAY}),
                );
                if key.shape.external {
                    kms.region = AWAY.to_string();
                    import(kms, id).unwrap();
                    kms.region = key.region.clone();
                }
                AWAY
            } else if key.region == HOME {
                AWAY
            } else {
                HOME
            };
            kms.call(op, json!({"KeyId": id, "PrimaryRegion": region}))
        }
        "Verify" => {
            let message = b64(b"key types");
            let alg = signing_algorithm(key);
            let signature = if signs {
                ok(
                    kms,
                    "Sign",
                    json!({"KeyId": id, "Message": message, "SigningAlgorithm": alg}),
                )["Signature"]
                    .clone()
            } else {
                json!(b64(&[1u8; 64]))
            };
            kms.call(
                op,
                json!({"KeyId": id, "Message": message, "Signature": signature, "SigningAlgorithm": alg}),
            )
        }
        "VerifyMac" => {
            let message = b64(b"key types");
            let alg = mac_algorithm(key);
            let mac = if macs {
                ok(
                    kms,
                    "GenerateMac",
                    json!({"KeyId": id, "Message": message, "MacAlgorithm": alg}),
                )["Mac"]
                    .clone()
            } else {
                json!(b64(&[1u8; 32]))
            };
            kms.call(
                op,
                json!({"KeyId": id, "Message": message, "Mac": mac, "MacAlgorithm": alg}),
            )
        }
        other => panic!("no request for {other}"),
    };
    kms.region = HOME.to_string();
    out
}

/// The message of a refusal where AWS's words are on record: key-state.md footnote 6 for the
/// rotation operations on a key with imported material ("<key ARN> origin is EXTERNAL which is
/// not valid for this operation."), and AWS's InvalidKeyUsageException for a key of another key
/// usage ("<key ARN> key usage is SIGN_VERIFY which is not valid for Encrypt.", as AWS answers
/// an Encrypt with a signing key).
fn documented_message(op: &str, key: &Key, want: Expect) -> Option<String> {
    let arn = key.meta["Arn"].as_str().unwrap();
    let usage = key.shape.kind.usage();
    let needed = match op {
        "Encrypt"
        | "Decrypt"
        | "ReEncrypt"
        | "GenerateDataKey"
        | "GenerateDataKeyWithoutPlaintext"
        | "GenerateDataKeyPair"
        | "GenerateDataKeyPairWithoutPlaintext" => "ENCRYPT_DECRYPT",
        "Sign" | "Verify" => "SIGN_VERIFY",
        "GenerateMac" | "VerifyMac" => "GENERATE_VERIFY_MAC",
        _ => "",
    };
    match want {
        Expect::Refused(ErrorType::UnsupportedOperation)
            if key.shape.external
                && matches!(
                    op,
                    "EnableKeyRotation" | "DisableKeyRotation" | "GetKeyRotationStatus"
                ) =>
        {
            Some(format!(
                "{arn} origin is EXTERNAL which is not valid for this operation."
            ))
        }
        Expect::Refused(ErrorType::InvalidKeyUsage) if !needed.is_empty() && usage != needed => {
            Some(format!(
                "{arn} key usage is {usage} which is not valid for {op}."
            ))
        }
        _ => None,
    }
}

/// Runs one cell on a fresh key of `shape`; a disagreement is returned, not panicked, so that a
/// table's run reports all of them at once.
fn check(seed: u64, table: &str, op: &str, shape: Shape, want: Expect) -> Option<String> {
    let (want, why) = match other_documents(op, &shape) {
        Some((e, why)) => (e, why),
        None => (want, table),
    };
    let mut kms = Sandbox::in_memory(seed);
    let key = make(&mut kms, shape);
    let got = run(&mut kms, op, &key);
    let message = documented_message(op, &key, want);
    let agrees = match (&got, want) {
        (Ok(_), Expect::Success) => true,
        (Ok(out), Expect::RotationOff) => out["KeyRotationEnabled"] == false,
        (Err(e), Expect::Refused(t)) => {
            e.error_type == t && message.as_ref().is_none_or(|m| *m == e.message)
        }
        _ => false,
    };
    let got = match got {
        Ok(v) => format!("success {v}"),
        Err(e) => format!("{}: {}", e.error_type.as_str(), e.message),
    };
    (!agrees).then(|| format!("{op} on {shape:?}: {why} says {want:?}, the engine {got}"))
}

fn report(disagreements: Vec<String>, cells: usize) {
    assert!(cells > 0);
    assert!(
        disagreements.is_empty(),
        "{} disagreement(s):\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}

// ---------------------------------------------------------------- the key type table

fn key_type_column(kind: Kind) {
    let mut disagreements = Vec::new();
    let mut cells = 0;
    for (row, (op, cells_of_row)) in KEY_TYPE_TABLE.iter().enumerate() {
        let cell = cells_of_row[KINDS.iter().position(|k| *k == kind).unwrap()];
        cells += 1;
        for spec in kind.specs() {
            // The key the cell speaks of, then, for a note, a key that meets it and one that
            // does not.
            let mut shapes = vec![Shape::regional(kind, spec)];
            match cell {
                Only(Need::External) => shapes.push(Shape {
                    external: true,
                    ..shapes[0]
                }),
                Only(Need::MultiRegion) | Only(Need::Primary) => shapes.push(Shape {
                    mr: Mr::Primary,
                    ..shapes[0]
                }),
                _ => {}
            }
            for shape in shapes {
                let want = expect(cell, &shape);
                disagreements.extend(check(row as u64, "the key type table", op, shape, want));
            }
        }
    }
    assert_eq!(cells, 42);
    report(disagreements, cells);
}

#[test]
fn key_type_table_symmetric_encryption_keys() {
    key_type_column(Kind::Symmetric);
}

#[test]
fn key_type_table_hmac_keys() {
    key_type_column(Kind::Hmac);
}

#[test]
fn key_type_table_asymmetric_encrypt_decrypt_keys() {
    key_type_column(Kind::AsymmetricEncrypt);
}

#[test]
fn key_type_table_asymmetric_sign_verify_keys() {
    key_type_column(Kind::AsymmetricSign);
}

/// UpdateAlias's note: "The current KMS key and the new KMS key must be the same type (both
/// symmetric or both asymmetric or both HMAC) and they must have the same key usage." The model
/// lists neither InvalidKeyUsageException nor UnsupportedOperationException for UpdateAlias: the
/// engine answers ValidationException, the common error for an invalid request.
#[test]
fn update_alias_keeps_the_key_type() {
    let mut kms = Sandbox::in_memory(1);
    let mut shapes = Vec::new();
    for kind in KINDS {
        for spec in kind.specs() {
            shapes.push(Shape::regional(kind, spec));
        }
    }
    for (i, from) in shapes.iter().enumerate() {
        let alias = format!("alias/from-{i}");
        let source = make(&mut kms, *from);
        ok(
            &mut kms,
            "CreateAlias",
            json!({"AliasName": alias, "TargetKeyId": source.id}),
        );
        for to in &shapes {
            let target = make(&mut kms, *to);
            let out = kms.call(
                "UpdateAlias",
                json!({"AliasName": alias, "TargetKeyId": target.id}),
            );
            // RSA_2048 ENCRYPT_DECRYPT and SIGN_VERIFY are of one type and two key usages.
            if from.kind == to.kind {
                out.unwrap_or_else(|e| panic!("{from:?} to {to:?}: {e}"));
                // Back to a key of the first shape.
                ok(
                    &mut kms,
                    "UpdateAlias",
                    json!({"AliasName": alias, "TargetKeyId": source.id}),
                );
            } else {
                let e = out.expect_err("a key of another type or key usage");
                assert_eq!(e.error_type, ErrorType::Validation, "{from:?} to {to:?}");
            }
        }
    }
}

// ---------------------------------------------------------------- the special features table

/// Multi-Region keys: every kind, as a primary key and as a replica, with AWS KMS material and
/// (symmetric encryption keys, the only ones the page lets import) imported material. What a
/// multi-Region key of a kind answers is what the key type table says for the kind, further
/// restricted by this column's notes on origin and primary keys; its notes on kinds restate the
/// key type table, and are checked to agree with it.
fn multi_region_column(kind: Kind) {
    let mut disagreements = Vec::new();
    let mut conflicts = Vec::new();
    for (row, (op, cell, _, _)) in SPECIAL_FEATURES_TABLE.iter().enumerate() {
        let kt = key_type_cell(op, kind);
        if let Only(Need::Kinds(kinds) | Need::KindsAwsKms(kinds)) = cell {
            let by_key_type =
                expect(kt, &Shape::regional(kind, kind.specs()[0])) == Expect::Success;
            if kinds.contains(&kind) != by_key_type {
                conflicts.push((*op, kind));
            }
        }
        let origins: &[bool] = if kind == Kind::Symmetric {
            &[false, true]
        } else {
            &[false]
        };
        for &external in origins {
            // CreateKey makes primary keys: "To create a multi-Region replica key, use
            // ReplicateKey" (the row's note).
            let mrs: &[Mr] = if *op == "CreateKey" {
                &[Mr::Primary]
            } else {
                &[Mr::Primary, Mr::Replica]
            };
            for &mr in mrs {
                let shape = Shape {
                    kind,
                    spec: kind.specs()[0],
                    external,
                    mr,
                };
                let by_key_type = expect(kt, &shape);
                let by_column = match cell {
                    Only(Need::Kinds(_)) => Expect::Success,
                    Only(Need::KindsAwsKms(_)) => expect(Only(Need::AwsKms), &shape),
                    _ => expect(*cell, &shape),
                };
                let want = match (by_key_type, by_column) {
                    (Expect::Refused(_), _) => by_key_type,
                    (_, Expect::Refused(_)) => by_column,
                    _ => by_key_type,
                };
                disagreements.extend(check(
                    100 + row as u64,
                    "the special features table (multi-Region keys)",
                    op,
                    shape,
                    want,
                ));
            }
        }
    }
    let known: Vec<(&str, Kind)> = MULTI_REGION_NOTE_CONFLICTS
        .iter()
        .filter(|(_, k)| *k == kind)
        .copied()
        .collect();
    assert_eq!(conflicts, known);
    report(disagreements, SPECIAL_FEATURES_TABLE.len());
}

#[test]
fn special_features_table_multi_region_symmetric_encryption_keys() {
    multi_region_column(Kind::Symmetric);
}

#[test]
fn special_features_table_multi_region_hmac_keys() {
    multi_region_column(Kind::Hmac);
}

#[test]
fn special_features_table_multi_region_asymmetric_encrypt_decrypt_keys() {
    multi_region_column(Kind::AsymmetricEncrypt);
}

#[test]
fn special_features_table_multi_region_asymmetric_sign_verify_keys() {
    multi_region_column(Kind::AsymmetricSign);
}

/// Imported key material: a symmetric encryption key with Origin EXTERNAL and its material
/// imported (importing-keys.md here: "Imported key material is supported only for symmetric
/// encryption KMS keys"), and, for the rows whose note asks for one, a multi-Region primary key
/// of the kind. Each cell must also agree with the key type table's symmetric encryption column.
///
/// The model is newer than these pages: its ImportKeyMaterial documentation speaks of imported
/// asymmetric and HMAC keys ("For asymmetric and HMAC keys, you cannot change the key material
/// after the initial import"), and the engine follows it (tests/import.rs): such keys are not the
/// table's, and not checked here.
#[test]
fn special_features_table_imported_key_material() {
    let mut disagreements = Vec::new();
    for (row, (op, _, cell, _)) in SPECIAL_FEATURES_TABLE.iter().enumerate() {
        let mut shapes = vec![Shape {
            external: true,
            ..Shape::regional(Kind::Symmetric, "SYMMETRIC_DEFAULT")
        }];
        if let Only(Need::MultiRegion | Need::Primary) = cell {
            shapes.push(Shape {
                mr: Mr::Primary,
                ..shapes[0]
            });
        }
        for shape in shapes {
            let want = expect(*cell, &shape);
            let by_key_type = expect(key_type_cell(op, Kind::Symmetric), &shape);
            let same = match (want, by_key_type) {
                (Expect::RotationOff, Expect::Success) => true,
                (a, b) => a == b,
            };
            assert!(
                same,
                "{op} on {shape:?}: the tables disagree ({want:?}, {by_key_type:?})"
            );
            disagreements.extend(check(
                200 + row as u64,
                "the special features table (imported key material)",
                op,
                shape,
                want,
            ));
        }
    }
    report(disagreements, SPECIAL_FEATURES_TABLE.len());
}

/// The page's introduction and importing-keys.md: "Imported key material is supported only for
/// symmetric encryption KMS keys ... It is not supported on asymmetric KMS keys, HMAC KMS keys";
/// CreateKey's `Origin` in the model agrees ("The EXTERNAL origin value is valid only for
/// symmetric KMS keys"). The model's GetParametersForImport ("You can import key material for a
/// symmetric encryption KMS key, HMAC KMS key, asymmetric encryption KMS key, or asymmetric
/// signing KMS key") and ImportKeyMaterial ("For asymmetric and HMAC keys, you cannot change the
/// key material after the initial import") say otherwise, as AWS does today: the engine follows
/// them (tests/import.rs imports such material), so the tables' import cells for HMAC and
/// asymmetric keys hold for their AWS_KMS keys only. Automatic rotation stays refused for them.
#[test]
fn imported_hmac_and_asymmetric_keys_follow_the_operations_documentation() {
    let mut kms = Sandbox::in_memory(3);
    for (spec, usage) in [
        ("HMAC_256", "GENERATE_VERIFY_MAC"),
        ("ECC_NIST_P256", "SIGN_VERIFY"),
        ("RSA_2048", "ENCRYPT_DECRYPT"),
    ] {
        let m = ok(
            &mut kms,
            "CreateKey",
            json!({"KeySpec": spec, "KeyUsage": usage, "Origin": "EXTERNAL"}),
        )["KeyMetadata"]
            .clone();
        assert_eq!(m["KeyState"], "PendingImport");
        let id = m["KeyId"].clone();
        ok(
            &mut kms,
            "GetParametersForImport",
            json!({"KeyId": id, "WrappingAlgorithm": "RSA_AES_KEY_WRAP_SHA_256", "WrappingKeySpec": "RSA_3072"}),
        );
        for op in ["EnableKeyRotation", "DisableKeyRotation"] {
            let e = kms.call(op, json!({"KeyId": id})).unwrap_err();
            assert_eq!(e.error_type, ErrorType::UnsupportedOperation, "{op} {spec}");
        }
    }
}

/// The tables have a row for each operation, in the page's order, and the same rows.
#[test]
fn the_tables_have_the_same_rows() {
    assert_eq!(KEY_TYPE_TABLE.len(), 42);
    assert_eq!(SPECIAL_FEATURES_TABLE.len(), 42);
    for ((a, _), (b, _, _, _)) in KEY_TYPE_TABLE.iter().zip(SPECIAL_FEATURES_TABLE) {
        assert_eq!(a, b);
    }
    let order: Vec<&str> = KEY_TYPE_TABLE.iter().map(|(op, _)| *op).collect();
    // Alphabetical, as the page's, but for UpdatePrimaryRegion in UpdateReplicaRegion's place.
    let page: Vec<&str> = order
        .iter()
        .map(|op| {
            if *op == "UpdatePrimaryRegion" {
                "UpdateReplicaRegion"
            } else {
                op
            }
        })
        .collect();
    let mut page_sorted = page.clone();
    page_sorted.sort_unstable();
    assert_eq!(page, page_sorted);
    // The custom key store column, recorded though unchecked: what the page says is supported.
    let supported = SPECIAL_FEATURES_TABLE.iter().filter(|r| r.3).count();
    assert_eq!(supported, 27);
}
