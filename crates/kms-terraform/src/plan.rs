//! Plans: what apply would do to bring the state to the configuration, and the plan as
//! Terraform prints it.

use crate::config::{dependencies, Config, Resource};
use crate::diag::Diagnostic;
use crate::eval::{is_unknown, unknown, Scope, UNKNOWN};
use crate::schema::{resource_type, Ty};
use crate::state::State;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Replace,
    Delete,
    NoOp,
}

#[derive(Debug, Clone)]
pub struct Change {
    pub ty: String,
    pub name: String,
    pub action: Action,
    pub before: Option<Map<String, Value>>,
    pub after: Option<Map<String, Value>>,
    /// Arguments whose change forces replacement.
    pub forces: Vec<String>,
    /// A deletion because the configuration no longer has the resource (not `destroy`).
    pub orphan: bool,
}

impl Change {
    pub fn address(&self) -> String {
        format!("{}.{}", self.ty, self.name)
    }
}

/// The configuration's resources in an order where each comes after what it references.
pub fn order(cfg: &Config) -> Result<Vec<&Resource>, Diagnostic> {
    let mut done: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let mut left: Vec<&Resource> = cfg.resources.iter().collect();
    left.sort_by_key(|r| r.address());
    while !left.is_empty() {
        let ready = left.iter().position(|r| {
            // An undeclared resource is the configuration's error, not a cycle.
            dependencies(r)
                .iter()
                .all(|d| done.contains(d) || *d == r.address() || cfg.resource(d).is_none())
        });
        match ready {
            Some(i) => {
                let r = left.remove(i);
                done.push(r.address());
                out.push(r);
            }
            None => {
                let names: Vec<String> = left.iter().map(|r| r.address()).collect();
                return Err(Diagnostic::error(
                    format!("Cycle: {}", names.join(", ")),
                    "",
                ));
            }
        }
    }
    Ok(out)
}

/// The arguments of a resource as configured, evaluated in `scope` (unknown where they
/// reference what apply has not made yet), with the provider's defaults; or what is wrong with
/// them (every argument the provider refuses).
pub fn desired(r: &Resource, scope: &Scope) -> Result<Map<String, Value>, Vec<Diagnostic>> {
    let schema = resource_type(&r.ty).expect("validated type");
    let ctx = scope.context();
    let mut out = Map::new();
    for attr in schema.attrs.iter().filter(|a| a.argument) {
        let v = match r.args.iter().find(|(n, _, _)| n == attr.name) {
            Some((_, e, pos)) => {
                let v = scope.eval(&ctx, e).map_err(|m| {
                    vec![Diagnostic::error("Invalid expression", m)
                        .at(pos.clone(), Some(r.context()))]
                })?;
                coerce(attr.ty, v).map_err(|m| {
                    vec![Diagnostic::error(
                        "Incorrect attribute value type",
                        format!("Inappropriate value for attribute \"{}\": {m}.", attr.name),
                    )
                    .at(pos.clone(), Some(r.context()))]
                })?
            }
            None => match attr.default {
                Some(d) => serde_json::from_str(d).unwrap_or(Value::Null),
                None => Value::Null,
            },
        };
        out.insert(attr.name.to_string(), v);
    }
    let checks = provider_checks(r, &out);
    if checks.is_empty() {
        Ok(out)
    } else {
        Err(checks)
    }
}

/// The provider's checks of each argument set (the SDK's schema validation, in its order:
/// RequiredWith, then nothing more for an unknown value, ConflictsWith, the value's own checks).
fn provider_checks(r: &Resource, args: &Map<String, Value>) -> Vec<Diagnostic> {
    let schema = resource_type(&r.ty).expect("validated type");
    let set = |name: &str| r.arg(name).is_some() && !args[name].is_null();
    let mut out = Vec::new();
    for attr in schema.attrs {
        let Some((_, _, pos)) = r.args.iter().find(|(n, _, _)| n == attr.name) else {
            continue;
        };
        let v = &args[attr.name];
        if v.is_null() {
            continue;
        }
        let found: Vec<(String, String)> =
            if let Some(other) = attr.required_with.filter(|o| !set(o)) {
                let mut all = [attr.name, other];
                all.sort();
                vec![(
                    "Missing required argument".into(),
                    format!(
                        "\"{}\": all of `{}` must be specified",
                        attr.name,
                        all.join(",")
                    ),
                )]
            } else if is_unknown(v) {
                Vec::new()
            } else if let Some(other) = attr
                .conflicts_with
                .filter(|o| set(o) && !is_unknown(&args[*o]))
            {
                vec![(
                    "Conflicting configuration arguments".into(),
                    format!("\"{}\": conflicts with {other}", attr.name),
                )]
            } else {
                crate::schema::check_value(&r.ty, attr.name, v)
                    .into_iter()
                    .map(|m| (m, String::new()))
                    .collect()
            };
        for (summary, detail) in found {
            // The provider's diagnostics name the resource first.
            let mut d = Diagnostic::error(summary, detail).at(pos.clone(), Some(r.context()));
            d.with = Some(r.address());
            out.push(d);
        }
    }
    out
}

/// Terraform's conversions to an argument's type (`"7"` for a number, `"true"` for a bool).
fn coerce(ty: Ty, v: Value) -> Result<Value, String> {
    if is_unknown(&v) || v.is_null() {
        return Ok(v);
    }
    match (ty, &v) {
        (Ty::String, Value::String(_)) => Ok(v),
        (Ty::String, Value::Number(n)) => Ok(Value::String(n.to_string())),
        (Ty::String, Value::Bool(b)) => Ok(Value::String(b.to_string())),
        (Ty::Number, Value::Number(_)) => Ok(v),
        (Ty::Number, Value::String(s)) => s
            .parse::<i64>()
            .map(Value::from)
            .map_err(|_| "a number is required".to_string()),
        (Ty::Bool, Value::Bool(_)) => Ok(v),
        (Ty::Bool, Value::String(s)) if s == "true" || s == "false" => Ok(Value::Bool(s == "true")),
        (Ty::Bool, _) => Err("a bool is required".into()),
        (Ty::Map, Value::Object(o)) => Ok(Value::Object(
            o.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        coerce(Ty::String, v.clone()).unwrap_or(v.clone()),
                    )
                })
                .collect(),
        )),
        (Ty::Map, _) => Err("map of string required".into()),
        (Ty::List, Value::Array(_)) => Ok(v),
        (Ty::List, _) => Err("list of string required".into()),
        (_, _) => Err(format!("{ty:?} required").to_lowercase()),
    }
}

/// The attributes a resource will have after apply as far as known now.
pub fn planned(
    ty: &str,
    args: &Map<String, Value>,
    before: Option<&Map<String, Value>>,
) -> Map<String, Value> {
    let schema = resource_type(ty).expect("validated type");
    let mut out = Map::new();
    for attr in schema.attrs {
        let given = args.get(attr.name).cloned().unwrap_or(Value::Null);
        let v = if !given.is_null() {
            given
        } else if attr.computed {
            match before.and_then(|b| b.get(attr.name)) {
                Some(b) if !b.is_null() => b.clone(),
                _ => unknown(),
            }
        } else {
            Value::Null
        };
        out.insert(attr.name.to_string(), v);
    }
    if let Some(tags) = args.get("tags") {
        if out.contains_key("tags_all") {
            out.insert(
                "tags_all".into(),
                // The provider computes tags_all from the default tags when none are set.
                if tags.is_null() {
                    unknown()
                } else {
                    tags.clone()
                },
            );
        }
    }
    out
}

/// Compares the configuration (evaluated) with the state.
pub fn plan(
    cfg: &Config,
    state: &State,
    scope: &mut Scope,
    destroy: bool,
) -> Result<Vec<Change>, Vec<Diagnostic>> {
    let mut changes = Vec::new();
    if !destroy {
        for r in order(cfg).map_err(|d| vec![d])? {
            let args = desired(r, scope)?;
            let before = state.get(&r.address()).map(|i| i.attributes.clone());
            let schema = resource_type(&r.ty).expect("validated type");
            let (action, forces, after) = match &before {
                None => (Action::Create, Vec::new(), planned(&r.ty, &args, None)),
                Some(b) => {
                    let mut differs = Vec::new();
                    for attr in schema.attrs.iter().filter(|a| a.argument) {
                        let want = &args[attr.name];
                        let have = b.get(attr.name).unwrap_or(&Value::Null);
                        let same = want == have || (want.is_null() && attr.computed);
                        if !same {
                            differs.push(attr);
                        }
                    }
                    let forces: Vec<String> = differs
                        .iter()
                        .filter(|a| a.force_new)
                        .map(|a| a.name.to_string())
                        .collect();
                    if !forces.is_empty() {
                        (Action::Replace, forces, planned(&r.ty, &args, None))
                    } else if differs.is_empty() {
                        (Action::NoOp, Vec::new(), b.clone())
                    } else {
                        let mut after = b.clone();
                        for a in &differs {
                            after.insert(a.name.to_string(), args[a.name].clone());
                        }
                        if differs.iter().any(|a| a.name == "tags") {
                            after.insert("tags_all".into(), args["tags"].clone());
                        }
                        if r.ty == "aws_kms_alias"
                            && differs.iter().any(|a| a.name == "target_key_id")
                        {
                            after.insert("target_key_arn".into(), unknown());
                        }
                        (Action::Update, Vec::new(), after)
                    }
                }
            };
            scope
                .resources
                .entry(r.ty.clone())
                .or_default()
                .insert(r.name.clone(), Value::Object(after.clone()));
            changes.push(Change {
                ty: r.ty.clone(),
                name: r.name.clone(),
                action,
                before,
                after: Some(after),
                forces,
                orphan: false,
            });
        }
    }
    for inst in &state.resources {
        if destroy || cfg.resource(&inst.address()).is_none() {
            changes.push(Change {
                ty: inst.ty.clone(),
                name: inst.name.clone(),
                action: Action::Delete,
                before: Some(inst.attributes.clone()),
                after: None,
                forces: Vec::new(),
                orphan: !destroy,
            });
        }
    }
    Ok(changes)
}

/// A value as Terraform's plan prints it, at `indent` for nested lines.
fn show(v: &Value, indent: usize, sign: &str) -> String {
    let pad = " ".repeat(indent);
    match v {
        Value::String(s) if s.contains(UNKNOWN) => "(known after apply)".into(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Null => "null".into(),
        Value::Object(o) if o.is_empty() => "{}".into(),
        Value::Object(o) => {
            let w = o.keys().map(|k| k.len() + 2).max().unwrap_or(0);
            let mut s = String::from("{\n");
            for (k, v) in o {
                let key = format!("\"{k}\"");
                s.push_str(&format!(
                    "{pad}    {sign} {key:<w$} = {}\n",
                    show(v, indent + 4, sign)
                ));
            }
            s.push_str(&format!("{pad}  }}"));
            s
        }
        Value::Array(a) => {
            let mut s = String::from("[\n");
            for v in a {
                s.push_str(&format!("{pad}    {sign} {},\n", show(v, indent + 4, sign)));
            }
            s.push_str(&format!("{pad}  ]"));
            s
        }
        other => other.to_string(),
    }
}

fn a_unknown(v: &Value) -> bool {
    matches!(v, Value::String(s) if s.contains(UNKNOWN))
}

/// A map attribute updated in place, element by element as Terraform's map renderer writes it:
/// `~ "k" = old -> new`, `+ "k" = new`, `- "k" = old -> null`, the unchanged ones counted.
fn map_diff(b: &Map<String, Value>, a: &Map<String, Value>, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let w = keys.iter().map(|k| k.len() + 2).max().unwrap_or(0);
    let mut s = String::from("{\n");
    let mut unchanged = 0;
    for k in keys {
        let key = format!("\"{k}\"");
        let line = match (b.get(k), a.get(k)) {
            (Some(x), Some(y)) if x == y => {
                unchanged += 1;
                continue;
            }
            (Some(x), Some(y)) => format!(
                "~ {key:<w$} = {} -> {}",
                show(x, indent + 4, "~"),
                show(y, indent + 4, "~")
            ),
            (None, Some(y)) => format!("+ {key:<w$} = {}", show(y, indent + 4, "+")),
            (Some(x), None) => format!("- {key:<w$} = {} -> null", show(x, indent + 4, "-")),
            (None, None) => continue,
        };
        s.push_str(&format!("{pad}    {line}\n"));
    }
    if unchanged > 0 {
        s.push_str(&format!(
            "{pad}      # ({unchanged} unchanged element{} hidden)\n",
            if unchanged == 1 { "" } else { "s" }
        ));
    }
    s.push_str(&format!("{pad}  }}"));
    s
}

/// One resource's block in the plan.
fn render_change(c: &Change) -> String {
    let addr = c.address();
    let head = match c.action {
        Action::Create => format!("  # {addr} will be created\n  + resource"),
        Action::Delete if c.orphan => format!(
            "  # {addr} will be destroyed\n  # (because {addr} is not in configuration)\n  - resource"
        ),
        Action::Delete => format!("  # {addr} will be destroyed\n  - resource"),
        Action::Update => format!("  # {addr} will be updated in-place\n  ~ resource"),
        Action::Replace => format!("  # {addr} must be replaced\n-/+ resource"),
        Action::NoOp => return String::new(),
    };
    let mut s = format!("{head} \"{}\" \"{}\" {{\n", c.ty, c.name);
    let empty = Map::new();
    let before = c.before.as_ref().unwrap_or(&empty);
    let after = c.after.as_ref().unwrap_or(&empty);
    let mut rows: Vec<(String, String, String)> = Vec::new(); // (sign, name, text)
    let mut hidden = 0;
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    // Terraform aligns a block over all its attributes, the hidden ones too.
    let width = names
        .iter()
        .filter(|n| {
            !before.get(**n).unwrap_or(&Value::Null).is_null()
                || !after.get(**n).unwrap_or(&Value::Null).is_null()
        })
        .map(|n| n.len())
        .max()
        .unwrap_or(0);
    for name in names {
        let b = before.get(name).unwrap_or(&Value::Null);
        let a = after.get(name).unwrap_or(&Value::Null);
        match c.action {
            Action::Create if !a.is_null() => {
                rows.push(("+".into(), name.clone(), show(a, 6, "+")))
            }
            Action::Delete if !b.is_null() => rows.push((
                "-".into(),
                name.clone(),
                format!("{} -> null", show(b, 6, "-")),
            )),
            Action::Update | Action::Replace if b != a => {
                let forced = if c.forces.contains(name) {
                    " # forces replacement"
                } else {
                    ""
                };
                let (sg, text) = match (b.is_null(), a.is_null()) {
                    (true, _) => ("+", show(a, 6, "+")),
                    (_, true) if c.action == Action::Update => {
                        ("-", format!("{} -> null", show(b, 6, "-")))
                    }
                    _ => match (b, a) {
                        (Value::Object(bm), Value::Object(am)) if !a_unknown(a) => {
                            ("~", map_diff(bm, am, 6))
                        }
                        _ => ("~", format!("{} -> {}", show(b, 6, "~"), show(a, 6, "~"))),
                    },
                };
                rows.push((sg.into(), name.clone(), format!("{text}{forced}")));
            }
            // Terraform always shows these three, changed or not.
            Action::Update | Action::Replace
                if matches!(name.as_str(), "id" | "name" | "tags") && !b.is_null() =>
            {
                rows.push((" ".into(), name.clone(), show(b, 6, " ")))
            }
            Action::Update | Action::Replace if !b.is_null() => hidden += 1,
            _ => {}
        }
    }
    let w = width;
    for (sg, n, text) in rows {
        s.push_str(&format!("      {sg} {n:<w$} = {text}\n"));
    }
    if hidden > 0 {
        s.push_str(&format!(
            "        # ({hidden} unchanged attribute{} hidden)\n",
            if hidden == 1 { "" } else { "s" }
        ));
    }
    s.push_str("    }\n");
    s
}

pub fn counts(changes: &[Change]) -> (usize, usize, usize) {
    let mut n = (0, 0, 0);
    for c in changes {
        match c.action {
            Action::Create => n.0 += 1,
            Action::Update => n.1 += 1,
            Action::Replace => {
                n.0 += 1;
                n.2 += 1
            }
            Action::Delete => n.2 += 1,
            Action::NoOp => {}
        }
    }
    n
}

/// An output the plan changes: `before` from the state, `after` from the configuration (`None`
/// when it goes).
pub struct OutputChange {
    pub name: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub sensitive: bool,
}

impl OutputChange {
    /// Its line under "Changes to Outputs:", the name padded to `width`.
    fn render(&self, width: usize) -> String {
        let value = |v: &Value| {
            if self.sensitive {
                "(sensitive value)".to_string()
            } else {
                show(v, 2, " ")
            }
        };
        let (sign, text) = match (&self.before, &self.after) {
            (None, Some(a)) => ("+", value(a)),
            (Some(b), Some(a)) => ("~", format!("{} -> {}", value(b), value(a))),
            (Some(b), None) => ("-", format!("{} -> null", value(b))),
            (None, None) => return String::new(),
        };
        format!("  {sign} {:<width$} = {text}\n", self.name)
    }
}

/// The plan as `terraform plan` prints it (without the refresh lines); `width` is the longest
/// output name, changed or not.
pub fn render(
    changes: &[Change],
    outputs_changed: &[OutputChange],
    width: usize,
    destroy: bool,
) -> String {
    let real: Vec<&Change> = changes
        .iter()
        .filter(|c| c.action != Action::NoOp)
        .collect();
    if real.is_empty() && outputs_changed.is_empty() {
        if destroy {
            return "\nNo changes. No objects need to be destroyed.\n\nEither you have not created any objects yet or the existing objects were\nalready deleted outside of Terraform.\n".into();
        }
        return "\nNo changes. Your infrastructure matches the configuration.\n\nTerraform has compared your real infrastructure against your configuration\nand found no differences, so no changes are needed.\n".into();
    }
    let mut s = String::new();
    if !real.is_empty() {
        let mut symbols = Vec::new();
        let has = |a: Action| real.iter().any(|c| c.action == a);
        if has(Action::Create) {
            symbols.push("  + create");
        }
        if has(Action::Update) {
            symbols.push("  ~ update in-place");
        }
        if has(Action::Delete) {
            symbols.push("  - destroy");
        }
        if has(Action::Replace) {
            symbols.push("-/+ destroy and then create replacement");
        }
        s.push_str("\nTerraform used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:\n");
        for sym in symbols {
            s.push_str(sym);
            s.push('\n');
        }
        s.push_str("\nTerraform will perform the following actions:\n\n");
        let mut sorted = real.clone();
        sorted.sort_by_key(|c| c.address());
        for c in sorted {
            s.push_str(&render_change(c));
            s.push('\n');
        }
        let (a, ch, d) = counts(changes);
        s.push_str(&format!(
            "Plan: {a} to add, {ch} to change, {d} to destroy.\n"
        ));
    }
    if !outputs_changed.is_empty() {
        s.push_str("\nChanges to Outputs:\n");
        for o in outputs_changed {
            s.push_str(&o.render(width));
        }
        if real.is_empty() {
            s.push_str("\nYou can apply this plan to save these new output values to the Terraform\nstate, without changing any real infrastructure.\n");
        }
    }
    s
}
