//! Generated from the models: every operation of every service parses from a command line built
//! from its input shape (each member as its option: flags, numbers, base64 blobs, timestamps,
//! lists as words, flat structures and maps as shorthand, the rest as JSON) and gives back the
//! input the line was built from.

use kms_cli::{kebab, parse, Command, Context, Service};
use kms_core::model::Model;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

fn files() -> BTreeMap<String, Vec<u8>> {
    BTreeMap::new()
}

fn model(service: &str) -> &'static Model {
    Service::from_name(service).expect("service").model()
}

/// A string value the model's length constraints allow.
fn string_value(m: &Model, shape: &str, seed: &str) -> String {
    let s = m.shape(shape);
    if let Some(e) = s.enum_values.as_ref().and_then(|e| e.first()) {
        return e.clone();
    }
    let min = s.min.unwrap_or(1.0).max(1.0) as usize;
    let mut v = seed.to_string();
    while v.len() < min {
        v.push('x');
    }
    v
}

fn is_scalar(m: &Model, shape: &str) -> bool {
    !matches!(m.shape(shape).ty.as_str(), "structure" | "list" | "map")
}

/// A wire value of a shape (nested structures with their required members only, to a depth).
fn value(m: &Model, shape: &str, name: &str, depth: usize) -> Value {
    let s = m.shape(shape);
    match s.ty.as_str() {
        "string" => Value::String(string_value(m, shape, &name.to_lowercase())),
        "integer" | "long" => json!(s.min.map_or(3, |x| (x as i64).max(1))),
        "float" | "double" => json!(1.5),
        "boolean" => json!(true),
        "blob" => {
            use base64::Engine as _;
            let n = s.min.unwrap_or(1.0).max(1.0) as usize;
            Value::String(base64::engine::general_purpose::STANDARD.encode(vec![7u8; n]))
        }
        "timestamp" => json!(1735689600),
        "list" => {
            let member = s.member.as_deref().unwrap_or("");
            let n = s.min.unwrap_or(1.0).max(1.0) as usize;
            Value::Array(
                (0..n.max(2))
                    .map(|i| value(m, member, &format!("{name}{i}"), depth + 1))
                    .collect(),
            )
        }
        "map" => {
            let v = s.value.as_deref().unwrap_or("");
            let mut o = Map::new();
            o.insert("purpose".into(), value(m, v, "test", depth + 1));
            o.insert("env".into(), value(m, v, "dev", depth + 1));
            Value::Object(o)
        }
        "structure" => {
            let mut o = Map::new();
            for (member, ms) in &s.members {
                if s.required.contains(member) || depth < 2 {
                    o.insert(member.clone(), value(m, ms, member, depth + 1));
                }
            }
            Value::Object(o)
        }
        other => panic!("shape type {other}"),
    }
}

/// The shorthand for a structure or map of scalars (`A=1,B=x`), if the values allow it.
fn shorthand(v: &Value) -> Option<String> {
    let Value::Object(o) = v else { return None };
    if o.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    for (k, x) in o {
        let text = match x {
            Value::String(s) if !s.contains([',', '=', '[', '{', '\'', '"', ' ']) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        parts.push(format!("{k}={text}"));
    }
    Some(parts.join(","))
}

/// The words of one option for a member's value.
fn words(m: &Model, shape: &str, cli: &str, v: &Value) -> Vec<String> {
    let s = m.shape(shape);
    let opt = format!("--{cli}");
    match (s.ty.as_str(), v) {
        ("boolean", Value::Bool(true)) => vec![opt],
        ("boolean", Value::Bool(false)) => vec![format!("--no-{cli}")],
        ("timestamp", _) => vec![opt, "2025-01-01T00:00:00Z".into()],
        ("list", Value::Array(items)) => {
            let member = s.member.as_deref().unwrap_or("");
            let mut w = vec![opt];
            if is_scalar(m, member) {
                if m.shape(member).ty == "timestamp" {
                    return vec![w[0].clone(), serde_json::to_string(v).unwrap()];
                }
                w.extend(items.iter().map(|x| match x {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }));
            } else {
                for item in items {
                    w.push(shorthand(item).unwrap_or_else(|| serde_json::to_string(item).unwrap()));
                }
            }
            w
        }
        ("structure" | "map", _) => vec![
            opt,
            shorthand(v).unwrap_or_else(|| serde_json::to_string(v).unwrap()),
        ],
        (_, Value::String(s)) => vec![opt, s.clone()],
        (_, other) => vec![opt, other.to_string()],
    }
}

fn check_all(required_only: bool) -> usize {
    let files = files();
    let ctx = Context::new(&files, "ap-southeast-2");
    let mut count = 0;
    for (service, command, operation) in kms_cli::commands() {
        let m = model(service);
        assert_eq!(command, kebab(&operation));
        let input_shape = m.operations[&operation].input.clone();
        let mut line = format!("aws {service} {command}");
        let mut expected = Map::new();
        if let Some(shape) = &input_shape {
            let s = m.shape(shape);
            for (i, (member, ms)) in s.members.iter().enumerate() {
                if required_only && !s.required.contains(member) {
                    continue;
                }
                let mut v = value(m, ms, member, 1);
                if m.shape(ms).ty == "boolean" && i % 2 == 1 {
                    v = json!(false);
                }
                for w in words(m, ms, &kebab(member), &v) {
                    line.push(' ');
                    line.push('\'');
                    line.push_str(&w.replace('\'', "'\\''"));
                    line.push('\'');
                }
                expected.insert(member.clone(), v);
            }
        }
        let inv = match parse(&line, &ctx) {
            Ok(Command::Call(inv)) => inv,
            Ok(Command::Print(out)) => panic!("{line}: printed {out:?}"),
            Err(e) => panic!("{line}:\n{}", e.stderr),
        };
        assert_eq!(inv.operation, operation);
        assert_eq!(inv.input, Value::Object(expected), "{line}");
        count += 1;
    }
    count
}

#[test]
fn every_operation_parses_with_every_member() {
    let n = check_all(false);
    assert_eq!(n, kms_cli::commands().len());
    assert!(n > 56 + 47 + 2, "{n} operations");
}

#[test]
fn every_operation_parses_with_its_required_members() {
    check_all(true);
}

#[test]
fn every_operation_lists_its_required_options_when_they_are_missing() {
    let files = files();
    let ctx = Context::new(&files, "ap-southeast-2");
    for (service, command, operation) in kms_cli::commands() {
        let required: Vec<String> = kms_cli::options(service, &operation)
            .into_iter()
            .filter(|(_, r)| *r)
            .map(|(o, _)| o)
            .collect();
        let line = format!("aws {service} {command}");
        match parse(&line, &ctx) {
            Err(e) if !required.is_empty() => {
                assert_eq!(e.exit_code, 252);
                assert!(
                    e.stderr.ends_with(&format!(
                        "aws: error: the following arguments are required: {}\n\n",
                        required.join(", ")
                    )),
                    "{line}: {}",
                    e.stderr
                );
            }
            Ok(Command::Call(_)) if required.is_empty() => {}
            other => panic!("{line}: {other:?}"),
        }
    }
}

#[test]
fn every_operation_has_help_and_a_skeleton() {
    let files = files();
    let ctx = Context::new(&files, "ap-southeast-2");
    for (service, command, operation) in kms_cli::commands() {
        let Ok(Command::Print(help)) = parse(&format!("aws {service} {command} help"), &ctx) else {
            panic!("{command} help")
        };
        assert!(
            help.stdout.contains(&format!("NAME\n       {command} -")),
            "{}",
            help.stdout
        );
        let Ok(Command::Print(sk)) = parse(
            &format!("aws {service} {command} --generate-cli-skeleton"),
            &ctx,
        ) else {
            panic!("{command} skeleton")
        };
        let v: Value = serde_json::from_str(&sk.stdout)
            .unwrap_or_else(|e| panic!("{command}: {e}\n{}", sk.stdout));
        let members = model(service).operations[&operation]
            .input
            .as_ref()
            .map_or(0, |s| model(service).shape(s).members.len());
        assert_eq!(v.as_object().map_or(0, Map::len), members, "{command}");
    }
}
