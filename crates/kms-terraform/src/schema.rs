//! The resource types of the AWS provider this Terraform knows, with their arguments and
//! exported attributes as the provider's documentation lists them.

/// An argument's or attribute's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    String,
    Number,
    Bool,
    Map,
    List,
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
            oc("rotation_period_in_days", Ty::Number),
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
            oc("description", Ty::String),
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
            out("grant_id", Ty::String),
            out("grant_token", Ty::String),
            new(req("grantee_principal", Ty::String)),
            out("id", Ty::String),
            new(req("key_id", Ty::String)),
            new(oc("name", Ty::String)),
            new(req("operations", Ty::List)),
            dflt("retire_on_delete", Ty::Bool, "false"),
            new(arg("retiring_principal", Ty::String)),
        ],
        timeouts: &[],
    },
    ResourceType {
        name: "aws_kms_key_policy",
        attrs: &[
            dflt("bypass_policy_lockout_safety_check", Ty::Bool, "false"),
            out("id", Ty::String),
            new(req("key_id", Ty::String)),
            req("policy", Ty::String),
        ],
        timeouts: &[],
    },
];

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
