//! The API's data as the console reads it (names from the AWS model), and the console's words
//! for it: labels, key types, validation messages. Pure data, no I/O.

use kms_core::{KeySpec, KeyUsage};
use serde::Deserialize;

/// `KeyMetadata` from DescribeKey / CreateKey (the members the console shows).
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
    pub key_usage: String,
    pub key_state: String,
    pub deletion_date: Option<f64>,
    pub pending_deletion_window_in_days: Option<u32>,
    pub origin: String,
    pub key_manager: String,
    pub key_spec: String,
    pub encryption_algorithms: Vec<String>,
    pub signing_algorithms: Vec<String>,
    pub mac_algorithms: Vec<String>,
    pub key_agreement_algorithms: Vec<String>,
    pub multi_region: bool,
    pub multi_region_configuration: Option<MultiRegionConfiguration>,
    pub valid_to: Option<f64>,
    pub expiration_model: Option<String>,
}

/// `MultiRegionConfiguration` of a multi-Region key.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct MultiRegionConfiguration {
    pub multi_region_key_type: String,
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

impl KeyMetadata {
    pub fn is_customer_managed(&self) -> bool {
        self.key_manager == "CUSTOMER"
    }
    pub fn is_symmetric_encryption(&self) -> bool {
        self.key_spec == "SYMMETRIC_DEFAULT"
    }
    pub fn is_hmac(&self) -> bool {
        self.key_spec.starts_with("HMAC_")
    }
    pub fn is_asymmetric(&self) -> bool {
        !self.is_symmetric_encryption() && !self.is_hmac()
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
    pub rotation_type: Option<String>,
    pub key_material_state: Option<String>,
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

pub fn key_state_label(state: &str) -> &str {
    match state {
        "Enabled" => "Enabled",
        "Disabled" => "Disabled",
        "PendingDeletion" => "Pending deletion",
        "PendingImport" => "Pending import",
        "PendingReplicaDeletion" => "Pending replica deletion",
        "Unavailable" => "Unavailable",
        "Creating" => "Creating",
        "Updating" => "Updating",
        other => other,
    }
}

pub fn key_usage_label(usage: &str) -> &str {
    match usage {
        "ENCRYPT_DECRYPT" => "Encrypt and decrypt",
        "SIGN_VERIFY" => "Sign and verify",
        "GENERATE_VERIFY_MAC" => "Generate and verify MAC",
        "KEY_AGREEMENT" => "Key agreement",
        "ENCAPSULATE_DECAPSULATE" => "Encapsulate and decapsulate",
        other => other,
    }
}

pub fn origin_label(origin: &str) -> &str {
    match origin {
        "AWS_KMS" => "AWS KMS",
        "EXTERNAL" => "External",
        "AWS_CLOUDHSM" => "AWS CloudHSM",
        "EXTERNAL_KEY_STORE" => "External key store",
        other => other,
    }
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
pub fn key_spec_hint(spec: &str) -> &'static str {
    match spec {
        "SYMMETRIC_DEFAULT" => {
            "A single 256-bit AES-GCM key that never leaves AWS KMS unencrypted."
        }
        "HMAC_224" | "HMAC_256" | "HMAC_384" | "HMAC_512" => {
            "A symmetric key for HMAC tags of that length."
        }
        "RSA_2048" => "RSA key pair, 2048-bit modulus.",
        "RSA_3072" => "RSA key pair, 3072-bit modulus.",
        "RSA_4096" => "RSA key pair, 4096-bit modulus (slowest to generate).",
        "ECC_NIST_P256" => "Elliptic curve key pair on NIST P-256 (secp256r1).",
        "ECC_NIST_P384" => "Elliptic curve key pair on NIST P-384 (secp384r1).",
        "ECC_NIST_P521" => "Elliptic curve key pair on NIST P-521 (secp521r1).",
        "ECC_SECG_P256K1" => "Elliptic curve key pair on secp256k1, used for cryptocurrencies.",
        "ECC_NIST_EDWARDS25519" => "Edwards curve key pair on edwards25519 (Ed25519 signatures).",
        "ML_DSA_44" => "Post-quantum ML-DSA (FIPS 204) key pair, security category 2.",
        "ML_DSA_65" => "Post-quantum ML-DSA (FIPS 204) key pair, security category 3.",
        "ML_DSA_87" => "Post-quantum ML-DSA (FIPS 204) key pair, security category 5.",
        "ML_KEM_512" => "Post-quantum ML-KEM (FIPS 203) key pair, security category 1.",
        "ML_KEM_768" => "Post-quantum ML-KEM (FIPS 203) key pair, security category 3.",
        "ML_KEM_1024" => "Post-quantum ML-KEM (FIPS 203) key pair, security category 5.",
        "SM2" => "ShangMi 2 elliptic curve key pair (China Regions only).",
        _ => "",
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
        assert_eq!(m.signing_algorithms, vec!["ECDSA_SHA_256"]);
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
            assert!(!key_spec_hint(spec.as_str()).is_empty(), "{spec}");
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
