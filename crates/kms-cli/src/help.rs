//! `help` pages in the shape of the CLI's (NAME, DESCRIPTION, SYNOPSIS, OPTIONS, OUTPUT) from the
//! models' documentation, and `--generate-cli-skeleton`.

use crate::data::{self, Svc};
use crate::doc::Doc;
use crate::names::kebab;

const WIDTH: usize = 79;

/// Wraps a paragraph at WIDTH with an indent.
fn wrap(out: &mut String, text: &str, indent: usize) {
    for para in text.split("\n\n") {
        let (first, rest) = if let Some(item) = para.strip_prefix("* ") {
            ("o ", item)
        } else {
            ("", para)
        };
        let mut line = format!("{}{first}", " ".repeat(indent));
        let hanging = indent + first.len();
        let mut empty = true;
        for word in rest.split_whitespace() {
            if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
                out.push_str(line.trim_end());
                out.push('\n');
                line = " ".repeat(hanging);
                empty = true;
            }
            if !empty {
                line.push(' ');
            }
            line.push_str(word);
            empty = false;
        }
        out.push_str(line.trim_end());
        out.push_str("\n\n");
    }
}

fn title(out: &mut String, name: &str) {
    let upper = format!("{}()", name.to_uppercase());
    let gap = WIDTH.saturating_sub(upper.len() * 2).max(1);
    out.push_str(&format!("{upper}{}{upper}\n\n\n\n", " ".repeat(gap)));
}

pub fn top() -> String {
    let mut out = String::new();
    title(&mut out, "aws");
    out.push_str("NAME\n       aws -\n\nDESCRIPTION\n");
    wrap(&mut out, "The AWS Command Line Interface is a unified tool to manage your AWS services. This terminal answers the services of the sandbox account.", 7);
    out.push_str("SYNOPSIS\n          aws [options] <command> <subcommand> [parameters]\n\n");
    out.push_str("       Use aws command help for information on a specific command. Use aws\n       help topics to view a list of available help topics.\n\n");
    out.push_str("AVAILABLE SERVICES\n");
    for s in data::services() {
        out.push_str(&format!("       o {}\n\n", s.name));
    }
    out
}

pub fn service(svc: &Svc) -> String {
    let mut out = String::new();
    title(&mut out, svc.name);
    out.push_str(&format!("NAME\n       {} -\n\nDESCRIPTION\n", svc.name));
    if !svc.docs.service.is_empty() {
        wrap(&mut out, &svc.docs.service, 7);
    }
    out.push_str("AVAILABLE COMMANDS\n");
    for (cli, _) in &svc.commands {
        out.push_str(&format!("       o {cli}\n\n"));
    }
    out
}

fn type_name(svc: &Svc, shape: &str) -> String {
    let s = svc.shape(shape);
    match s.ty.as_str() {
        "list" => "list".into(),
        "structure" => "structure".into(),
        "map" => "map".into(),
        "blob" => "blob".into(),
        other => other.into(),
    }
}

pub fn operation(svc: &Svc, operation: &str) -> String {
    let cli = kebab(operation);
    let mut out = String::new();
    title(&mut out, &cli);
    out.push_str(&format!("NAME\n       {cli} -\n\nDESCRIPTION\n"));
    if let Some(doc) = svc.docs.operations.get(operation) {
        wrap(&mut out, doc, 7);
    }
    out.push_str("       See also: AWS API Documentation\n\n");
    let paginated = svc.paginators.contains_key(operation);
    if paginated {
        out.push_str(&format!(
            "       {cli} is a paginated operation. Multiple API calls may be issued in\n       order to retrieve the entire data set of results. You can disable\n       pagination by providing the --no-paginate argument.\n\n"
        ));
    }
    out.push_str(&format!("SYNOPSIS\n            {cli}\n"));
    let args = svc.args(operation);
    let p = svc.paginators.get(operation);
    let hidden = |member: &str| {
        p.is_some_and(|p| {
            p.input_token.iter().any(|t| t == member) || p.limit_key.as_deref() == Some(member)
        })
    };
    for a in &args {
        if hidden(&a.member) {
            continue;
        }
        let is_bool = svc.shape(&a.shape).ty == "boolean";
        let text = if is_bool {
            format!("--{0} | --no-{0}", a.cli)
        } else {
            format!("--{} <value>", a.cli)
        };
        if a.required {
            out.push_str(&format!("          {text}\n"));
        } else {
            out.push_str(&format!("          [{text}]\n"));
        }
    }
    out.push_str("          [--cli-input-json | --cli-input-yaml]\n");
    if let Some(p) = p {
        out.push_str("          [--starting-token <value>]\n");
        // paginate.py adds --page-size only for a paginator with a limit key.
        if p.limit_key.is_some() {
            out.push_str("          [--page-size <value>]\n");
        }
        out.push_str("          [--max-items <value>]\n");
    }
    out.push_str("          [--generate-cli-skeleton <value>]\n          [--debug]\n          [--endpoint-url <value>]\n          [--no-verify-ssl]\n          [--no-paginate]\n          [--output <value>]\n          [--query <value>]\n          [--profile <value>]\n          [--region <value>]\n          [--version <value>]\n          [--color <value>]\n          [--no-sign-request]\n          [--ca-bundle <value>]\n          [--cli-read-timeout <value>]\n          [--cli-connect-timeout <value>]\n          [--cli-binary-format <value>]\n          [--no-cli-pager]\n          [--cli-auto-prompt]\n          [--no-cli-auto-prompt]\n\nOPTIONS\n");
    let input = svc.input_shape(operation).unwrap_or("");
    for a in &args {
        if hidden(&a.member) {
            continue;
        }
        let is_bool = svc.shape(&a.shape).ty == "boolean";
        let head = if is_bool {
            format!("--{0} | --no-{0}", a.cli)
        } else {
            format!("--{}", a.cli)
        };
        out.push_str(&format!("       {head} ({})\n", type_name(svc, &a.shape)));
        if let Some(doc) = svc.docs.members.get(&format!("{input}.{}", a.member)) {
            wrap(&mut out, doc, 10);
        } else {
            out.push('\n');
        }
        if let Some(values) = &svc.shape(&a.shape).enum_values {
            out.push_str("          Possible values:\n\n");
            for v in values {
                out.push_str(&format!("          o {v}\n\n"));
            }
        }
    }
    if let Some(output) = svc.output_shape(operation) {
        out.push_str("OUTPUT\n");
        for (m, s) in svc.members(output) {
            out.push_str(&format!("       {m} -> ({})\n", type_name(svc, s)));
            if let Some(doc) = svc.docs.members.get(&format!("{output}.{m}")) {
                wrap(&mut out, doc, 10);
            } else {
                out.push('\n');
            }
        }
    } else {
        out.push_str("OUTPUT\n       None\n");
    }
    out
}

/// botocore's ArgumentGenerator (an enum's first value where it picks one at random).
fn generate(
    svc: &Svc,
    shape_name: &str,
    stack: &mut Vec<String>,
    member_names: bool,
    name: &str,
) -> Doc {
    let shape = svc.shape(shape_name);
    stack.push(shape_name.to_string());
    let out = match shape.ty.as_str() {
        "structure" => {
            if stack.iter().filter(|s| *s == shape_name).count() > 1 {
                Doc::Map(Vec::new())
            } else {
                Doc::Map(
                    svc.members(shape_name)
                        .into_iter()
                        .map(|(m, s)| (m.to_string(), generate(svc, s, stack, member_names, m)))
                        .collect(),
                )
            }
        }
        "list" => {
            let member = shape.member.clone().unwrap_or_default();
            let n = if member_names {
                member.clone()
            } else {
                String::new()
            };
            Doc::List(vec![generate(svc, &member, stack, member_names, &n)])
        }
        "map" => {
            let value = shape.value.clone().unwrap_or_default();
            Doc::Map(vec![(
                "KeyName".into(),
                generate(svc, &value, stack, member_names, ""),
            )])
        }
        "string" => {
            if member_names {
                Doc::Str(name.to_string())
            } else if let Some(first) = shape.enum_values.as_ref().and_then(|e| e.first()) {
                Doc::Str(first.clone())
            } else {
                Doc::Str(String::new())
            }
        }
        "integer" | "long" => Doc::Int(0),
        "float" | "double" => Doc::Float(0.0),
        "boolean" => Doc::Bool(true),
        "timestamp" => Doc::Str("1970-01-01T00:00:00".into()),
        _ => Doc::Null,
    };
    stack.pop();
    out
}

/// `--generate-cli-skeleton [input|output|yaml-input]`.
pub fn skeleton(svc: &Svc, operation: &str, kind: &str) -> String {
    let shape = if kind == "output" {
        svc.output_shape(operation)
    } else {
        svc.input_shape(operation)
    };
    let Some(shape) = shape else {
        return "{}\n".into();
    };
    let doc = generate(svc, shape, &mut Vec::new(), kind == "output", "");
    if kind == "yaml-input" {
        crate::format::yaml(&doc)
    } else {
        crate::format::json(&doc)
    }
}
