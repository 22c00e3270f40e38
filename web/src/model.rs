//! The API's data as the console reads it (names from the AWS model), and the console's words
//! for it: labels, key types, validation messages. Pure data, no I/O.

use kms_web::types::{
    EncryptionAlgorithm, ExpirationModel, KeyAgreementAlgorithm, KeyManager, KeyMaterialState,
    KeySpec, KeyState, KeyUsage, MacAlgorithm, MultiRegionKeyType, Origin, RotationType,
    SigningAlgorithm,
};
use serde::Deserialize;

/// `KeyMetadata` from DescribeKey / CreateKey (the members the console shows), typed with
/// kms_core's enums, which parse the AWS names the sandbox answers with. The enum members are
/// `Option`s: a key the console only knows by a typed reference has no metadata yet.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct KeyMetadata {
    #[serde(rename = "AWSAccountId")]
    pub aws_account_id: String,
    pub key_id: String,
    pub arn: String,
    pub creation_date: f64,
    pub enabled: bool,
    pub description: String,
    pub key_usage: Option<KeyUsage>,
    pub key_state: Option<KeyState>,
    pub deletion_date: Option<f64>,
    pub pending_deletion_window_in_days: Option<u32>,
    pub origin: Option<Origin>,
    pub key_manager: Option<KeyManager>,
    pub key_spec: Option<KeySpec>,
    pub encryption_algorithms: Vec<EncryptionAlgorithm>,
    pub signing_algorithms: Vec<SigningAlgorithm>,
    pub mac_algorithms: Vec<MacAlgorithm>,
    pub key_agreement_algorithms: Vec<KeyAgreementAlgorithm>,
    pub multi_region: bool,
    pub multi_region_configuration: Option<MultiRegionConfiguration>,
    pub valid_to: Option<f64>,
    pub expiration_model: Option<ExpirationModel>,
}

/// `MultiRegionConfiguration` of a multi-Region key.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MultiRegionConfiguration {
    pub multi_region_key_type: Option<MultiRegionKeyType>,
    pub primary_key: Option<MultiRegionKey>,
    pub replica_keys: Vec<MultiRegionKey>,
}

/// A `MultiRegionKey`: a related key's ARN and Region.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MultiRegionKey {
    pub arn: String,
    pub region: String,
}

/// An enum member's AWS name, or "" when the metadata has none (as the console showed the
/// missing string member before).
fn name<T: Copy>(value: Option<T>, as_str: fn(T) -> &'static str) -> &'static str {
    value.map_or("", as_str)
}

impl KeyMetadata {
    pub fn is_customer_managed(&self) -> bool {
        self.key_manager == Some(KeyManager::Customer)
    }
    pub fn is_symmetric_encryption(&self) -> bool {
        self.key_spec == Some(KeySpec::SymmetricDefault)
    }
    /// kms_core's rule; a key without a spec (unknown typed reference) counts as asymmetric, as
    /// it did when the spec was an empty string.
    pub fn is_asymmetric(&self) -> bool {
        self.key_spec.is_none_or(KeySpec::is_asymmetric)
    }
    pub fn is_pending_deletion(&self) -> bool {
        self.key_state == Some(KeyState::PendingDeletion)
    }
    /// `KeySpec` as AWS names it ("" if unknown).
    pub fn spec_name(&self) -> &'static str {
        name(self.key_spec, KeySpec::as_str)
    }
    /// `KeyState` as AWS names it ("" if unknown).
    pub fn state_name(&self) -> &'static str {
        name(self.key_state, KeyState::as_str)
    }
    /// `KeyUsage` as AWS names it ("" if unknown).
    pub fn usage_name(&self) -> &'static str {
        name(self.key_usage, KeyUsage::as_str)
    }
    /// `Origin` as AWS names it ("" if unknown).
    pub fn origin_name(&self) -> &'static str {
        name(self.origin, Origin::as_str)
    }
    pub fn key_type(&self) -> &'static str {
        if self.is_asymmetric() {
            "Asymmetric"
        } else {
            "Symmetric"
        }
    }
}

/// An `AliasListEntry` from ListAliases.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct AliasEntry {
    pub alias_name: String,
    pub alias_arn: String,
    pub target_key_id: Option<String>,
    pub creation_date: Option<f64>,
}

/// A `Tag`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Tag {
    pub tag_key: String,
    pub tag_value: String,
}

/// A `RotationsListEntry` from ListKeyRotations.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RotationEntry {
    pub key_id: String,
    pub key_material_id: Option<String>,
    pub rotation_date: Option<f64>,
    pub rotation_type: Option<RotationType>,
    pub key_material_state: Option<KeyMaterialState>,
}

/// GetKeyRotationStatus's answer.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RotationStatus {
    pub key_rotation_enabled: bool,
    pub rotation_period_in_days: Option<u32>,
    pub next_rotation_date: Option<f64>,
    pub on_demand_rotation_start_date: Option<f64>,
}

/// The console's words for a key state ("" for none). Exhaustive, so a state kms_core adds
/// must be given its words here.
pub fn key_state_label(state: Option<KeyState>) -> &'static str {
    match state {
        Some(KeyState::Enabled) => "Enabled",
        Some(KeyState::Disabled) => "Disabled",
        Some(KeyState::PendingDeletion) => "Pending deletion",
        Some(KeyState::PendingImport) => "Pending import",
        Some(KeyState::PendingReplicaDeletion) => "Pending replica deletion",
        Some(KeyState::Unavailable) => "Unavailable",
        Some(KeyState::Creating) => "Creating",
        Some(KeyState::Updating) => "Updating",
        None => "",
    }
}

/// The console's words for a key usage ("" for none).
pub fn key_usage_label(usage: Option<KeyUsage>) -> &'static str {
    match usage {
        Some(KeyUsage::EncryptDecrypt) => "Encrypt and decrypt",
        Some(KeyUsage::SignVerify) => "Sign and verify",
        Some(KeyUsage::GenerateVerifyMac) => "Generate and verify MAC",
        Some(KeyUsage::KeyAgreement) => "Key agreement",
        Some(KeyUsage::EncapsulateDecapsulate) => "Encapsulate and decapsulate",
        None => "",
    }
}

/// The console's words for a key material origin ("" for none).
pub fn origin_label(origin: Option<Origin>) -> &'static str {
    match origin {
        Some(Origin::AwsKms) => "AWS KMS",
        Some(Origin::External) => "External",
        Some(Origin::AwsCloudHsm) => "AWS CloudHSM",
        Some(Origin::ExternalKeyStore) => "External key store",
        None => "",
    }
}

/// kms_core's algorithm enums, as the crypto pages offer them in a select: under their AWS
/// names, which are also the select's values.
pub trait Algorithm: Copy + PartialEq + 'static {
    fn name(self) -> &'static str;
}

macro_rules! algorithm {
    ($($t:ty),*) => {$(
        impl Algorithm for $t {
            fn name(self) -> &'static str {
                self.as_str()
            }
        }
    )*};
}
algorithm!(EncryptionAlgorithm, SigningAlgorithm, MacAlgorithm);

/// The algorithm named `chosen` (a select's value) if the key offers it, else the key's first;
/// `None` when it offers none.
pub fn pick_algorithm<A: Algorithm>(chosen: &str, options: &[A]) -> Option<A> {
    options
        .iter()
        .copied()
        .find(|o| o.name() == chosen)
        .or(options.first().copied())
}

/// The algorithm name a request carries. With none to offer (a key the console does not know,
/// or one without this kind of algorithm) it sends SYMMETRIC_DEFAULT, and KMS answers for the key.
pub fn algorithm_name<A: Algorithm>(picked: Option<A>) -> &'static str {
    picked.map_or(EncryptionAlgorithm::SymmetricDefault.as_str(), A::name)
}

pub fn regionality_label(multi_region: bool) -> &'static str {
    if multi_region {
        "Multi-Region"
    } else {
        "Single-Region"
    }
}

/// The key specs in the order the AWS console lists them in the create-key wizard.
pub const CONSOLE_SPEC_ORDER: &[KeySpec] = &[
    KeySpec::SymmetricDefault,
    KeySpec::Hmac224,
    KeySpec::Hmac256,
    KeySpec::Hmac384,
    KeySpec::Hmac512,
    KeySpec::Rsa2048,
    KeySpec::Rsa3072,
    KeySpec::Rsa4096,
    KeySpec::EccNistP256,
    KeySpec::EccNistP384,
    KeySpec::EccNistP521,
    KeySpec::EccSecgP256k1,
    KeySpec::EccNistEdwards25519,
    KeySpec::MlDsa44,
    KeySpec::MlDsa65,
    KeySpec::MlDsa87,
    KeySpec::MlKem512,
    KeySpec::MlKem768,
    KeySpec::MlKem1024,
    KeySpec::Sm2,
];

/// The key usages the wizard offers for a key type in a Region, in the AWS console's order: a
/// usage shows when at least one spec offered in the Region has it (kms_core's spec table).
pub fn wizard_usages(key_type: &str, region: &str) -> Vec<KeyUsage> {
    let order: &[KeyUsage] = if key_type == "Symmetric" {
        &[KeyUsage::EncryptDecrypt, KeyUsage::GenerateVerifyMac]
    } else {
        &[
            KeyUsage::EncryptDecrypt,
            KeyUsage::SignVerify,
            KeyUsage::KeyAgreement,
            KeyUsage::EncapsulateDecapsulate,
        ]
    };
    order
        .iter()
        .copied()
        .filter(|u| !key_specs_for(key_type, *u, region).is_empty())
        .collect()
}

/// The key specs the wizard offers for a key type and usage in a Region, in the AWS console's
/// order, from kms_core's spec table (`KeySpec::usages`, `KeySpec::is_offered_in`).
pub fn key_specs_for(key_type: &str, usage: KeyUsage, region: &str) -> Vec<KeySpec> {
    let asymmetric = key_type == "Asymmetric";
    CONSOLE_SPEC_ORDER
        .iter()
        .copied()
        .filter(|s| s.is_asymmetric() == asymmetric)
        .filter(|s| s.usages().contains(&usage) && s.is_offered_in(region))
        .collect()
}

/// The hint under each key usage in the wizard.
pub fn key_usage_hint(key_type: &str, usage: KeyUsage) -> &'static str {
    match (key_type, usage) {
        ("Symmetric", KeyUsage::EncryptDecrypt) => "Use the key only to encrypt and decrypt data.",
        (_, KeyUsage::GenerateVerifyMac) => {
            "Use the key only to generate and verify hash-based message authentication codes (HMAC)."
        }
        (_, KeyUsage::EncryptDecrypt) => "Use the key pair for public key encryption.",
        (_, KeyUsage::SignVerify) => "Use the key pair for signing and verification.",
        (_, KeyUsage::KeyAgreement) => "Use the key pair to derive shared secrets (ECDH).",
        (_, KeyUsage::EncapsulateDecapsulate) => {
            "Use the key pair for key encapsulation (ML-KEM): establish shared secrets that resist quantum computers."
        }
    }
}

/// The sentence the wizard shows under each key spec.
/// Exhaustive over kms_core's `KeySpec`, so every spec the engine knows has its sentence.
pub fn key_spec_hint(spec: KeySpec) -> &'static str {
    use KeySpec::*;
    match spec {
        SymmetricDefault => "A single 256-bit AES-GCM key that never leaves AWS KMS unencrypted.",
        Hmac224 | Hmac256 | Hmac384 | Hmac512 => "A symmetric key for HMAC tags of that length.",
        Rsa2048 => "RSA key pair, 2048-bit modulus.",
        Rsa3072 => "RSA key pair, 3072-bit modulus.",
        Rsa4096 => "RSA key pair, 4096-bit modulus (slowest to generate).",
        EccNistP256 => "Elliptic curve key pair on NIST P-256 (secp256r1).",
        EccNistP384 => "Elliptic curve key pair on NIST P-384 (secp384r1).",
        EccNistP521 => "Elliptic curve key pair on NIST P-521 (secp521r1).",
        EccSecgP256k1 => "Elliptic curve key pair on secp256k1, used for cryptocurrencies.",
        EccNistEdwards25519 => "Edwards curve key pair on edwards25519 (Ed25519 signatures).",
        MlDsa44 => "Post-quantum ML-DSA (FIPS 204) key pair, security category 2.",
        MlDsa65 => "Post-quantum ML-DSA (FIPS 204) key pair, security category 3.",
        MlDsa87 => "Post-quantum ML-DSA (FIPS 204) key pair, security category 5.",
        MlKem512 => "Post-quantum ML-KEM (FIPS 203) key pair, security category 1.",
        MlKem768 => "Post-quantum ML-KEM (FIPS 203) key pair, security category 3.",
        MlKem1024 => "Post-quantum ML-KEM (FIPS 203) key pair, security category 5.",
        Sm2 => "ShangMi 2 elliptic curve key pair (China Regions only).",
    }
}

/// The alias as the user typed it in the console (without `alias/`), checked with the rules and
/// wording AWS gives. Returns the full alias name.
pub fn validate_alias(input: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Err("Alias is required.".into());
    }
    if name.len() > 250 {
        return Err(
            "Alias must be between 1 and 256 characters, including the alias/ prefix.".into(),
        );
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-'))
    {
        return Err(
            "Alias can contain only alphanumeric characters, forward slashes (/), underscores (_), and dashes (-)."
                .into(),
        );
    }
    if name.starts_with("aws/") || name == "aws" {
        return Err(
            "The alias name cannot begin with aws/. The aws/ prefix is reserved by Amazon Web Services to represent AWS managed keys in your account."
                .into(),
        );
    }
    Ok(format!("alias/{name}"))
}

/// Tag rules from the API (1-128 character keys, values up to 256, no `aws:` prefix).
pub fn validate_tag(key: &str, value: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("Tag key is required.".into());
    }
    if key.chars().count() > 128 {
        return Err("Tag key must be 128 characters or fewer.".into());
    }
    if value.chars().count() > 256 {
        return Err("Tag value must be 256 characters or fewer.".into());
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err("Tag keys can't begin with aws: (reserved for AWS use).".into());
    }
    Ok(())
}

/// The commercial AWS Regions, as the console's Region selector lists them.
pub const REGIONS: &[(&str, &str)] = &[
    ("us-east-1", "US East (N. Virginia)"),
    ("us-east-2", "US East (Ohio)"),
    ("us-west-1", "US West (N. California)"),
    ("us-west-2", "US West (Oregon)"),
    ("af-south-1", "Africa (Cape Town)"),
    ("ap-east-1", "Asia Pacific (Hong Kong)"),
    ("ap-south-1", "Asia Pacific (Mumbai)"),
    ("ap-northeast-1", "Asia Pacific (Tokyo)"),
    ("ap-northeast-2", "Asia Pacific (Seoul)"),
    ("ap-northeast-3", "Asia Pacific (Osaka)"),
    ("ap-southeast-1", "Asia Pacific (Singapore)"),
    ("ap-southeast-2", "Asia Pacific (Sydney)"),
    ("ca-central-1", "Canada (Central)"),
    ("eu-central-1", "Europe (Frankfurt)"),
    ("eu-west-1", "Europe (Ireland)"),
    ("eu-west-2", "Europe (London)"),
    ("eu-west-3", "Europe (Paris)"),
    ("eu-north-1", "Europe (Stockholm)"),
    ("eu-south-1", "Europe (Milan)"),
    ("me-south-1", "Middle East (Bahrain)"),
    ("sa-east-1", "South America (São Paulo)"),
];

pub fn region_name(code: &str) -> &str {
    REGIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
        .unwrap_or(code)
}

/// PEM text of a DER SubjectPublicKeyInfo (what GetPublicKey returns, base64 on the wire).
pub fn public_key_pem(der_b64: &str) -> String {
    let mut out = String::from("-----BEGIN PUBLIC KEY-----\n");
    let chars: Vec<char> = der_b64.chars().collect();
    for line in chars.chunks(64) {
        out.extend(line);
        out.push('\n');
    }
    out.push_str("-----END PUBLIC KEY-----\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_metadata_reads_the_wire_shape() {
        let m: KeyMetadata = serde_json::from_value(serde_json::json!({
            "AWSAccountId": "111122223333", "KeyId": "k", "Arn": "arn", "CreationDate": 1.5,
            "Enabled": true, "KeyUsage": "SIGN_VERIFY", "KeyState": "Enabled", "Origin": "AWS_KMS",
            "KeyManager": "CUSTOMER", "KeySpec": "ECC_NIST_P256", "SigningAlgorithms": ["ECDSA_SHA_256"],
            "MultiRegion": false, "CustomerMasterKeySpec": "ECC_NIST_P256"
        }))
        .unwrap();
        assert_eq!(m.aws_account_id, "111122223333");
        assert!(m.is_asymmetric());
        assert_eq!(m.key_type(), "Asymmetric");
        assert_eq!(m.signing_algorithms, vec![SigningAlgorithm::EcdsaSha256]);
        assert_eq!(m.key_spec, Some(KeySpec::EccNistP256));
        assert_eq!(m.key_usage, Some(KeyUsage::SignVerify));
        assert_eq!(m.key_state, Some(KeyState::Enabled));
        assert_eq!(m.origin, Some(Origin::AwsKms));
        assert!(m.is_customer_managed());
        // Shown under the AWS names, as the strings were.
        assert_eq!(
            (
                m.spec_name(),
                m.state_name(),
                m.usage_name(),
                m.origin_name()
            ),
            ("ECC_NIST_P256", "Enabled", "SIGN_VERIFY", "AWS_KMS")
        );
    }

    /// What the sandbox's DescribeKey answers for each kind of key reads into the typed model.
    #[test]
    fn describe_key_answers_parse_per_kind() {
        let mut kms = kms_core::Sandbox::in_memory(1);
        let kinds = [
            ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "AWS_KMS"),
            ("HMAC_384", "GENERATE_VERIFY_MAC", "AWS_KMS"),
            ("RSA_2048", "ENCRYPT_DECRYPT", "AWS_KMS"),
            ("ECC_NIST_P384", "KEY_AGREEMENT", "AWS_KMS"),
            ("ML_KEM_768", "ENCAPSULATE_DECAPSULATE", "AWS_KMS"),
            ("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT", "EXTERNAL"),
        ];
        for (spec, usage, origin) in kinds {
            let created = kms
                .call(
                    "CreateKey",
                    serde_json::json!({ "KeySpec": spec, "KeyUsage": usage, "Origin": origin }),
                )
                .unwrap();
            let id = created["KeyMetadata"]["KeyId"].as_str().unwrap();
            let v = kms
                .call("DescribeKey", serde_json::json!({ "KeyId": id }))
                .unwrap();
            let m: KeyMetadata = serde_json::from_value(v["KeyMetadata"].clone()).unwrap();
            let spec = KeySpec::parse(spec).unwrap();
            assert_eq!(m.key_spec, Some(spec));
            assert_eq!(m.usage_name(), usage);
            assert_eq!(m.origin_name(), origin);
            assert_eq!(m.key_manager, Some(KeyManager::Customer));
            assert_eq!(m.is_asymmetric(), spec.is_asymmetric());
            // The algorithm lists are the engine's own rules for the spec and usage.
            let u = m.key_usage.unwrap();
            assert_eq!(m.encryption_algorithms, spec.encryption_algorithms(u));
            assert_eq!(m.signing_algorithms, spec.signing_algorithms(u));
            assert_eq!(
                m.mac_algorithms,
                spec.mac_algorithm().into_iter().collect::<Vec<_>>()
            );
            let expected_state = if origin == "EXTERNAL" {
                KeyState::PendingImport
            } else {
                KeyState::Enabled
            };
            assert_eq!(m.key_state, Some(expected_state));
        }
    }

    #[test]
    fn metadata_without_members_is_a_key_the_console_does_not_know() {
        let m = KeyMetadata::default();
        assert_eq!(
            (m.spec_name(), m.state_name(), m.usage_name()),
            ("", "", "")
        );
        // As with the empty strings before: neither symmetric nor HMAC, so asymmetric.
        assert!(m.is_asymmetric() && !m.is_symmetric_encryption() && !m.is_customer_managed());
        assert_eq!(key_usage_label(m.key_usage), "");
        assert_eq!(key_state_label(m.key_state), "");
    }

    #[test]
    fn labels_per_value() {
        assert_eq!(
            KeyState::ALL
                .iter()
                .map(|s| key_state_label(Some(*s)))
                .collect::<Vec<_>>(),
            [
                "Creating",
                "Enabled",
                "Disabled",
                "Pending deletion",
                "Pending import",
                "Pending replica deletion",
                "Unavailable",
                "Updating"
            ]
        );
        assert_eq!(
            key_usage_label(Some(KeyUsage::GenerateVerifyMac)),
            "Generate and verify MAC"
        );
        assert_eq!(origin_label(Some(Origin::External)), "External");
        assert_eq!(origin_label(Some(Origin::AwsKms)), "AWS KMS");
    }

    #[test]
    fn spec_hints() {
        assert_eq!(
            key_spec_hint(KeySpec::Rsa4096),
            "RSA key pair, 4096-bit modulus (slowest to generate)."
        );
        assert_eq!(
            key_spec_hint(KeySpec::Hmac224),
            "A symmetric key for HMAC tags of that length."
        );
        assert_eq!(
            key_spec_hint(KeySpec::Sm2),
            "ShangMi 2 elliptic curve key pair (China Regions only)."
        );
        // The wizard's order lists every spec kms_core knows, once.
        let mut order = CONSOLE_SPEC_ORDER.to_vec();
        order.sort();
        let mut all = KeySpec::ALL.to_vec();
        all.sort();
        assert_eq!(order, all);
    }

    #[test]
    fn picking_an_algorithm() {
        let rsa = KeySpec::Rsa2048.encryption_algorithms(KeyUsage::EncryptDecrypt);
        assert_eq!(
            pick_algorithm("RSAES_OAEP_SHA_256", &rsa),
            Some(EncryptionAlgorithm::RsaesOaepSha256)
        );
        // A choice the key does not offer (another key's) falls back to its first.
        assert_eq!(
            pick_algorithm("SYMMETRIC_DEFAULT", &rsa),
            Some(EncryptionAlgorithm::RsaesOaepSha1)
        );
        let none: Vec<MacAlgorithm> = vec![];
        assert_eq!(pick_algorithm("", &none), None);
        assert_eq!(
            algorithm_name(pick_algorithm("", &none)),
            "SYMMETRIC_DEFAULT"
        );
        assert_eq!(
            algorithm_name(Some(SigningAlgorithm::Ed25519PhSha512)),
            "ED25519_PH_SHA_512"
        );
    }

    #[test]
    fn alias_rules() {
        assert_eq!(validate_alias("my-key").unwrap(), "alias/my-key");
        assert_eq!(validate_alias("").unwrap_err(), "Alias is required.");
        assert!(validate_alias("aws/foo")
            .unwrap_err()
            .contains("cannot begin with aws/"));
        assert!(validate_alias("bad name")
            .unwrap_err()
            .contains("alphanumeric"));
        assert!(validate_alias(&"a".repeat(251)).is_err());
        assert!(validate_alias("HMAC/test_key-1").is_ok());
    }

    #[test]
    fn tag_rules() {
        assert!(validate_tag("team", "").is_ok());
        assert!(validate_tag("", "x").is_err());
        assert!(validate_tag("aws:foo", "x").is_err());
        assert!(validate_tag(&"k".repeat(129), "").is_err());
    }

    #[test]
    fn pem_wraps_at_64() {
        let pem = public_key_pem(&"A".repeat(100));
        let lines: Vec<&str> = pem.lines().collect();
        assert_eq!(lines[0], "-----BEGIN PUBLIC KEY-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines[2].len(), 36);
        assert_eq!(lines[3], "-----END PUBLIC KEY-----");
    }

    #[test]
    fn the_wizard_offers_every_spec_per_region() {
        let sign = key_specs_for("Asymmetric", KeyUsage::SignVerify, "us-east-1");
        assert_eq!(
            sign.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
            [
                "RSA_2048",
                "RSA_3072",
                "RSA_4096",
                "ECC_NIST_P256",
                "ECC_NIST_P384",
                "ECC_NIST_P521",
                "ECC_SECG_P256K1",
                "ECC_NIST_EDWARDS25519",
                "ML_DSA_44",
                "ML_DSA_65",
                "ML_DSA_87"
            ]
        );
        // SM2 only in the China Regions, ML-KEM everywhere else.
        assert!(
            key_specs_for("Asymmetric", KeyUsage::SignVerify, "cn-north-1").contains(&KeySpec::Sm2)
        );
        let us = wizard_usages("Asymmetric", "us-east-1");
        assert_eq!(us.last(), Some(&KeyUsage::EncapsulateDecapsulate));
        assert!(
            !wizard_usages("Asymmetric", "cn-north-1").contains(&KeyUsage::EncapsulateDecapsulate)
        );
        assert_eq!(
            key_specs_for("Asymmetric", KeyUsage::KeyAgreement, "us-east-1"),
            [
                KeySpec::EccNistP256,
                KeySpec::EccNistP384,
                KeySpec::EccNistP521
            ]
        );
        assert_eq!(
            key_specs_for("Asymmetric", KeyUsage::EncryptDecrypt, "cn-north-1").last(),
            Some(&KeySpec::Sm2)
        );
        assert_eq!(
            wizard_usages("Symmetric", "us-east-1"),
            [KeyUsage::EncryptDecrypt, KeyUsage::GenerateVerifyMac]
        );
        for spec in CONSOLE_SPEC_ORDER {
            assert!(!key_spec_hint(*spec).is_empty(), "{spec}");
        }
    }

    #[test]
    fn specs_per_type_and_usage() {
        assert_eq!(
            key_specs_for("Symmetric", KeyUsage::EncryptDecrypt, "us-east-1"),
            [KeySpec::SymmetricDefault]
        );
        assert!(
            !key_specs_for("Asymmetric", KeyUsage::EncryptDecrypt, "us-east-1")
                .contains(&KeySpec::EccNistP256)
        );
    }
}
