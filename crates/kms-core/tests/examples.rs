//! AWS's own documented examples (the `examples-1.json` of each service's API model) run against
//! the engine. Every member an example's output shows must be in the engine's answer,
//! recursively (a list's items against the example's items), with the JSON type its shape has on
//! the engine's wire: timestamps as epoch seconds, blobs as base64 strings. Where the value is
//! fixed by the example's input and setup (an enum such as KeySpec or KeyState, a boolean such as
//! Truncated or MacValid, a number, a string the input names) it must be the same; other values
//! (key ids, dates, tokens) differ and are not compared, except that an ARN in the example must
//! be an ARN in the answer.
//!
//! Each example has a row in a table (`kms_cases`, `iam_cases`, `sts_cases`): the setup that
//! makes the keys, aliases, grants, users and roles it names, and the substitutions of its
//! placeholders (key ids and ARNs, grant and access key ids, ciphertexts, signatures, MACs). An
//! example the engine cannot answer is skipped there with its reason; an example of an operation
//! the engine does not answer at all (not in its model, `kms_core::model`) is skipped by the
//! runner and counted. The counts are asserted, so an example added, lost or renamed fails.
//!
//! `tests/data/*-examples-1.json` are copies of the examples files of botocore 1.44.5's models
//! (Apache-2.0), as in the shared `aws-kms-model` and `aws-models` directories.

use base64::Engine as _;
use kms_core::model::{self, Model};
use kms_core::{json, Caller, ErrorType, Sandbox, Service, Value};
use std::collections::BTreeSet;

mod common;
mod replay;
use replay::b64;

const KMS_EXAMPLES: &str = include_str!("data/kms-examples-1.json");
const IAM_EXAMPLES: &str = include_str!("data/iam-examples-1.json");
const STS_EXAMPLES: &str = include_str!("data/sts-examples-1.json");
const CLOUDTRAIL_EXAMPLES: &str = include_str!("data/cloudtrail-examples-1.json");
const CLOUDFORMATION_EXAMPLES: &str = include_str!("data/cloudformation-examples-1.json");

const ACCOUNT: &str = "111122223333";

// The examples' placeholder key ids and grant id.
const KEY: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY2: &str = "0987dcba-09fe-87dc-65ba-ab0987654321";
const MRK: &str = "mrk-1234abcd12ab34cd56ef1234567890ab";
const GRANT: &str = "0c237476b39f8bc44e45212e08498fbe3151305030726c0590dd8d3e9f3d6a60";

fn trust_root() -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

fn trust_user(user: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:user/{user}"}},"Action":"sts:AssumeRole"}}]}}"#
    )
}

const ALLOW_S3: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;

// ---------------------------------------------------------------- the table

/// What an example must do.
enum Expect {
    /// Succeed, with the example's output shape; the exceptions, each with its reason.
    Shape(&'static [Except]),
    /// Fail with this error: the example needs a feature the sandbox account does not have and
    /// the engine answers as AWS answers such an account (README, "Answering as an account
    /// without the feature").
    Error(ErrorType),
    /// Not run, for this reason.
    Skip(&'static str),
}

/// A justified departure from the example's output at a path (`Member.Member`, `List[].Member`).
enum Except {
    /// The value is not compared.
    Value(&'static str, &'static str),
    /// The member may be absent.
    Absent(&'static str, &'static str),
}

struct Case {
    operation: &'static str,
    title: &'static str,
    setup: fn(&mut Ctx),
    expect: Expect,
}

fn shape(operation: &'static str, title: &'static str, setup: fn(&mut Ctx)) -> Case {
    Case {
        operation,
        title,
        setup,
        expect: Expect::Shape(&[]),
    }
}

fn shape_except(
    operation: &'static str,
    title: &'static str,
    setup: fn(&mut Ctx),
    except: &'static [Except],
) -> Case {
    Case {
        operation,
        title,
        setup,
        expect: Expect::Shape(except),
    }
}

fn error(operation: &'static str, title: &'static str, error: ErrorType) -> Case {
    Case {
        operation,
        title,
        setup: |_| {},
        expect: Expect::Error(error),
    }
}

fn skip(operation: &'static str, title: &'static str, reason: &'static str) -> Case {
    Case {
        operation,
        title,
        setup: |_| {},
        expect: Expect::Skip(reason),
    }
}

// ---------------------------------------------------------------- setups

/// A fresh sandbox for one example, and what replaces the example's placeholders.
struct Ctx {
    sb: Sandbox,
    /// (placeholder key id, real key id, real key ARN).
    keys: Vec<(String, String, String)>,
    /// A string of the example's input replaced wherever it appears.
    exact: Vec<(String, Value)>,
    /// A top-level member of the example's input replaced (placeholders shared by members, like
    /// `<binary data>`).
    members: Vec<(String, Value)>,
    /// Who makes the example's call (root by default).
    caller: Option<Caller>,
}

impl Ctx {
    fn new() -> Ctx {
        Ctx {
            sb: Sandbox::in_memory(61),
            keys: vec![],
            exact: vec![],
            members: vec![],
            caller: None,
        }
    }

    fn call(&mut self, service: Service, op: &str, req: Value) -> Value {
        self.sb
            .call_service(service, op, req.clone())
            .unwrap_or_else(|e| panic!("setup {op} {req} failed: {e}"))
    }

    fn kms(&mut self, op: &str, req: Value) -> Value {
        self.call(Service::Kms, op, req)
    }

    fn iam(&mut self, op: &str, req: Value) -> Value {
        self.call(Service::Iam, op, req)
    }

    /// Makes the key the example calls `placeholder`.
    fn key(&mut self, placeholder: &str, req: Value) -> String {
        let m = self.kms("CreateKey", req)["KeyMetadata"].clone();
        let (id, arn) = (m["KeyId"].as_str().unwrap(), m["Arn"].as_str().unwrap());
        self.keys
            .push((placeholder.to_string(), id.to_string(), arn.to_string()));
        id.to_string()
    }

    fn symmetric(&mut self, placeholder: &str) -> String {
        self.key(placeholder, json!({}))
    }

    fn alias(&mut self, name: &str, key: &str) {
        self.kms(
            "CreateAlias",
            json!({"AliasName": name, "TargetKeyId": key}),
        );
    }

    fn sub(&mut self, placeholder: &str, value: impl Into<Value>) {
        self.exact.push((placeholder.to_string(), value.into()));
    }

    fn set(&mut self, member: &str, value: Value) {
        self.members.push((member.to_string(), value));
    }

    fn in_region(&mut self, region: &str) {
        self.sb.region = region.to_string();
    }

    fn grant(&mut self, key: &str, grantee: &str, operations: Value, retiring: &str) -> String {
        let out = self.kms(
            "CreateGrant",
            json!({"KeyId": key, "GranteePrincipal": grantee, "Operations": operations,
                   "RetiringPrincipal": retiring}),
        );
        out["GrantId"].as_str().unwrap().to_string()
    }

    fn user(&mut self, name: &str) {
        self.iam("CreateUser", json!({"UserName": name}));
    }

    fn user_at(&mut self, name: &str, path: &str) {
        self.iam("CreateUser", json!({"UserName": name, "Path": path}));
    }

    fn role(&mut self, name: &str) {
        self.role_trusting(name, &trust_root());
    }

    fn role_trusting(&mut self, name: &str, trust: &str) {
        self.iam(
            "CreateRole",
            json!({"RoleName": name, "AssumeRolePolicyDocument": trust}),
        );
    }

    fn access_key(&mut self, user: &str) -> String {
        self.iam("CreateAccessKey", json!({"UserName": user}))["AccessKey"]["AccessKeyId"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn caller_for(&self, arn: &str, session: Option<&str>) -> Caller {
        self.sb.engine.caller_for_principal(arn, session).unwrap()
    }

    /// Imports 32 bytes of symmetric material into an EXTERNAL key, as a client wraps it.
    fn import(&mut self, key: &str) {
        let (token, encrypted) = self.wrapped_material(key);
        self.kms(
            "ImportKeyMaterial",
            json!({"KeyId": key, "ImportToken": token, "EncryptedKeyMaterial": encrypted,
                   "ExpirationModel": "KEY_MATERIAL_DOES_NOT_EXPIRE"}),
        );
    }

    /// GetParametersForImport, then RSAES_OAEP_SHA_256 of fresh material: (token, wrapped).
    fn wrapped_material(&mut self, key: &str) -> (Value, Value) {
        use rsa::pkcs8::DecodePublicKey;
        let params = self.kms(
            "GetParametersForImport",
            json!({"KeyId": key, "WrappingAlgorithm": "RSAES_OAEP_SHA_256",
                   "WrappingKeySpec": "RSA_2048"}),
        );
        let der = base64::engine::general_purpose::STANDARD
            .decode(params["PublicKey"].as_str().unwrap())
            .unwrap();
        let public = rsa::RsaPublicKey::from_public_key_der(&der).unwrap();
        let wrapped = public
            .encrypt(
                &mut common::TestRng(3),
                rsa::Oaep::new::<sha2::Sha256>(),
                &[0x42u8; 32],
            )
            .unwrap();
        (params["ImportToken"].clone(), json!(b64(&wrapped)))
    }
}

// ---------------------------------------------------------------- KMS

const CKS_NOT_FOUND: ErrorType = ErrorType::CustomKeyStoreNotFound;

/// The example's replica is Enabled; the model's ReplicateKey documentation: "the new replica
/// key has a transient key state of Creating", which is what ReplicateKey answers.
const REPLICA_CREATING: &str = "a new replica is Creating (and not Enabled) when ReplicateKey \
                                answers, by the model's ReplicateKey documentation";

/// The 61 KMS examples. Those of custom key stores (9) answer as AWS answers an account without
/// custom key stores: the sandbox has none (README, "Answering as an account without the
/// feature"), so they assert that error.
fn kms_cases() -> Vec<Case> {
    vec![
        shape(
            "CancelKeyDeletion",
            "To cancel deletion of a KMS key",
            |c| {
                let k = c.symmetric(KEY);
                c.kms(
                    "ScheduleKeyDeletion",
                    json!({"KeyId": k, "PendingWindowInDays": 7}),
                );
            },
        ),
        error(
            "ConnectCustomKeyStore",
            "To connect a custom key store to its CloudHSM cluster",
            CKS_NOT_FOUND,
        ),
        shape("CreateAlias", "To create an alias", |c| {
            c.symmetric(KEY);
        }),
        Case {
            setup: valid_cluster_id,
            ..error(
                "CreateCustomKeyStore",
                "To create an AWS CloudHSM custom key store",
                ErrorType::CloudHsmClusterNotFound,
            )
        },
        shape("CreateGrant", "To create a grant", |c| {
            c.symmetric(KEY);
            c.role("ExampleRole");
        }),
        shape("CreateKey", "To create a KMS key", |_| {}),
        shape(
            "CreateKey",
            "To create an asymmetric RSA KMS key for encryption and decryption",
            |_| {},
        ),
        shape(
            "CreateKey",
            "To create an asymmetric elliptic curve KMS key for signing and verification",
            |_| {},
        ),
        shape(
            "CreateKey",
            "To create a multi-Region primary KMS key",
            |_| {},
        ),
        shape(
            "CreateKey",
            "To create a KMS key for imported key material",
            |_| {},
        ),
        error(
            "CreateKey",
            "To create a KMS key in a custom key store",
            CKS_NOT_FOUND,
        ),
        shape("CreateKey", "To create an HMAC KMS key", |_| {}),
        shape("Decrypt", "To decrypt data", |c| {
            let k = c.symmetric(KEY);
            let ct = c.kms("Encrypt", json!({"KeyId": k, "Plaintext": b64(b"secret")}));
            c.set("CiphertextBlob", ct["CiphertextBlob"].clone());
        }),
        shape("DeleteAlias", "To delete an alias", |c| {
            let k = c.symmetric(KEY);
            c.alias("alias/ExampleAlias", &k);
        }),
        error(
            "DeleteCustomKeyStore",
            "To delete a custom key store from AWS KMS",
            CKS_NOT_FOUND,
        ),
        shape(
            "DeleteImportedKeyMaterial",
            "To delete imported key material",
            |c| {
                let k = c.key(KEY, json!({"Origin": "EXTERNAL"}));
                c.import(&k);
            },
        ),
        shape(
            "DescribeCustomKeyStores",
            "To get detailed information about custom key stores in the account and Region",
            |_| {},
        ),
        error(
            "DescribeCustomKeyStores",
            "To get detailed information about a custom key store associated with a CloudHSM cluster.",
            CKS_NOT_FOUND,
        ),
        shape("DescribeKey", "To get details about a KMS key", |c| {
            c.symmetric(KEY);
        }),
        shape(
            "DescribeKey",
            "To get details about an RSA asymmetric KMS key",
            |c| {
                let k = c.key(KEY, json!({"KeySpec": "RSA_2048", "KeyUsage": "SIGN_VERIFY"}));
                c.kms("DisableKey", json!({"KeyId": k}));
            },
        ),
        shape_except(
            "DescribeKey",
            "To get details about a multi-Region key",
            |c| {
                c.in_region("us-west-2");
                let k = c.key(MRK, json!({"MultiRegion": true}));
                for region in ["eu-west-1", "ap-northeast-1", "sa-east-1"] {
                    c.kms("ReplicateKey", json!({"KeyId": k, "ReplicaRegion": region}));
                }
                c.in_region("ap-northeast-1");
            },
            &[Except::Value(
                "KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType",
                "the example describes the ap-northeast-1 key, a replica by its own \
                 PrimaryKey (us-west-2) and ReplicaKeys, yet shows PRIMARY; the model's \
                 MultiRegionKeyType is the described key's type, REPLICA",
            )],
        ),
        shape(
            "DescribeKey",
            "To get details about an HMAC KMS key",
            |c| {
                c.key(
                    KEY,
                    json!({"KeySpec": "HMAC_256", "KeyUsage": "GENERATE_VERIFY_MAC",
                           "Description": "Development test key"}),
                );
            },
        ),
        shape("DisableKey", "To disable a KMS key", |c| {
            c.symmetric(KEY);
        }),
        shape(
            "DisableKeyRotation",
            "To disable automatic rotation of key material",
            |c| {
                let k = c.symmetric(KEY);
                c.kms("EnableKeyRotation", json!({"KeyId": k}));
            },
        ),
        error(
            "DisconnectCustomKeyStore",
            "To disconnect a custom key store from its CloudHSM cluster",
            CKS_NOT_FOUND,
        ),
        shape("EnableKey", "To enable a KMS key", |c| {
            let k = c.symmetric(KEY);
            c.kms("DisableKey", json!({"KeyId": k}));
        }),
        shape(
            "EnableKeyRotation",
            "To enable automatic rotation of key material",
            |c| {
                c.symmetric(KEY);
            },
        ),
        shape("Encrypt", "To encrypt data", |c| {
            c.symmetric(KEY);
        }),
        shape("GenerateDataKey", "To generate a data key", |c| {
            let k = c.symmetric(KEY);
            c.alias("alias/ExampleAlias", &k);
        }),
        shape(
            "GenerateDataKeyPair",
            "To generate an RSA key pair for encryption and decryption",
            |c| {
                c.symmetric(KEY);
            },
        ),
        shape(
            "GenerateDataKeyPairWithoutPlaintext",
            "To generate an asymmetric data key pair without a plaintext key",
            |c| {
                c.symmetric(KEY);
            },
        ),
        shape(
            "GenerateDataKeyWithoutPlaintext",
            "To generate an encrypted data key",
            |c| {
                let k = c.symmetric(KEY);
                c.alias("alias/ExampleAlias", &k);
            },
        ),
        shape("GenerateMac", "To generate an HMAC for a message", |c| {
            c.key(
                KEY,
                json!({"KeySpec": "HMAC_384", "KeyUsage": "GENERATE_VERIFY_MAC"}),
            );
        }),
        shape("GenerateRandom", "To generate random data", |_| {}),
        shape("GetKeyPolicy", "To retrieve a key policy", |c| {
            c.symmetric(KEY);
        }),
        shape(
            "GetKeyRotationStatus",
            "To retrieve the rotation status for a KMS key",
            |c| {
                let k = c.symmetric(KEY);
                c.kms("EnableKeyRotation", json!({"KeyId": k}));
            },
        ),
        shape(
            "GetParametersForImport",
            "To retrieve the public key and import token for a KMS key",
            |c| {
                c.key(KEY, json!({"Origin": "EXTERNAL"}));
            },
        ),
        shape(
            "GetPublicKey",
            "To download the public key of an asymmetric KMS key",
            |c| {
                c.key(
                    KEY2,
                    json!({"KeySpec": "RSA_4096", "KeyUsage": "ENCRYPT_DECRYPT"}),
                );
            },
        ),
        shape(
            "ImportKeyMaterial",
            "To import key material into a KMS key",
            |c| {
                let k = c.key(KEY, json!({"Origin": "EXTERNAL"}));
                let (token, encrypted) = c.wrapped_material(&k);
                c.set("ImportToken", token);
                c.set("EncryptedKeyMaterial", encrypted);
            },
        ),
        shape("ListAliases", "To list aliases", |c| {
            for (i, name) in ["alias/example1", "alias/example2", "alias/example3"]
                .iter()
                .enumerate()
            {
                let k = c.symmetric(&format!("example{i}"));
                c.alias(name, &k);
            }
        }),
        shape_except("ListGrants", "To list grants for a KMS key", |c| {
            let k = c.symmetric(KEY);
            let acm = "acm.us-east-2.amazonaws.com";
            let all = json!(["Encrypt", "ReEncryptFrom", "ReEncryptTo"]);
            for ops in [
                all.clone(),
                json!(["ReEncryptFrom", "ReEncryptTo"]),
                all.clone(),
                all.clone(),
            ] {
                c.grant(&k, acm, ops, acm);
            }
            // Truncated: true needs more grants than a page (Limit's default, 50).
            for _ in 0..47 {
                c.grant(&k, acm, all.clone(), acm);
            }
        }, &[Except::Value(
            "Grants[].Operations[]",
            "grants are listed in GrantId order (as the example's are) and grant ids are \
             random, so the answer's items do not pair with the example's by position",
        )]),
        shape(
            "ListKeyPolicies",
            "To list key policies for a KMS key",
            |c| {
                c.symmetric(KEY);
            },
        ),
        shape("ListKeys", "To list KMS keys", |c| {
            c.symmetric(KEY);
        }),
        shape("ListResourceTags", "To list tags for a KMS key", |c| {
            let k = c.symmetric(KEY);
            c.kms(
                "TagResource",
                json!({"KeyId": k, "Tags": [
                    {"TagKey": "CostCenter", "TagValue": "87654"},
                    {"TagKey": "CreatedBy", "TagValue": "ExampleUser"},
                    {"TagKey": "Purpose", "TagValue": "Test"}]}),
            );
        }),
        shape(
            "ListRetirableGrants",
            "To list grants that the specified principal can retire",
            |c| {
                let k = c.symmetric(KEY);
                c.role("ExampleRole");
                let role = format!("arn:aws:iam::{ACCOUNT}:role/ExampleRole");
                c.grant(&k, &role, json!(["Decrypt", "Encrypt"]), &role);
            },
        ),
        shape(
            "PutKeyPolicy",
            "To attach a key policy to a KMS key",
            |c| {
                c.symmetric(KEY);
                // The principals the policy names must exist.
                c.user("ExampleAdminUser");
                c.role("ExampleAdminRole");
                c.role("ExamplePowerUserRole");
            },
        ),
        shape("ReEncrypt", "To reencrypt data", |c| {
            let k = c.symmetric(KEY);
            c.symmetric(KEY2);
            let ct = c.kms("Encrypt", json!({"KeyId": k, "Plaintext": b64(b"secret")}));
            c.set("CiphertextBlob", ct["CiphertextBlob"].clone());
        }),
        shape_except(
            "ReplicateKey",
            "To replicate a multi-Region key in a different AWS Region",
            |c| {
                c.in_region("us-east-1");
                c.key(MRK, json!({"MultiRegion": true}));
            },
            &[
                Except::Value("ReplicaKeyMetadata.KeyState", REPLICA_CREATING),
                Except::Value("ReplicaKeyMetadata.Enabled", REPLICA_CREATING),
                Except::Absent(
                    "ReplicaTags",
                    "AWS leaves it out when the replica has no tags (tests/snapshots.rs, \
                     replicate_key: LocalStack's recording of a real answer)",
                ),
            ],
        ),
        shape("RetireGrant", "To retire a grant", |c| {
            let k = c.symmetric(KEY);
            c.role("ExampleRole");
            let role = format!("arn:aws:iam::{ACCOUNT}:role/ExampleRole");
            let g = c.grant(&k, &role, json!(["Encrypt", "Decrypt"]), &role);
            c.sub(GRANT, g);
        }),
        shape("RevokeGrant", "To revoke a grant", |c| {
            let k = c.symmetric(KEY);
            c.role("ExampleRole");
            let role = format!("arn:aws:iam::{ACCOUNT}:role/ExampleRole");
            let g = c.grant(&k, &role, json!(["Encrypt", "Decrypt"]), &role);
            c.sub(GRANT, g);
        }),
        shape(
            "ScheduleKeyDeletion",
            "To schedule a KMS key for deletion",
            |c| {
                c.symmetric(KEY);
            },
        ),
        shape(
            "Sign",
            "To digitally sign a message with an asymmetric KMS key.",
            |c| {
                let k = c.key(
                    KEY,
                    json!({"KeySpec": "ECC_NIST_P384", "KeyUsage": "SIGN_VERIFY"}),
                );
                c.alias("alias/ECC_signing_key", &k);
            },
        ),
        shape("TagResource", "To tag a KMS key", |c| {
            c.symmetric(KEY);
        }),
        shape("UntagResource", "To remove tags from a KMS key", |c| {
            let k = c.symmetric(KEY);
            c.kms(
                "TagResource",
                json!({"KeyId": k, "Tags": [
                    {"TagKey": "Purpose", "TagValue": "Test"},
                    {"TagKey": "CostCenter", "TagValue": "87654"}]}),
            );
        }),
        shape("UpdateAlias", "To update an alias", |c| {
            let old = c.symmetric("old");
            c.alias("alias/ExampleAlias", &old);
            c.symmetric(KEY);
        }),
        error(
            "UpdateCustomKeyStore",
            "To edit the password of a custom key store",
            CKS_NOT_FOUND,
        ),
        error(
            "UpdateCustomKeyStore",
            "To edit the friendly name of a custom key store",
            CKS_NOT_FOUND,
        ),
        Case {
            setup: valid_cluster_id,
            ..error(
                "UpdateCustomKeyStore",
                "To associate the custom key store with a different, but related, AWS CloudHSM cluster.",
                CKS_NOT_FOUND,
            )
        },
        shape(
            "UpdateKeyDescription",
            "To update the description of a KMS key",
            |c| {
                c.symmetric(KEY);
            },
        ),
        shape(
            "Verify",
            "To use an asymmetric KMS key to verify a digital signature",
            |c| {
                let k = c.key(
                    KEY,
                    json!({"KeySpec": "ECC_NIST_P384", "KeyUsage": "SIGN_VERIFY"}),
                );
                c.alias("alias/ECC_signing_key", &k);
                let sig = c.kms(
                    "Sign",
                    json!({"KeyId": k, "Message": b64(b"<message to be verified>"),
                           "MessageType": "RAW", "SigningAlgorithm": "ECDSA_SHA_384"}),
                );
                c.set("Signature", sig["Signature"].clone());
            },
        ),
        shape("VerifyMac", "To verify an HMAC", |c| {
            let k = c.key(
                KEY,
                json!({"KeySpec": "HMAC_384", "KeyUsage": "GENERATE_VERIFY_MAC"}),
            );
            let mac = c.kms(
                "GenerateMac",
                json!({"KeyId": k, "MacAlgorithm": "HMAC_SHA_384",
                       "Message": b64(b"Hello World")}),
            );
            c.set("Mac", mac["Mac"].clone());
        }),
    ]
}

/// The examples' cluster id, `cluster-1a23b4cdefg`, does not match the model's pattern for
/// CloudHsmClusterIdType (`cluster-[2-7a-zA-Z]{11,16}`: no `1`), so AWS refuses it with a
/// ValidationException before looking for anything. The model wins; to reach what the examples
/// show, they send an id of the model's form.
fn valid_cluster_id(c: &mut Ctx) {
    c.sub("cluster-1a23b4cdefg", "cluster-2a23b4cdefg");
}

// ---------------------------------------------------------------- IAM

/// The IAM examples of the operations the engine answers (24 of 68). The other 44 are of
/// operations the engine does not answer, so they are skipped by the runner: groups
/// (AddUserToGroup, CreateGroup, ...), instance profiles, login profiles and passwords
/// (ChangePassword, CreateLoginProfile, ...), MFA devices, account aliases and the password
/// policy, OpenID Connect providers, server and signing certificates, Organizations and
/// service-last-accessed reports, ListPoliciesGrantingServiceAccess and
/// SetSecurityTokenServicePreferences: none is modelled (`crates/kms-core/src/iam/mod.rs`).
fn iam_cases() -> Vec<Case> {
    vec![
        // AWS managed policies (arn:aws:iam::aws:policy/...) are not modelled (iam/mod.rs): the
        // two Attach examples attach a customer managed policy of the same name instead.
        shape(
            "AttachRolePolicy",
            "To attach a managed policy to an IAM role",
            |c| {
                c.role("ReadOnlyRole");
                let arn = managed_policy(c, "ReadOnlyAccess");
                c.sub("arn:aws:iam::aws:policy/ReadOnlyAccess", arn);
            },
        ),
        shape(
            "AttachUserPolicy",
            "To attach a managed policy to an IAM user",
            |c| {
                c.user("Alice");
                let arn = managed_policy(c, "AdministratorAccess");
                c.sub("arn:aws:iam::aws:policy/AdministratorAccess", arn);
            },
        ),
        shape(
            "CreateAccessKey",
            "To create an access key for an IAM user",
            |c| c.user("Bob"),
        ),
        shape("CreateRole", "To create an IAM role", |c| {
            c.sub("<Stringified-JSON>", trust_root());
        }),
        shape("CreateUser", "To create an IAM user", |_| {}),
        shape(
            "DeleteAccessKey",
            "To delete an access key for an IAM user",
            |c| {
                c.user("Bob");
                let id = c.access_key("Bob");
                c.sub("AKIDPMS9RO4H3FEXAMPLE", id);
            },
        ),
        shape("DeleteRole", "To delete an IAM role", |c| {
            c.role("Test-Role")
        }),
        shape(
            "DeleteRolePolicy",
            "To remove a policy from an IAM role",
            |c| {
                c.role("Test-Role");
                c.iam(
                    "PutRolePolicy",
                    json!({"RoleName": "Test-Role", "PolicyName": "ExamplePolicy",
                           "PolicyDocument": ALLOW_S3}),
                );
            },
        ),
        shape("DeleteUser", "To delete an IAM user", |c| c.user("Bob")),
        shape(
            "DeleteUserPolicy",
            "To remove a policy from an IAM user",
            |c| {
                c.user("Juan");
                c.iam(
                    "PutUserPolicy",
                    json!({"UserName": "Juan", "PolicyName": "ExamplePolicy",
                           "PolicyDocument": ALLOW_S3}),
                );
            },
        ),
        shape("GetRole", "To get information about an IAM role", |c| {
            // RoleLastUsed has its members once a session of the role has been made.
            c.user("Bob");
            c.role_trusting("Test-Role", &trust_user("Bob"));
            c.sb.caller = c.caller_for(&format!("arn:aws:iam::{ACCOUNT}:user/Bob"), None);
            c.call(
                Service::Sts,
                "AssumeRole",
                json!({"RoleArn": format!("arn:aws:iam::{ACCOUNT}:role/Test-Role"),
                           "RoleSessionName": "Bob"}),
            );
            c.sb.caller = Caller::root(ACCOUNT);
        }),
        shape("GetUser", "To get information about an IAM user", |c| {
            c.user("Bob")
        }),
        shape(
            "ListAccessKeys",
            "To list the access key IDs for an IAM user",
            |c| {
                c.user("Alice");
                c.access_key("Alice");
                c.access_key("Alice");
            },
        ),
        shape(
            "ListRoleTags",
            "To list the tags attached to an IAM role",
            |c| {
                c.role("taggedrole1");
                c.iam(
                    "TagRole",
                    json!({"RoleName": "taggedrole1", "Tags": [
                        {"Key": "Dept", "Value": "12345"}, {"Key": "Team", "Value": "Accounting"}]}),
                );
            },
        ),
        shape(
            "ListUserTags",
            "To list the tags attached to an IAM user",
            |c| {
                c.user("anika");
                c.iam(
                    "TagUser",
                    json!({"UserName": "anika", "Tags": [
                        {"Key": "Dept", "Value": "12345"}, {"Key": "Team", "Value": "Accounting"}]}),
                );
            },
        ),
        shape_except(
            "ListUsers",
            "To list IAM users",
            |c| {
                let path = "/division_abc/subdivision_xyz/engineering/";
                c.user_at("Juan", path);
                c.user_at("Anika", path);
            },
            &[Except::Absent(
                "Users[].PasswordLastUsed",
                "the sandbox's users have no passwords (login profiles are not modelled), and \
                 IAM leaves PasswordLastUsed out for a user who never signed in with one \
                 (the model's User.PasswordLastUsed)",
            )],
        ),
        shape(
            "PutRolePolicy",
            "To attach a permissions policy to an IAM role",
            |c| c.role("S3Access"),
        ),
        shape("PutUserPolicy", "To attach a policy to an IAM user", |c| {
            c.user("Bob")
        }),
        shape(
            "TagRole",
            "To add a tag key and value to an IAM role",
            |c| c.role("taggedrole"),
        ),
        shape(
            "TagUser",
            "To add a tag key and value to an IAM user",
            |c| c.user("anika"),
        ),
        shape("UntagRole", "To remove a tag from an IAM role", |c| {
            c.role("taggedrole");
            c.iam(
                "TagRole",
                json!({"RoleName": "taggedrole", "Tags": [{"Key": "Dept", "Value": "Accounting"}]}),
            );
        }),
        shape("UntagUser", "To remove a tag from an IAM user", |c| {
            c.user("anika");
            c.iam(
                "TagUser",
                json!({"UserName": "anika", "Tags": [{"Key": "Dept", "Value": "Accounting"}]}),
            );
        }),
        shape(
            "UpdateAccessKey",
            "To activate or deactivate an access key for an IAM user",
            |c| {
                c.user("Bob");
                let id = c.access_key("Bob");
                c.sub("AKIAIOSFODNN7EXAMPLE", id);
            },
        ),
        shape(
            "UpdateAssumeRolePolicy",
            "To update the trust policy for an IAM role",
            |c| c.role("S3AccessForEC2Instances"),
        ),
    ]
}

fn managed_policy(c: &mut Ctx, name: &str) -> String {
    c.iam(
        "CreatePolicy",
        json!({"PolicyName": name, "PolicyDocument": ALLOW_S3}),
    )["Policy"]["Arn"]
        .as_str()
        .unwrap()
        .to_string()
}

// ---------------------------------------------------------------- STS

/// The STS examples (9). The engine answers AssumeRole and GetCallerIdentity; the runner skips
/// the one example each of AssumeRoleWithSAML, AssumeRoleWithWebIdentity,
/// DecodeAuthorizationMessage, GetFederationToken and GetSessionToken, which it does not
/// answer: the sandbox has no identity providers, no encoded authorization messages and no
/// federated or MFA sessions.
fn sts_cases() -> Vec<Case> {
    vec![
        shape("AssumeRole", "To assume a role", |c| {
            c.user("Bob");
            let trust = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:user/Bob"}},"Action":["sts:AssumeRole","sts:TagSession"],"Condition":{{"StringEquals":{{"sts:ExternalId":"123ABC"}}}}}}]}}"#
            );
            c.role_trusting("demo", &trust);
            c.sub(
                "arn:aws:iam::123456789012:role/demo",
                format!("arn:aws:iam::{ACCOUNT}:role/demo"),
            );
            c.caller = Some(c.caller_for(&format!("arn:aws:iam::{ACCOUNT}:user/Bob"), None));
        }),
        shape(
            "GetCallerIdentity",
            "To get details about a calling IAM user",
            |c| {
                c.user("Alice");
                c.caller = Some(c.caller_for(&format!("arn:aws:iam::{ACCOUNT}:user/Alice"), None));
            },
        ),
        shape(
            "GetCallerIdentity",
            "To get details about a calling user federated with AssumeRole",
            |c| {
                c.role("my-role-name");
                c.caller = Some(c.caller_for(
                    &format!("arn:aws:iam::{ACCOUNT}:role/my-role-name"),
                    Some("my-role-session-name"),
                ));
            },
        ),
        skip(
            "GetCallerIdentity",
            "To get details about a calling user federated with GetFederationToken",
            "the caller is a federated user, whom only GetFederationToken makes, which the \
             engine does not answer",
        ),
    ]
}

// ---------------------------------------------------------------- the runner

#[derive(Debug, Default, PartialEq)]
struct Counts {
    ran: usize,
    errors: usize,
    skipped: usize,
    unanswered: usize,
}

fn run(service: Service, examples: &str, model: &Model, cases: Vec<Case>) -> Counts {
    let examples: Value = serde_json::from_str(examples).unwrap();
    let mut used = vec![false; cases.len()];
    let mut counts = Counts::default();
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    for (op, list) in examples["examples"].as_object().unwrap() {
        for example in list.as_array().unwrap() {
            let title = example["title"].as_str().unwrap();
            if !model.operations.contains_key(op) {
                counts.unanswered += 1;
                continue;
            }
            let Some(i) = cases
                .iter()
                .position(|c| c.operation == op && c.title == title)
            else {
                failures.push(format!("{op} \"{title}\": no case in the table"));
                continue;
            };
            used[i] = true;
            let case = &cases[i];
            let name = format!("{op} \"{title}\"");
            match &case.expect {
                Expect::Skip(reason) => {
                    counts.skipped += 1;
                    eprintln!("skipped: {name}: {reason}");
                }
                Expect::Error(want) => {
                    counts.errors += 1;
                    let (result, _) = run_one(service, model, op, example, case);
                    match result {
                        Err(e) if e.error_type == *want => {}
                        Err(e) => failures.push(format!("{name}: {e}, not {want:?}")),
                        Ok(v) => failures.push(format!("{name}: answered {v}, not {want:?}")),
                    }
                }
                Expect::Shape(except) => {
                    counts.ran += 1;
                    let (result, input) = run_one(service, model, op, example, case);
                    match result {
                        Err(e) => failures.push(format!("{name}: {input} failed: {e}")),
                        Ok(got) => {
                            let want = &example["output"];
                            let out = model.operations[op.as_str()].output.as_deref();
                            if let (Some(shape), false) = (out, want.is_null()) {
                                let original = strings(&example["input"]);
                                let sent = strings(&input)
                                    .into_iter()
                                    .filter(|s| original.contains(s))
                                    .collect();
                                let mut check = Check::new(model, except, sent);
                                check.value(shape, want, Some(&got), "", true);
                                check.stale();
                                let answer: String = got.to_string().chars().take(400).collect();
                                let why = |f: &String| format!("{name}: {f}\n    answer: {answer}");
                                failures.extend(check.failures.iter().map(why));
                                notes.extend(check.notes.iter().map(|n| format!("{name}: {n}")));
                            }
                        }
                    }
                }
            }
        }
    }
    for (case, used) in cases.iter().zip(used) {
        if !used {
            failures.push(format!(
                "{} \"{}\": a case with no example",
                case.operation, case.title
            ));
        }
    }
    for n in &notes {
        eprintln!("note: {n}");
    }
    assert!(
        failures.is_empty(),
        "{} of the {service:?} examples fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    counts
}

/// Sets the example up, substitutes its placeholders and calls: the answer, and the input sent.
fn run_one(
    service: Service,
    model: &Model,
    op: &str,
    example: &Value,
    case: &Case,
) -> (kms_core::Result<Value>, Value) {
    let mut ctx = Ctx::new();
    (case.setup)(&mut ctx);
    let input = match &example["input"] {
        Value::Null => json!({}),
        v => v.clone(),
    };
    let mut input = match &model.operations[op].input {
        Some(shape) => substitute(&ctx, model, shape, &input),
        None => input,
    };
    for (member, value) in &ctx.members {
        input[member] = value.clone();
    }
    if let Some(caller) = ctx.caller.take() {
        ctx.sb.caller = caller;
    }
    let result = ctx.sb.call_service(service, op, input.clone());
    (result, input)
}

/// The example's input with its placeholders replaced: key ids and ARNs by the keys the setup
/// made (a multi-Region key's ARN keeps the example's Region), other strings by the setup's
/// table, and the text examples show for blobs by its base64, as the wire carries blobs.
fn substitute(ctx: &Ctx, model: &Model, shape: &str, v: &Value) -> Value {
    let s = model.shape(shape);
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = match s.members.get(k) {
                        Some(member) => substitute(ctx, model, member, v),
                        None => v.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => match &s.member {
            Some(member) => items
                .iter()
                .map(|v| substitute(ctx, model, member, v))
                .collect(),
            None => v.clone(),
        },
        Value::String(t) => {
            if let Some((_, r)) = ctx.exact.iter().find(|(p, _)| p == t) {
                return r.clone();
            }
            for (placeholder, id, arn) in &ctx.keys {
                if t == placeholder {
                    return json!(id);
                }
                if t.starts_with("arn:") && t.ends_with(&format!("key/{placeholder}")) {
                    if placeholder.starts_with("mrk-") {
                        let region = t.split(':').nth(3).unwrap();
                        return json!(format!("arn:aws:kms:{region}:{ACCOUNT}:key/{id}"));
                    }
                    return json!(arn);
                }
            }
            if s.ty == "blob" {
                return json!(b64(t.as_bytes()));
            }
            v.clone()
        }
        _ => v.clone(),
    }
}

fn strings(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    fn walk(v: &Value, out: &mut BTreeSet<String>) {
        match v {
            Value::String(s) => {
                out.insert(s.clone());
            }
            Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            Value::Object(m) => m.values().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    walk(v, &mut out);
    out
}

struct Check<'a> {
    model: &'a Model,
    except: &'a [Except],
    /// Which exceptions were needed: one that was not is stale and fails the example.
    used: Vec<bool>,
    /// The strings of the example's input sent as they are (names, paths, Regions): an output
    /// string the example shows equal to one of them is fixed by the input.
    sent: BTreeSet<String>,
    failures: Vec<String>,
    notes: Vec<String>,
}

impl Check<'_> {
    fn new<'a>(model: &'a Model, except: &'a [Except], sent: BTreeSet<String>) -> Check<'a> {
        Check {
            model,
            except,
            used: vec![false; except.len()],
            sent,
            failures: vec![],
            notes: vec![],
        }
    }

    /// Whether an exception excuses `path`'s absence (`absent`) or its value; notes its use.
    fn excused(&mut self, path: &str, absent: bool) -> bool {
        let found = self.except.iter().position(|e| match e {
            Except::Absent(p, _) => absent && *p == path,
            Except::Value(p, _) => !absent && *p == path,
        });
        if let Some(i) = found {
            self.used[i] = true;
        }
        found.is_some()
    }

    fn differs(&mut self, path: &str, message: String) {
        if !self.excused(path, false) {
            self.failures.push(message);
        }
    }

    /// Fails the exceptions no difference needed.
    fn stale(&mut self) {
        for (e, used) in self.except.iter().zip(&self.used) {
            if !used {
                let (Except::Value(p, why) | Except::Absent(p, why)) = e;
                self.failures
                    .push(format!("the exception for {p} ({why}) is not needed"));
            }
        }
    }

    /// `want` (the example's) against `got` (the engine's) at `path`, of shape `shape`;
    /// `compare` says whether values are compared (not for answer items beyond the example's).
    fn value(&mut self, shape: &str, want: &Value, got: Option<&Value>, path: &str, compare: bool) {
        let Some(got) = got else {
            if !self.excused(path, true) {
                self.failures.push(format!("{path} is missing"));
            }
            return;
        };
        let s = self.model.shape(shape);
        let mut wrong_type = |expected: &str| {
            self.failures
                .push(format!("{path} is {got}, not a {expected} ({shape})"));
        };
        match s.ty.as_str() {
            "structure" => {
                let Some(got) = got.as_object() else {
                    return wrong_type("structure");
                };
                let Some(want) = want.as_object() else {
                    self.notes
                        .push(format!("the example's {path} is {want}, not a structure"));
                    return;
                };
                for (k, w) in want {
                    let at = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    match s.members.get(k) {
                        Some(member) => self.value(member, w, got.get(k), &at, compare),
                        None => self.notes.push(format!(
                            "the example shows {at}, which {shape} of the model does not have"
                        )),
                    }
                }
            }
            "list" => {
                let Some(got) = got.as_array() else {
                    return wrong_type("list");
                };
                let Some(want) = want.as_array() else {
                    self.notes
                        .push(format!("the example's {path} is {want}, not a list"));
                    return;
                };
                let member = s.member.clone().unwrap();
                let at = format!("{path}[]");
                if !want.is_empty() && got.is_empty() && !self.excused(&at, true) {
                    self.failures
                        .push(format!("{path} is empty; the example's has items"));
                }
                for (i, g) in got.iter().enumerate() {
                    // Items beyond the example's are checked against its last, for shape only.
                    if let Some(w) = want.get(i.min(want.len().saturating_sub(1))) {
                        self.value(&member, w, Some(g), &at, compare && i < want.len());
                    }
                }
            }
            "map" => {
                if !got.is_object() {
                    wrong_type("map");
                }
            }
            "string" => {
                let Some(g) = got.as_str() else {
                    return wrong_type("string");
                };
                let Some(w) = want.as_str() else {
                    self.notes
                        .push(format!("the example's {path} is {want}, not a string"));
                    return;
                };
                if compare && (s.enum_values.is_some() || self.sent.contains(w)) && w != g {
                    self.differs(path, format!("{path} is {g:?}; the example's is {w:?}"));
                }
                if w.starts_with("arn:") && !g.starts_with("arn:") {
                    self.failures
                        .push(format!("{path} is {g:?}; the example's is an ARN"));
                }
            }
            // The JSON wire's timestamps are epoch seconds (the examples write them in many
            // forms, as strings too).
            "timestamp" => {
                if !got.is_number() {
                    wrong_type("timestamp (epoch seconds)");
                }
            }
            "blob" => {
                let decodes = got
                    .as_str()
                    .is_some_and(|g| base64::engine::general_purpose::STANDARD.decode(g).is_ok());
                if !decodes {
                    wrong_type("blob (base64)");
                }
            }
            "boolean" => {
                let Some(g) = got.as_bool() else {
                    return wrong_type("boolean");
                };
                match want.as_bool() {
                    Some(w) if compare && w != g => {
                        self.differs(path, format!("{path} is {g}; the example's is {w}"))
                    }
                    Some(_) => {}
                    None => self
                        .notes
                        .push(format!("the example's {path} is {want}, not a boolean")),
                }
            }
            "integer" | "long" | "double" | "float" => {
                if !got.is_number() {
                    return wrong_type("number");
                }
                if compare && want.is_number() && want != got {
                    self.differs(path, format!("{path} is {got}; the example's is {want}"));
                }
                if !want.is_number() {
                    self.notes
                        .push(format!("the example's {path} is {want}, not a number"));
                }
            }
            other => self
                .failures
                .push(format!("{path}: shape {shape} of type {other} not handled")),
        }
    }
}

// ---------------------------------------------------------------- the tests

#[test]
fn kms_examples() {
    let counts = run(Service::Kms, KMS_EXAMPLES, model::kms(), kms_cases());
    assert_eq!(
        counts,
        Counts {
            ran: 52,
            errors: 9,
            skipped: 0,
            unanswered: 0
        }
    );
}

#[test]
fn iam_examples() {
    let counts = run(Service::Iam, IAM_EXAMPLES, model::iam(), iam_cases());
    assert_eq!(
        counts,
        Counts {
            ran: 24,
            errors: 0,
            skipped: 0,
            unanswered: 44
        }
    );
}

#[test]
fn sts_examples() {
    let counts = run(Service::Sts, STS_EXAMPLES, model::sts(), sts_cases());
    assert_eq!(
        counts,
        Counts {
            ran: 3,
            errors: 0,
            skipped: 1,
            unanswered: 5
        }
    );
}

/// CloudTrail's and CloudFormation's models ship no examples (`"examples": {}`); the runner
/// would take them as they come.
#[test]
fn cloudtrail_and_cloudformation_have_no_examples() {
    for (service, examples, model) in [
        (
            Service::CloudTrail,
            CLOUDTRAIL_EXAMPLES,
            model::cloudtrail(),
        ),
        (
            Service::CloudFormation,
            CLOUDFORMATION_EXAMPLES,
            model::cloudformation(),
        ),
    ] {
        assert_eq!(run(service, examples, model, vec![]), Counts::default());
    }
}

/// The checker itself: what it must catch, so that a lax comparison cannot pass everything.
#[test]
fn the_checker_finds_missing_members_types_values_and_stale_exceptions() {
    let want = json!({"KeyMetadata": {
        "Arn": "arn:aws:kms:us-east-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
        "CreationDate": "2017-07-05T14:04:55-07:00", "Enabled": true, "KeyState": "Enabled",
        "Description": "", "EncryptionAlgorithms": ["SYMMETRIC_DEFAULT"]}});
    let got = json!({"KeyMetadata": {
        "Arn": "1234abcd", "CreationDate": "2017-07-05T14:04:55-07:00", "Enabled": false,
        "KeyState": "Disabled", "EncryptionAlgorithms": []}});
    let except = [
        Except::Value("KeyMetadata.KeyState", "test"),
        Except::Absent("X", "test"),
    ];
    let mut check = Check::new(model::kms(), &except, BTreeSet::new());
    check.value("DescribeKeyResponse", &want, Some(&got), "", true);
    check.stale();
    let failures = check.failures.join("\n");
    for expected in [
        "KeyMetadata.Arn is \"1234abcd\"; the example's is an ARN",
        "KeyMetadata.CreationDate is \"2017-07-05T14:04:55-07:00\", not a timestamp",
        "KeyMetadata.Enabled is false; the example's is true",
        "KeyMetadata.Description is missing",
        "KeyMetadata.EncryptionAlgorithms is empty",
        "the exception for X (test) is not needed",
    ] {
        assert!(failures.contains(expected), "{expected} not in\n{failures}");
    }
    assert_eq!(check.failures.len(), 6, "{failures}");
}
