//! The engine's errors: KMS's and CloudTrail's error shape names, and the codes IAM and STS (query
//! protocol) put in their error responses, with AWS's HTTP status codes.

use std::fmt;

macro_rules! error_types {
    ($($variant:ident = $name:literal, $status:literal;)*) => {
        /// An AWS error type: for KMS the API model's error shape name, for IAM and STS the error
        /// code their models give the shape (what the query protocol's `<Code>` carries).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorType { $($variant,)* }

        impl ErrorType {
            /// The `__type` AWS puts in a JSON error body, e.g. `NotFoundException`, or the `<Code>`
            /// of a query-protocol error response, e.g. `NoSuchEntity`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorType::$variant => $name,)* }
            }
            /// The HTTP status AWS answers with.
            pub fn status(self) -> u16 {
                match self { $(ErrorType::$variant => $status,)* }
            }
            pub fn from_name(name: &str) -> Option<ErrorType> {
                match name { $($name => Some(ErrorType::$variant),)* _ => None }
            }
        }
    };
}

error_types! {
    AccessDenied = "AccessDeniedException", 400;
    AlreadyExists = "AlreadyExistsException", 400;
    CloudHsmClusterNotFound = "CloudHsmClusterNotFoundException", 400;
    Conflict = "ConflictException", 400;
    CustomKeyStoreNotFound = "CustomKeyStoreNotFoundException", 400;
    Disabled = "DisabledException", 400;
    DryRunOperation = "DryRunOperationException", 412;
    ExpiredImportToken = "ExpiredImportTokenException", 400;
    IncorrectKeyMaterial = "IncorrectKeyMaterialException", 400;
    IncorrectKey = "IncorrectKeyException", 400;
    InvalidAliasName = "InvalidAliasNameException", 400;
    InvalidArn = "InvalidArnException", 400;
    InvalidCiphertext = "InvalidCiphertextException", 400;
    InvalidGrantId = "InvalidGrantIdException", 400;
    InvalidGrantToken = "InvalidGrantTokenException", 400;
    InvalidImportToken = "InvalidImportTokenException", 400;
    InvalidKeyUsage = "InvalidKeyUsageException", 400;
    InvalidMarker = "InvalidMarkerException", 400;
    KmsInternal = "KMSInternalException", 500;
    KmsInvalidMac = "KMSInvalidMacException", 400;
    KmsInvalidSignature = "KMSInvalidSignatureException", 400;
    KmsInvalidState = "KMSInvalidStateException", 400;
    LimitExceeded = "LimitExceededException", 400;
    MalformedPolicyDocument = "MalformedPolicyDocumentException", 400;
    NotFound = "NotFoundException", 400;
    Serialization = "SerializationException", 400;
    Tag = "TagException", 400;
    UnknownOperation = "UnknownOperationException", 400;
    UnsupportedOperation = "UnsupportedOperationException", 400;
    Validation = "ValidationException", 400;
    XksProxyUriUnreachable = "XksProxyUriUnreachableException", 400;
    XksProxyVpcEndpointServiceNotFound = "XksProxyVpcEndpointServiceNotFoundException", 400;

    // KMS's answers to a request signed with an unknown, inactive or expired access key (STS's
    // model also has ExpiredTokenException, for an expired web identity token).
    UnrecognizedClient = "UnrecognizedClientException", 400;
    ExpiredTokenException = "ExpiredTokenException", 400;
    // A request signed with a wrong secret access key: the JSON protocol's code, and the query
    // protocol's (`SignatureDoesNotMatch`).
    InvalidSignature = "InvalidSignatureException", 400;
    SignatureDoesNotMatch = "SignatureDoesNotMatch", 403;

    // IAM and STS (query protocol): the codes of their models' error shapes, and the common
    // errors of every query API. Where KMS has a shape of the same name (LimitExceededException,
    // MalformedPolicyDocumentException), the code and status differ, hence the `Iam` variants.
    ConcurrentModification = "ConcurrentModification", 409;
    DeleteConflict = "DeleteConflict", 409;
    EntityAlreadyExists = "EntityAlreadyExists", 409;
    // An expired session's credentials, as IAM and STS report them (403, per IAM's common
    // errors).
    ExpiredToken = "ExpiredToken", 403;
    IamAccessDenied = "AccessDenied", 403;
    IamLimitExceeded = "LimitExceeded", 409;
    IamMalformedPolicyDocument = "MalformedPolicyDocument", 400;
    InvalidAction = "InvalidAction", 400;
    InvalidClientTokenId = "InvalidClientTokenId", 403;
    InvalidInput = "InvalidInput", 400;
    // A common error of every query API (not in STS's model): STS's answer to session tags that
    // repeat a key.
    InvalidParameterValue = "InvalidParameterValue", 400;
    MalformedQueryString = "MalformedQueryString", 404;
    MissingAction = "MissingAction", 400;
    NoSuchEntity = "NoSuchEntity", 404;
    PackedPolicyTooLarge = "PackedPolicyTooLarge", 400;
    PolicyNotAttachable = "PolicyNotAttachable", 400;
    RegionDisabled = "RegionDisabledException", 403;
    ServiceFailure = "ServiceFailure", 500;
    UnmodifiableEntity = "UnmodifiableEntity", 400;
    ValidationError = "ValidationError", 400;

    // CloudTrail's LookupEvents (JSON 1.1, like KMS: these are its model's error shape names).
    InvalidEventCategory = "InvalidEventCategoryException", 400;
    InvalidLookupAttributes = "InvalidLookupAttributesException", 400;
    InvalidMaxResults = "InvalidMaxResultsException", 400;
    InvalidNextToken = "InvalidNextTokenException", 400;
    InvalidTimeRange = "InvalidTimeRangeException", 400;

    // The sandbox's own backups (no AWS API has them): a file that is not a backup this build
    // reads, or is damaged; a passphrase that does not open it.
    InvalidBackup = "InvalidBackupException", 400;
    InvalidPassphrase = "InvalidPassphraseException", 400;
}

impl ErrorType {
    /// Whether the caller is at fault (the query protocol's `<Type>Sender</Type>`) rather than
    /// the service (`Receiver`).
    pub fn is_sender_fault(self) -> bool {
        self.status() < 500
    }
}

/// An error as AWS KMS reports it: a type and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KmsError {
    pub error_type: ErrorType,
    pub message: String,
}

impl KmsError {
    pub fn new(error_type: ErrorType, message: impl Into<String>) -> Self {
        KmsError {
            error_type,
            message: message.into(),
        }
    }

    /// AWS's JSON 1.1 error body: `{"__type": "...", "message": "..."}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({ "__type": self.error_type.as_str(), "message": self.message })
    }

    pub fn status(&self) -> u16 {
        self.error_type.status()
    }
}

impl fmt::Display for KmsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type.as_str(), self.message)
    }
}

impl std::error::Error for KmsError {}

macro_rules! constructors {
    ($($fn_name:ident => $variant:ident),* $(,)?) => {
        impl KmsError {
            $(pub fn $fn_name(message: impl Into<String>) -> Self {
                KmsError::new(ErrorType::$variant, message)
            })*
        }
    };
}

constructors! {
    access_denied => AccessDenied,
    already_exists => AlreadyExists,
    disabled => Disabled,
    incorrect_key => IncorrectKey,
    invalid_alias_name => InvalidAliasName,
    invalid_arn => InvalidArn,
    invalid_ciphertext => InvalidCiphertext,
    invalid_key_usage => InvalidKeyUsage,
    invalid_marker => InvalidMarker,
    internal => KmsInternal,
    invalid_state => KmsInvalidState,
    limit_exceeded => LimitExceeded,
    malformed_policy => MalformedPolicyDocument,
    not_found => NotFound,
    serialization => Serialization,
    tag => Tag,
    unsupported => UnsupportedOperation,
    validation => Validation,
    delete_conflict => DeleteConflict,
    entity_already_exists => EntityAlreadyExists,
    iam_access_denied => IamAccessDenied,
    iam_limit_exceeded => IamLimitExceeded,
    iam_malformed_policy => IamMalformedPolicyDocument,
    invalid_input => InvalidInput,
    no_such_entity => NoSuchEntity,
    validation_error => ValidationError,
}

pub type Result<T, E = KmsError> = std::result::Result<T, E>;
