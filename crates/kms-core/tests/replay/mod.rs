//! What the replays of AWS's recorded answers share (snapshots.rs, iam_snapshots.rs,
//! cf_snapshots.rs, snapshot_errors.rs): blobs as the JSON wire carries them, answer paths as the
//! comparisons name them (`ReplicaPolicy.Statement[0].Sid`), and the check that an answer has
//! only members of its model shape. Each replay uses some of it.
#![allow(dead_code)]

use base64::Engine as _;
use kms_core::model::Model;
use kms_core::Value;

pub fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn unb64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().expect("a blob"))
        .expect("base64")
}

/// The value at `path` (`ReplicaPolicy.Statement[0].Sid`, as the comparisons name paths).
pub fn at<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(value, |v, member| match member.split_once('[') {
            Some((name, index)) => v
                .get(name)?
                .get(index.strip_suffix(']')?.parse::<usize>().ok()?),
            None => v.get(member),
        })
}

pub fn join(path: &str, member: &str) -> String {
    if path.is_empty() {
        member.to_string()
    } else {
        format!("{path}.{member}")
    }
}

/// Every member of `value` is a member of `shape` in the model, recursively.
pub fn in_model(m: &Model, shape: &str, path: &str, value: &Value, problems: &mut Vec<String>) {
    let s = m.shape(shape);
    match value {
        Value::Object(o) if s.ty == "structure" => {
            for (k, v) in o {
                match s.members.get(k) {
                    Some(target) => in_model(m, target, &join(path, k), v, problems),
                    None => problems.push(format!("{}: not a member of {shape}", join(path, k))),
                }
            }
        }
        Value::Array(items) if s.ty == "list" => {
            let member = s.member.clone().expect("a list's member");
            for (i, v) in items.iter().enumerate() {
                in_model(m, &member, &format!("{path}[{i}]"), v, problems);
            }
        }
        _ => {}
    }
}
