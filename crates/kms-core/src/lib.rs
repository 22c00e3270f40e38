//! # kms-core
//!
//! The AWS Key Management Service API (2014-11-01), as a pure engine; with the parts of IAM
//! (2010-05-08) and STS (2011-06-15) that give a sandbox account its principals: users, roles,
//! their policies and access keys, and role sessions.
//!
//! It does no I/O: it never reads a clock, never draws randomness and never touches storage.
//! Time and randomness come in through [`Clock`] and [`Entropy`]; every operation returns the
//! [`Change`]s it made, for the caller to persist before it reports the operation done (see
//! [`Engine`]). [`Sandbox`] puts the three together in memory.
//!
//! CloudTrail's records of every call, of what KMS does on its own as time passes, and the
//! LookupEvents that searches them are in [`trail`] (the events are the caller's to store); what
//! the account's KMS use costs is in [`bill`]; a whole sandbox as one backup body (every record
//! with its secrets), for the shell to encrypt, in [`backup`].
//!
//! ```
//! use kms_core::{Sandbox, json};
//! let mut kms = Sandbox::in_memory(7);
//! let key = kms.call("CreateKey", json!({})).unwrap();
//! let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap();
//! let ct = kms.call("Encrypt", json!({"KeyId": key_id, "Plaintext": "aGVsbG8="})).unwrap();
//! let pt = kms.call("Decrypt", json!({"CiphertextBlob": ct["CiphertextBlob"]})).unwrap();
//! assert_eq!(pt["Plaintext"], "aGVsbG8=");
//! ```

pub mod access;
pub mod arn;
pub mod backup;
pub mod bill;
mod caller;
mod ciphertext;
pub mod cloudformation;
pub mod crypto;
mod engine;
mod env;
mod error;
mod iam;
pub mod model;
mod ops;
mod outcome;
pub mod platform;
pub mod query;
mod records;
pub mod regions;
mod resolve;
mod sandbox;
mod secret;
mod service;
mod service_event;
pub mod sigv4;
mod spec;
mod state;
pub mod trail;
mod tx;
pub mod usage;
mod wrapping;

pub use caller::{Caller, Identity};
pub use env::{uuid_v4, Clock, Entropy, ManualClock, Millis, SeededEntropy, MILLIS_PER_DAY};
pub use error::{ErrorType, KmsError, Result};
pub use iam::{
    validate_identity_policy, validate_trust_policy, AccessKeyProblem, AccessKeyRecord,
    AccessKeyStatus, IamRecord, ManagedPolicyRecord, PolicyVersionRecord, RoleRecord,
    SessionRecord, TrustCheck, UserRecord,
};
pub use ops::keys::default_key_policy;
pub use ops::managed::AWS_MANAGED_SERVICES;
pub use outcome::Outcome;
pub use records::{
    alias_storage_key, key_storage_key, AliasRecord, BackingKey, Change, GrantRecord,
    ImportedMaterial, KeyRecord, MultiRegionKeyType, Record, RotationConfig,
};
pub use sandbox::Sandbox;
pub use secret::Secret;
pub use serde_json::{json, Value};
pub use service::Service;
pub use spec::{
    DataKeySpec, EncapsulationAlgorithm, EncryptionAlgorithm, ExpirationModel,
    KeyAgreementAlgorithm, KeyManager, KeyMaterialState, KeySpec, KeyState, KeyUsage, MacAlgorithm,
    MessageType, Origin, RotationType, SigningAlgorithm, WrappingAlgorithm, WrappingKeySpec,
};
pub use state::KeySummary;
pub use state::{Engine, DEFAULT_ACCOUNT_ID, DEFAULT_REGION};
