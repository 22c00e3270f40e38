//! The API model's enums the engine acts on, spelled exactly as AWS spells them.

use serde::{Deserialize, Serialize};

macro_rules! aws_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $s:literal),* $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $s)] $variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $s,)* }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s { $($s => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

aws_enum!(
    /// `KeySpec`: every value of the model, so that each can be named in an error.
    KeySpec {
        Rsa2048 = "RSA_2048", Rsa3072 = "RSA_3072", Rsa4096 = "RSA_4096",
        EccNistP256 = "ECC_NIST_P256", EccNistP384 = "ECC_NIST_P384", EccNistP521 = "ECC_NIST_P521",
        EccSecgP256k1 = "ECC_SECG_P256K1", SymmetricDefault = "SYMMETRIC_DEFAULT",
        Hmac224 = "HMAC_224", Hmac256 = "HMAC_256", Hmac384 = "HMAC_384", Hmac512 = "HMAC_512",
        Sm2 = "SM2", MlDsa44 = "ML_DSA_44", MlDsa65 = "ML_DSA_65", MlDsa87 = "ML_DSA_87",
        EccNistEdwards25519 = "ECC_NIST_EDWARDS25519",
        MlKem512 = "ML_KEM_512", MlKem768 = "ML_KEM_768", MlKem1024 = "ML_KEM_1024",
    }
);

aws_enum!(KeyUsage {
    SignVerify = "SIGN_VERIFY", EncryptDecrypt = "ENCRYPT_DECRYPT",
    GenerateVerifyMac = "GENERATE_VERIFY_MAC", KeyAgreement = "KEY_AGREEMENT",
    EncapsulateDecapsulate = "ENCAPSULATE_DECAPSULATE",
});

aws_enum!(KeyState {
    Creating = "Creating", Enabled = "Enabled", Disabled = "Disabled",
    PendingDeletion = "PendingDeletion", PendingImport = "PendingImport",
    PendingReplicaDeletion = "PendingReplicaDeletion", Unavailable = "Unavailable",
    Updating = "Updating",
});

aws_enum!(Origin {
    AwsKms = "AWS_KMS", External = "EXTERNAL", AwsCloudHsm = "AWS_CLOUDHSM",
    ExternalKeyStore = "EXTERNAL_KEY_STORE",
});

aws_enum!(KeyManager { Aws = "AWS", Customer = "CUSTOMER" });

aws_enum!(EncryptionAlgorithm {
    SymmetricDefault = "SYMMETRIC_DEFAULT", RsaesOaepSha1 = "RSAES_OAEP_SHA_1",
    RsaesOaepSha256 = "RSAES_OAEP_SHA_256", Sm2Pke = "SM2PKE",
});

aws_enum!(SigningAlgorithm {
    RsassaPssSha256 = "RSASSA_PSS_SHA_256", RsassaPssSha384 = "RSASSA_PSS_SHA_384",
    RsassaPssSha512 = "RSASSA_PSS_SHA_512", RsassaPkcs1V15Sha256 = "RSASSA_PKCS1_V1_5_SHA_256",
    RsassaPkcs1V15Sha384 = "RSASSA_PKCS1_V1_5_SHA_384", RsassaPkcs1V15Sha512 = "RSASSA_PKCS1_V1_5_SHA_512",
    EcdsaSha256 = "ECDSA_SHA_256", EcdsaSha384 = "ECDSA_SHA_384", EcdsaSha512 = "ECDSA_SHA_512",
    Sm2Dsa = "SM2DSA", MlDsaShake256 = "ML_DSA_SHAKE_256", Ed25519Sha512 = "ED25519_SHA_512",
    Ed25519PhSha512 = "ED25519_PH_SHA_512",
});

aws_enum!(MacAlgorithm {
    HmacSha224 = "HMAC_SHA_224", HmacSha256 = "HMAC_SHA_256",
    HmacSha384 = "HMAC_SHA_384", HmacSha512 = "HMAC_SHA_512",
});

aws_enum!(MessageType { Raw = "RAW", Digest = "DIGEST", ExternalMu = "EXTERNAL_MU" });

aws_enum!(KeyAgreementAlgorithm { Ecdh = "ECDH" });

aws_enum!(EncapsulationAlgorithm { MlKem = "ML_KEM" });

aws_enum!(
    /// `AlgorithmSpec` less RSAES_PKCS1_V1_5, which KMS no longer accepts: what
    /// GetParametersForImport wraps with (see [`crate::wrapping`]). SM2PKE goes with an SM2
    /// wrapping key, in the China Regions only.
    WrappingAlgorithm {
        RsaesOaepSha1 = "RSAES_OAEP_SHA_1", RsaesOaepSha256 = "RSAES_OAEP_SHA_256",
        RsaAesKeyWrapSha1 = "RSA_AES_KEY_WRAP_SHA_1", RsaAesKeyWrapSha256 = "RSA_AES_KEY_WRAP_SHA_256",
        Sm2Pke = "SM2PKE",
    }
);

aws_enum!(WrappingKeySpec { Rsa2048 = "RSA_2048", Rsa3072 = "RSA_3072", Rsa4096 = "RSA_4096", Sm2 = "SM2" });

aws_enum!(
    /// `ExpirationModelType`.
    ExpirationModel {
        KeyMaterialExpires = "KEY_MATERIAL_EXPIRES",
        KeyMaterialDoesNotExpire = "KEY_MATERIAL_DOES_NOT_EXPIRE",
    }
);

aws_enum!(RotationType { Automatic = "AUTOMATIC", OnDemand = "ON_DEMAND" });

aws_enum!(KeyMaterialState {
    NonCurrent = "NON_CURRENT", Current = "CURRENT", PendingRotation = "PENDING_ROTATION",
    PendingMultiRegionImportAndRotation = "PENDING_MULTI_REGION_IMPORT_AND_ROTATION",
});

aws_enum!(DataKeySpec { Aes256 = "AES_256", Aes128 = "AES_128" });

aws_enum!(
    /// A multi-Region key's role. Its related keys are the keys with the same key id in other
    /// Regions of the account, so the set is read, not stored, and cannot go stale.
    MultiRegionKeyType { Primary = "PRIMARY", Replica = "REPLICA" }
);

/// The two China Regions, where SM2 keys exist and ML-KEM keys do not.
pub const CHINA_REGIONS: [&str; 2] = ["cn-north-1", "cn-northwest-1"];

pub fn is_china_region(region: &str) -> bool {
    CHINA_REGIONS.contains(&region)
}

impl KeySpec {
    /// Whether KMS offers this spec in `region`: SM2 only in the China Regions, the ML-KEM specs
    /// everywhere else (CreateKey's KeySpec documentation). Others answer
    /// UnsupportedOperationException.
    pub fn is_offered_in(self, region: &str) -> bool {
        match self {
            KeySpec::Sm2 => is_china_region(region),
            KeySpec::MlKem512 | KeySpec::MlKem768 | KeySpec::MlKem1024 => !is_china_region(region),
            _ => true,
        }
    }

    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            KeySpec::Rsa2048 => Some(2048),
            KeySpec::Rsa3072 => Some(3072),
            KeySpec::Rsa4096 => Some(4096),
            _ => None,
        }
    }

    pub fn is_hmac(self) -> bool {
        self.mac_algorithm().is_some()
    }

    pub fn is_asymmetric(self) -> bool {
        !matches!(self, KeySpec::SymmetricDefault) && !self.is_hmac()
    }

    pub fn is_ml_dsa(self) -> bool {
        matches!(self, KeySpec::MlDsa44 | KeySpec::MlDsa65 | KeySpec::MlDsa87)
    }

    pub fn is_ml_kem(self) -> bool {
        matches!(
            self,
            KeySpec::MlKem512 | KeySpec::MlKem768 | KeySpec::MlKem1024
        )
    }

    /// HMAC key length in bytes, as AWS documents it (equal to the digest length).
    pub fn hmac_key_len(self) -> Option<usize> {
        self.mac_algorithm().map(MacAlgorithm::output_len)
    }

    pub fn mac_algorithm(self) -> Option<MacAlgorithm> {
        match self {
            KeySpec::Hmac224 => Some(MacAlgorithm::HmacSha224),
            KeySpec::Hmac256 => Some(MacAlgorithm::HmacSha256),
            KeySpec::Hmac384 => Some(MacAlgorithm::HmacSha384),
            KeySpec::Hmac512 => Some(MacAlgorithm::HmacSha512),
            _ => None,
        }
    }

    /// The key usages AWS allows for this spec, the first being the default (CreateKey's
    /// KeyUsage documentation: secp256k1 and Ed25519 sign only, ML-KEM encapsulates).
    pub fn usages(self) -> &'static [KeyUsage] {
        use KeySpec::*;
        match self {
            SymmetricDefault => &[KeyUsage::EncryptDecrypt],
            Rsa2048 | Rsa3072 | Rsa4096 => &[KeyUsage::EncryptDecrypt, KeyUsage::SignVerify],
            EccNistP256 | EccNistP384 | EccNistP521 => {
                &[KeyUsage::SignVerify, KeyUsage::KeyAgreement]
            }
            Hmac224 | Hmac256 | Hmac384 | Hmac512 => &[KeyUsage::GenerateVerifyMac],
            Sm2 => &[
                KeyUsage::SignVerify,
                KeyUsage::EncryptDecrypt,
                KeyUsage::KeyAgreement,
            ],
            EccSecgP256k1 | MlDsa44 | MlDsa65 | MlDsa87 | EccNistEdwards25519 => {
                &[KeyUsage::SignVerify]
            }
            MlKem512 | MlKem768 | MlKem1024 => &[KeyUsage::EncapsulateDecapsulate],
        }
    }

    pub fn encryption_algorithms(self, usage: KeyUsage) -> Vec<EncryptionAlgorithm> {
        match (self, usage) {
            (KeySpec::SymmetricDefault, _) => vec![EncryptionAlgorithm::SymmetricDefault],
            (s, KeyUsage::EncryptDecrypt) if s.rsa_bits().is_some() => {
                vec![
                    EncryptionAlgorithm::RsaesOaepSha1,
                    EncryptionAlgorithm::RsaesOaepSha256,
                ]
            }
            (KeySpec::Sm2, KeyUsage::EncryptDecrypt) => vec![EncryptionAlgorithm::Sm2Pke],
            _ => vec![],
        }
    }

    pub fn signing_algorithms(self, usage: KeyUsage) -> Vec<SigningAlgorithm> {
        use SigningAlgorithm::*;
        if usage != KeyUsage::SignVerify {
            return vec![];
        }
        match self {
            // In the order DescribeKey lists them (find-symm-asymm.md).
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => vec![
                RsassaPkcs1V15Sha256,
                RsassaPkcs1V15Sha384,
                RsassaPkcs1V15Sha512,
                RsassaPssSha256,
                RsassaPssSha384,
                RsassaPssSha512,
            ],
            KeySpec::EccNistP256 | KeySpec::EccSecgP256k1 => vec![EcdsaSha256],
            KeySpec::EccNistP384 => vec![EcdsaSha384],
            KeySpec::EccNistP521 => vec![EcdsaSha512],
            KeySpec::EccNistEdwards25519 => vec![Ed25519Sha512, Ed25519PhSha512],
            KeySpec::MlDsa44 | KeySpec::MlDsa65 | KeySpec::MlDsa87 => vec![MlDsaShake256],
            KeySpec::Sm2 => vec![Sm2Dsa],
            _ => vec![],
        }
    }

    /// DeriveSharedSecret's algorithms: ECDH for the NIST curves and SM2 with KEY_AGREEMENT.
    pub fn key_agreement_algorithms(self, usage: KeyUsage) -> Vec<KeyAgreementAlgorithm> {
        if usage == KeyUsage::KeyAgreement {
            vec![KeyAgreementAlgorithm::Ecdh]
        } else {
            vec![]
        }
    }

    /// Encapsulate/Decapsulate's algorithms: ML_KEM for the ML-KEM specs.
    pub fn encapsulation_algorithms(self, usage: KeyUsage) -> Vec<EncapsulationAlgorithm> {
        if usage == KeyUsage::EncapsulateDecapsulate {
            vec![EncapsulationAlgorithm::MlKem]
        } else {
            vec![]
        }
    }

    /// ML-KEM's ciphertext (SharedSecretCiphertextBlob) length in bytes, as Encapsulate's
    /// documentation gives it.
    pub fn ml_kem_ciphertext_len(self) -> Option<usize> {
        match self {
            KeySpec::MlKem512 => Some(768),
            KeySpec::MlKem768 => Some(1088),
            KeySpec::MlKem1024 => Some(1568),
            _ => None,
        }
    }
}

impl MacAlgorithm {
    pub fn output_len(self) -> usize {
        match self {
            MacAlgorithm::HmacSha224 => 28,
            MacAlgorithm::HmacSha256 => 32,
            MacAlgorithm::HmacSha384 => 48,
            MacAlgorithm::HmacSha512 => 64,
        }
    }
}

impl SigningAlgorithm {
    /// Length in bytes of the digest this algorithm signs (a DIGEST message must have it):
    /// SM2DSA's is SM3's, ED25519_PH_SHA_512's SHA-512's. ED25519_SHA_512 and ML_DSA_SHAKE_256
    /// take no DIGEST.
    pub fn digest_len(self) -> Option<usize> {
        use SigningAlgorithm::*;
        match self {
            RsassaPssSha256 | RsassaPkcs1V15Sha256 | EcdsaSha256 | Sm2Dsa => Some(32),
            RsassaPssSha384 | RsassaPkcs1V15Sha384 | EcdsaSha384 => Some(48),
            RsassaPssSha512 | RsassaPkcs1V15Sha512 | EcdsaSha512 | Ed25519PhSha512 => Some(64),
            Ed25519Sha512 | MlDsaShake256 => None,
        }
    }

    /// The MessageTypes Sign and Verify take with this algorithm (Sign's MessageType
    /// documentation): ED25519_SHA_512 RAW only, ED25519_PH_SHA_512 DIGEST only, ML-DSA RAW or
    /// EXTERNAL_MU (64 bytes), the others RAW or a DIGEST of [`SigningAlgorithm::digest_len`].
    pub fn message_types(self) -> &'static [MessageType] {
        match self {
            SigningAlgorithm::Ed25519Sha512 => &[MessageType::Raw],
            SigningAlgorithm::Ed25519PhSha512 => &[MessageType::Digest],
            SigningAlgorithm::MlDsaShake256 => &[MessageType::Raw, MessageType::ExternalMu],
            _ => &[MessageType::Raw, MessageType::Digest],
        }
    }
}
