//! STS: who the caller is (GetCallerIdentity), and temporary credentials for a session of a role
//! (AssumeRole). Sessions are records, so they survive a reload; they expire by the injected
//! clock, and AssumeRole strips those that have to what refuses their key.

use super::documents::validate_identity_policy;
use super::{last_segment, parse_arn, IamTx, IamView, TrustCheck};
use crate::caller::Identity;
use crate::error::{KmsError, Result};
use crate::model;
use crate::records::iam::{IamRecord, SessionRecord};
use crate::tx::{wire_time, Req};
use serde_json::{json, Map, Value};

const DEFAULT_DURATION_SECONDS: i64 = 3600;
/// A session that assumes another role (role chaining) gets at most an hour.
const CHAINED_MAX_DURATION_SECONDS: i64 = 3600;
const SECRET_ACCESS_KEY_LENGTH: usize = 40;
const SESSION_TOKEN_LENGTH: usize = 356;

pub(crate) fn dispatch(
    tx: &mut IamTx<'_>,
    operation: &str,
    req: &Req<'_>,
    trust: &TrustCheck<'_>,
) -> Result<Value> {
    match operation {
        "GetCallerIdentity" => Ok(get_caller_identity(tx)),
        "AssumeRole" => assume_role(tx, req, trust),
        _ => Err(model::sts().unknown_operation(operation)),
    }
}

fn get_caller_identity(tx: &IamTx<'_>) -> Value {
    let c = tx.caller;
    json!({"UserId": c.principal_id(), "Account": c.account_id(), "Arn": c.arn(tx.region)})
}

fn assume_role(tx: &mut IamTx<'_>, req: &Req<'_>, trust: &TrustCheck<'_>) -> Result<Value> {
    let caller = tx.caller;
    if caller.is_root() {
        return Err(KmsError::iam_access_denied(
            "Roles may not be assumed by root accounts.",
        ));
    }
    let role_arn = req.req_str("RoleArn");
    // AWS does not say whether a role it refuses exists.
    let denied = || {
        KmsError::iam_access_denied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            caller.arn(tx.region)
        ))
    };
    let name = match parse_arn(role_arn) {
        Some(("iam", account, resource)) => match resource.strip_prefix("role") {
            Some(rest) if rest.starts_with('/') => {
                let name = last_segment(rest).ok_or_else(|| invalid_arn(role_arn))?;
                if account != tx.account_id {
                    return Err(denied());
                }
                name
            }
            _ => return Err(invalid_arn(role_arn)),
        },
        _ => return Err(invalid_arn(role_arn)),
    };
    let role = tx
        .role(name)
        .filter(|r| r.arn == role_arn)
        .ok_or_else(denied)?;
    trust(role, caller, req.0)?;

    let duration = req
        .int("DurationSeconds")
        .unwrap_or(DEFAULT_DURATION_SECONDS);
    if duration > role.max_session_duration {
        return Err(KmsError::validation_error(
            "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
        ));
    }
    if matches!(caller.identity, Identity::AssumedRole { .. })
        && duration > CHAINED_MAX_DURATION_SECONDS
    {
        return Err(KmsError::validation_error(
            "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by \
             role chaining.",
        ));
    }
    if let Some(policy) = req.str("Policy") {
        validate_identity_policy(policy)?;
    }
    let tags = super::request_tag_list(req);
    if super::has_duplicate(&tags, |k| k.to_lowercase()) {
        return Err(KmsError::new(
            crate::error::ErrorType::InvalidParameterValue,
            super::DUPLICATE_TAGS_ANY_CASE,
        ));
    }
    // A transitive tag key must name one of the session's tags, in any case (LocalStack's
    // test_sts snapshot, test_assume_role_tag_validation).
    let untagged = |k: &str| !tags.iter().any(|(t, _)| t.eq_ignore_ascii_case(k));
    if req
        .list("TransitiveTagKeys")
        .iter()
        .filter_map(|k| k.as_str())
        .any(untagged)
    {
        return Err(KmsError::new(
            crate::error::ErrorType::InvalidParameterValue,
            "The specified transitive tag key must be included in the requested tags.",
        ));
    }
    let packed = packed_policy_size(req, &tags);
    let tags = tags.into_iter().collect();
    let (role_name, role_path, role_id) =
        (role.name.clone(), role.path.clone(), role.role_id.clone());
    let mut used = role.clone();
    used.last_used = Some(tx.now);
    used.last_used_region = Some(tx.region.to_string());
    tx.put(IamRecord::Role(used));

    // Sessions past their expiration keep only what refuses their key (they no longer sign
    // anything).
    let expired: Vec<SessionRecord> = tx
        .all_sessions()
        .iter()
        .filter(|s| s.expiration <= tx.now && !s.spent)
        .map(|s| s.spent())
        .collect();
    for s in expired {
        tx.put(IamRecord::Session(s));
    }

    let session_name = req.req_str("RoleSessionName").to_string();
    let access_key_id = tx.new_access_key_id("ASIA");
    let s = SessionRecord {
        access_key_id,
        role_name,
        role_path,
        role_id,
        session_name,
        created: tx.now,
        expiration: tx.now + duration * 1000,
        tags,
        policy: req.str("Policy").map(str::to_string),
        policy_arns: req
            .list("PolicyArns")
            .iter()
            .filter_map(|p| p["arn"].as_str().map(str::to_string))
            .collect(),
        source_identity: req.str("SourceIdentity").map(str::to_string),
        secret_access_key: tx.new_secret(SECRET_ACCESS_KEY_LENGTH),
        session_token: tx.new_secret(SESSION_TOKEN_LENGTH),
        spent: false,
    };
    let text = |secret: &crate::Secret| String::from_utf8_lossy(secret.expose()).into_owned();
    let mut out = Map::new();
    out.insert(
        "Credentials".into(),
        json!({
            "AccessKeyId": s.access_key_id,
            "SecretAccessKey": text(&s.secret_access_key),
            "SessionToken": text(&s.session_token),
            "Expiration": wire_time(s.expiration),
        }),
    );
    out.insert(
        "AssumedRoleUser".into(),
        json!({
            "AssumedRoleId": format!("{}:{}", s.role_id, s.session_name),
            "Arn": tx.arn("sts", &format!("assumed-role/{}/{}", s.role_name, s.session_name)),
        }),
    );
    if let Some(packed) = packed {
        out.insert("PackedPolicySize".into(), json!(packed));
    }
    if let Some(si) = &s.source_identity {
        out.insert("SourceIdentity".into(), json!(si));
    }
    tx.put(IamRecord::Session(s));
    Ok(Value::Object(out))
}

/// AssumeRole's `PackedPolicySize`, answered when the request passes session policies or tags:
/// how full (in percent) the packed form of the policy, policy ARNs and tags is. AWS compresses
/// them in a way it does not document; the sandbox counts their characters against the 2,048 of
/// a plain session policy (the example's policy and three tags: 8, as AWS answers), and, as it
/// cannot pack as AWS does, neither refuses past 100 nor answers more.
fn packed_policy_size(req: &Req<'_>, tags: &[(String, String)]) -> Option<u64> {
    let arns = req.list("PolicyArns");
    let policy = req.str("Policy");
    if policy.is_none() && arns.is_empty() && tags.is_empty() {
        return None;
    }
    let chars = policy.map_or(0, str::len)
        + arns
            .iter()
            .filter_map(|p| p["arn"].as_str())
            .map(str::len)
            .sum::<usize>()
        + tags.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    Some((chars as u64 * 100).div_ceil(PACKED_POLICY_CHARS).min(100))
}

const PACKED_POLICY_CHARS: u64 = 2048;

fn invalid_arn(arn: &str) -> KmsError {
    KmsError::validation_error(format!("{arn} is invalid"))
}
