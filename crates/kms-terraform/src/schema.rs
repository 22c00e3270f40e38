//! The resource types of the AWS provider this Terraform knows, with their arguments and
//! exported attributes as the provider's documentation lists them.

/// An argument's or attribute's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    String,
    Number,
    Bool,
    Map,
    /// A set of strings (`TypeSet`): order does not matter, kept sorted as Terraform keeps it.
    Set,
    /// A set of nested blocks (`constraints { ... }`), each an object of maps.
    BlockSet,
}

#[derive(Debug, Clone, Copy)]
pub struct Attr {
    pub name: &'static str,
    pub ty: Ty,
    pub required: bool,
    /// Set by the configuration (an argument), else only exported.
    pub argument: bool,
    /// The provider's default when the configuration leaves it out (JSON text).
    pub default: Option<&'static str>,
    /// A change replaces the resource (`# forces replacement`).
    pub force_new: bool,
    /// The provider fills it when the configuration does not (`(known after apply)`).
    pub computed: bool,
    /// An argument that must not be set with this one (the provider's `ConflictsWith`).
    pub conflicts_with: Option<&'static str>,
    /// An argument that must be set with this one (the provider's `RequiredWith`).
    pub required_with: Option<&'static str>,
    /// Shown as `(sensitive value)` (the provider's `Sensitive`).
    pub sensitive: bool,
}

const fn arg(name: &'static str, ty: Ty) -> Attr {
    Attr {
        name,
        ty,
        required: false,
        argument: true,
        default: None,
        force_new: false,
        computed: false,
        conflicts_with: None,
        required_with: None,
        sensitive: false,
    }
}

/// Optional and computed: the provider fills it when left out.
const fn oc(name: &'static str, ty: Ty) -> Attr {
    Attr {
        computed: true,
        ..arg(name, ty)
    }
}

const fn req(name: &'static str, ty: Ty) -> Attr {
    Attr {
        required: true,
        ..arg(name, ty)
    }
}

const fn dflt(name: &'static str, ty: Ty, default: &'static str) -> Attr {
    Attr {
        default: Some(default),
        ..arg(name, ty)
    }
}

const fn out(name: &'static str, ty: Ty) -> Attr {
    Attr {
        argument: false,
        computed: true,
        ..arg(name, ty)
    }
}

const fn new(a: Attr) -> Attr {
    Attr {
        force_new: true,
        ..a
    }
}

const fn sensitive(a: Attr) -> Attr {
    Attr {
        sensitive: true,
        ..a
    }
}

const fn conflicts(a: Attr, other: &'static str) -> Attr {
    Attr {
        conflicts_with: Some(other),
        ..a
    }
}

const fn needs(a: Attr, other: &'static str) -> Attr {
    Attr {
        required_with: Some(other),
        ..a
    }
}

pub struct ResourceType {
    pub name: &'static str,
    pub attrs: &'static [Attr],
    /// The arguments of its `timeouts` block (none: the type has no such block).
    pub timeouts: &'static [&'static str],
}

impl ResourceType {
    pub fn attr(&self, name: &str) -> Option<&'static Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }
}

pub const TYPES: &[ResourceType] = &[
    ResourceType {
        name: "aws_kms_key",
        attrs: &[
            out("arn", Ty::String),
            dflt("bypass_policy_lockout_safety_check", Ty::Bool, "false"),
            new(arg("custom_key_store_id", Ty::String)),
            new(dflt(
                "customer_master_key_spec",
                Ty::String,
                "\"SYMMETRIC_DEFAULT\"",
            )),
            arg("deletion_window_in_days", Ty::Number),
            oc("description", Ty::String),
            dflt("enable_key_rotation", Ty::Bool, "false"),
            out("id", Ty::String),
            dflt("is_enabled", Ty::Bool, "true"),
            out("key_id", Ty::String),
            new(dflt("key_usage", Ty::String, "\"ENCRYPT_DECRYPT\"")),
            new(oc("multi_region", Ty::Bool)),
            oc("policy", Ty::String),
            needs(
                oc("rotation_period_in_days", Ty::Number),
                "enable_key_rotation",
            ),
            arg("tags", Ty::Map),
            out("tags_all", Ty::Map),
            new(needs(arg("xks_key_id", Ty::String), "custom_key_store_id")),
        ],
        timeouts: &["create"],
    },
    ResourceType {
        name: "aws_kms_alias",
        attrs: &[
            out("arn", Ty::String),
            out("id", Ty::String),
            new(conflicts(oc("name", Ty::String), "name_prefix")),
            new(conflicts(oc("name_prefix", Ty::String), "name")),
            out("target_key_arn", Ty::String),
            req("target_key_id", Ty::String),
        ],
        timeouts: &[],
    },
    ResourceType {
        name: "aws_kms_replica_key",
        attrs: &[
            out("arn", Ty::String),
            dflt("bypass_policy_lockout_safety_check", Ty::Bool, "false"),
            dflt("deletion_window_in_days", Ty::Number, "30"),
            arg("description", Ty::String),
            dflt("enabled", Ty::Bool, "true"),
            out("id", Ty::String),
            out("key_id", Ty::String),
            out("key_rotation_enabled", Ty::Bool),
            out("key_spec", Ty::String),
            out("key_usage", Ty::String),
            oc("policy", Ty::String),
            new(req("primary_key_arn", Ty::String)),
            arg("tags", Ty::Map),
            out("tags_all", Ty::Map),
        ],
        timeouts: &[],
    },
    ResourceType {
        name: "aws_kms_grant",
        attrs: &[
            new(arg("constraints", Ty::BlockSet)),
            new(arg("grant_creation_tokens", Ty::Set)),
            out("grant_id", Ty::String),
            sensitive(out("grant_token", Ty::String)),
            new(req("grantee_principal", Ty::String)),
            out("id", Ty::String),
            new(req("key_id", Ty::String)),
            new(arg("name", Ty::String)),
            new(req("operations", Ty::Set)),
            new(dflt("retire_on_delete", Ty::Bool, "false")),
            new(arg("retiring_principal", Ty::String)),
        ],
        timeouts: &[],
    },
    ResourceType {
        name: "aws_kms_key_policy",
        attrs: &[
            dflt("bypass_policy_lockout_safety_check", Ty::Bool, "false"),
            out("id", Ty::String),
            // Not ForceNew in the provider (key_policy.go): a new key_id is an update in place.
            req("key_id", Ty::String),
            req("policy", Ty::String),
        ],
        timeouts: &[],
    },
];

/// The arguments of a nested block type (`constraints`).
pub fn nested_attrs(block: &str) -> &'static [&'static str] {
    match block {
        "constraints" => &["encryption_context_equals", "encryption_context_subset"],
        _ => &[],
    }
}

pub fn resource_type(name: &str) -> Option<&'static ResourceType> {
    TYPES.iter().find(|t| t.name == name)
}

/// The provider's own checks of a known argument value (`terraform validate`), as its
/// messages say.
pub fn check_value(ty: &str, attr: &str, v: &serde_json::Value) -> Vec<String> {
    // validation.StringInSlice, with the choices in the AWS SDK's order.
    let one_of = |choices: &[&str]| -> Option<String> {
        let s = v.as_str()?;
        (!choices.contains(&s)).then(|| {
            format!(
                "expected {attr} to be one of [\"{}\"], got {s}",
                choices.join("\" \"")
            )
        })
    };
    let range = |lo: i64, hi: i64| -> Option<String> {
        let n = v.as_i64()?;
        (n < lo || n > hi)
            .then(|| format!("expected {attr} to be in the range ({lo} - {hi}), got {n}"))
    };
    let length = |lo: usize, hi: usize| -> Option<String> {
        let s = v.as_str()?;
        (s.len() < lo || s.len() > hi)
            .then(|| format!("expected length of {attr} to be in the range ({lo} - {hi}), got {s}"))
    };
    let found = match (ty, attr) {
        (_, "deletion_window_in_days") => range(7, 30),
        ("aws_kms_key", "rotation_period_in_days") => range(90, 2560),
        ("aws_kms_key", "custom_key_store_id") => length(1, 22),
        ("aws_kms_key", "xks_key_id") => length(1, 128),
        ("aws_kms_key" | "aws_kms_replica_key", "description") => length(0, 8192),
        ("aws_kms_key", "key_usage") => one_of(&[
            "SIGN_VERIFY",
            "ENCRYPT_DECRYPT",
            "GENERATE_VERIFY_MAC",
            "KEY_AGREEMENT",
        ]),
        // The KeySpec values of the provider v5.80's SDK (ML-DSA and Ed25519 came later).
        ("aws_kms_key", "customer_master_key_spec") => one_of(&[
            "RSA_2048",
            "RSA_3072",
            "RSA_4096",
            "ECC_NIST_P256",
            "ECC_NIST_P384",
            "ECC_NIST_P521",
            "ECC_SECG_P256K1",
            "SYMMETRIC_DEFAULT",
            "HMAC_224",
            "HMAC_256",
            "HMAC_384",
            "HMAC_512",
            "SM2",
        ]),
        // validation.StringIsJSON: `"policy" contains an invalid JSON: <Go's encoding/json error>`.
        (_, "policy") => v
            .as_str()
            .and_then(go_json_error)
            .map(|e| format!("\"{attr}\" contains an invalid JSON: {e}")),
        ("aws_kms_replica_key", "primary_key_arn") => {
            return v.as_str().map(|s| invalid_arn(attr, s)).unwrap_or_default()
        }
        ("aws_kms_key_policy", "key_id") => length(1, 2048),
        // validGrantName.
        ("aws_kms_grant", "name") => {
            let s = v.as_str().unwrap_or_default();
            let mut out = Vec::new();
            if s.len() > 256 {
                out.push(format!("{attr} can not be greater than 256 characters"));
            }
            let ok = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '/' | '-'));
            if !ok {
                out.push(format!("{attr} must only contain [0-9A-Za-z_:/-]"));
            }
            return out;
        }
        // enum.Validate[awstypes.GrantOperation] on each element, in the v5.80 SDK's order.
        ("aws_kms_grant", "operations") => {
            const OPERATIONS: &[&str] = &[
                "Decrypt",
                "Encrypt",
                "GenerateDataKey",
                "GenerateDataKeyWithoutPlaintext",
                "ReEncryptFrom",
                "ReEncryptTo",
                "Sign",
                "Verify",
                "GetPublicKey",
                "CreateGrant",
                "RetireGrant",
                "DescribeKey",
                "GenerateDataKeyPair",
                "GenerateDataKeyPairWithoutPlaintext",
                "GenerateMac",
                "VerifyMac",
                "DeriveSharedSecret",
            ];
            return v
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e.as_str())
                .filter(|e| !OPERATIONS.contains(e))
                .map(|e| {
                    format!(
                        "expected {attr} to be one of [\"{}\"], got {e}",
                        OPERATIONS.join("\" \"")
                    )
                })
                .collect();
        }
        // The provider's validNameForResource (internal/service/kms/validate.go): both checks.
        ("aws_kms_alias", "name" | "name_prefix") => {
            let s = v.as_str().unwrap_or_default();
            let mut out = Vec::new();
            if s.starts_with("alias/aws/") {
                out.push(format!(
                    "\"{attr}\" cannot begin with reserved AWS CMK prefix 'alias/aws/'"
                ));
            }
            let ok = s.strip_prefix("alias/").is_some_and(|rest| {
                !rest.is_empty()
                    && rest
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '/' | '-'))
            });
            if !ok {
                out.push(format!(
                    "\"{attr}\" must begin with 'alias/' and be comprised of only [0-9A-Za-z_/-]"
                ));
            }
            return out;
        }
        _ => None,
    };
    found.into_iter().collect()
}

/// verify.ValidARN: `"primary_key_arn" (x) is an invalid ARN: arn: invalid prefix` and the
/// checks of the parsed ARN's parts.
fn invalid_arn(attr: &str, value: &str) -> Vec<String> {
    if value.is_empty() {
        return Vec::new();
    }
    let bad = |why: &str| format!("\"{attr}\" ({value}) is an invalid ARN: {why}");
    // aws-sdk-go-v2's arn.Parse.
    if !value.starts_with("arn:") {
        return vec![bad("arn: invalid prefix")];
    }
    let parts: Vec<&str> = value.splitn(6, ':').collect();
    if parts.len() != 6 {
        return vec![bad("arn: not enough sections")];
    }
    let (partition, region, account, resource) = (parts[1], parts[3], parts[4], parts[5]);
    let lower_words = |s: &str| {
        !s.is_empty()
            && s.split('-')
                .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
    };
    let mut out = Vec::new();
    // ^aws(-[a-z]+)*$
    let partition_ok =
        partition == "aws" || partition.strip_prefix("aws-").is_some_and(lower_words);
    if partition.is_empty() {
        out.push(bad("missing partition value"));
    } else if !partition_ok {
        out.push(bad(
            "invalid partition value (expecting to match regular expression: ^aws(-[a-z]+)*$)",
        ));
    }
    // ^[a-z]{2}(-[a-z]+)+-\d{1,2}$
    let region_ok = {
        let words: Vec<&str> = region.split('-').collect();
        words.len() >= 3
            && words[0].len() == 2
            && words[0].chars().all(|c| c.is_ascii_lowercase())
            && words[1..words.len() - 1]
                .iter()
                .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_lowercase()))
            && (1..=2).contains(&words[words.len() - 1].len())
            && words[words.len() - 1].chars().all(|c| c.is_ascii_digit())
    };
    if !region.is_empty() && !region_ok {
        out.push(bad("invalid region value (expecting to match regular expression: ^[a-z]{2}(-[a-z]+)+-\\d{1,2}$)"));
    }
    let account_ok = matches!(account, "aws" | "aws-managed")
        || (account.len() == 12 && account.chars().all(|c| c.is_ascii_digit()));
    if !account.is_empty() && !account_ok {
        out.push(bad("invalid account ID value (expecting to match regular expression: ^(aws|aws-managed|\\d{12})$)"));
    }
    if resource.is_empty() {
        out.push(bad("missing resource value"));
    }
    out
}

/// Go's `json.Unmarshal` syntax error for `s` (`None`: valid JSON), as encoding/json's scanner
/// words it; an empty string is valid for the provider (structure.NormalizeJsonString).
pub fn go_json_error(s: &str) -> Option<String> {
    if s.is_empty() {
        return None;
    }
    let b = s.as_bytes();
    let mut p = GoJson { b, i: 0 };
    p.value()
        .and_then(|_| {
            p.ws();
            match p.peek() {
                None => Ok(()),
                Some(c) => Err(GoJson::invalid(c, "after top-level value")),
            }
        })
        .err()
}

struct GoJson<'a> {
    b: &'a [u8],
    i: usize,
}

const EOF: &str = "unexpected end of JSON input";

impl GoJson<'_> {
    /// Go's quoteChar.
    fn invalid(c: u8, context: &str) -> String {
        let q = match c {
            b'\'' => "'\\''".to_string(),
            b'"' => "'\"'".to_string(),
            _ => {
                let ch = c as char;
                let quoted = match ch {
                    '\n' => "\\n".to_string(),
                    '\r' => "\\r".to_string(),
                    '\t' => "\\t".to_string(),
                    '\u{7}' => "\\a".to_string(),
                    '\u{8}' => "\\b".to_string(),
                    '\u{c}' => "\\f".to_string(),
                    '\u{b}' => "\\v".to_string(),
                    '\\' => "\\\\".to_string(),
                    c if (c as u32) < 0x20 || c as u32 == 0x7f => format!("\\x{:02x}", c as u32),
                    c if (0x80..0xa0).contains(&(c as u32)) => format!("\\u{:04x}", c as u32),
                    c => c.to_string(),
                };
                format!("'{quoted}'")
            }
        };
        format!("invalid character {q} {context}")
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Result<u8, String> {
        let c = self.peek().ok_or(EOF)?;
        self.i += 1;
        Ok(c)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Result<(), String> {
        self.ws();
        let c = self.next()?;
        match c {
            b'{' => {
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    let c = self.next()?;
                    if c != b'"' {
                        return Err(Self::invalid(
                            c,
                            "looking for beginning of object key string",
                        ));
                    }
                    self.string()?;
                    self.ws();
                    let c = self.next()?;
                    if c != b':' {
                        return Err(Self::invalid(c, "after object key"));
                    }
                    self.value()?;
                    self.ws();
                    match self.next()? {
                        b',' => self.ws(),
                        b'}' => return Ok(()),
                        c => return Err(Self::invalid(c, "after object key:value pair")),
                    }
                }
            }
            b'[' => {
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.value()?;
                    self.ws();
                    match self.next()? {
                        b',' => {}
                        b']' => return Ok(()),
                        c => return Err(Self::invalid(c, "after array element")),
                    }
                }
            }
            b'"' => self.string(),
            b'-' => {
                let c = self.next()?;
                if !c.is_ascii_digit() {
                    return Err(Self::invalid(c, "in numeric literal"));
                }
                self.number(c)
            }
            b'0'..=b'9' => self.number(c),
            b't' => self.literal(b"rue", "true"),
            b'f' => self.literal(b"alse", "false"),
            b'n' => self.literal(b"ull", "null"),
            c => Err(Self::invalid(c, "looking for beginning of value")),
        }
    }

    fn literal(&mut self, rest: &[u8], word: &str) -> Result<(), String> {
        for want in rest {
            let c = self.next()?;
            if c != *want {
                return Err(Self::invalid(
                    c,
                    &format!("in literal {word} (expecting '{}')", *want as char),
                ));
            }
        }
        Ok(())
    }

    fn number(&mut self, first: u8) -> Result<(), String> {
        if first != b'0' {
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            let c = self.next()?;
            if !c.is_ascii_digit() {
                return Err(Self::invalid(c, "after decimal point in numeric literal"));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            let mut c = self.next()?;
            if c == b'+' || c == b'-' {
                c = self.next()?;
            }
            if !c.is_ascii_digit() {
                return Err(Self::invalid(c, "in exponent of numeric literal"));
            }
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.i += 1;
            }
        }
        Ok(())
    }

    fn string(&mut self) -> Result<(), String> {
        loop {
            let c = self.next()?;
            match c {
                b'"' => return Ok(()),
                b'\\' => {
                    let e = self.next()?;
                    match e {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                        b'u' => {
                            for _ in 0..4 {
                                let h = self.next()?;
                                if !h.is_ascii_hexdigit() {
                                    return Err(Self::invalid(
                                        h,
                                        "in \\u hexadecimal character escape",
                                    ));
                                }
                            }
                        }
                        e => return Err(Self::invalid(e, "in string escape code")),
                    }
                }
                c if c < 0x20 => return Err(Self::invalid(c, "in string literal")),
                _ => {}
            }
        }
    }
}
