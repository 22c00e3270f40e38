//! Plans: what apply would do to bring the state to the configuration, and the plan as
//! Terraform prints it.

use crate::config::{dependencies, Config, Resource};
use crate::diag::Diagnostic;
use crate::eval::{is_unknown, unknown, Scope};
use crate::render::{block_diff, output_diff, symbol, Act, Opts};
use crate::schema::{resource_type, Attr, Ty};
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
    /// A replacement made before the old object is destroyed (`create_before_destroy`).
    pub cbd: bool,
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
        if attr.ty == Ty::BlockSet {
            out.insert(attr.name.to_string(), nested_blocks(r, attr.name, scope)?);
            continue;
        }
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

/// The blocks of a set of nested blocks, evaluated: each an object of its arguments (null when
/// not set), sorted as a set.
fn nested_blocks(r: &Resource, name: &str, scope: &Scope) -> Result<Value, Vec<Diagnostic>> {
    let ctx = scope.context();
    let mut out = Vec::new();
    for b in r.blocks.iter().filter(|b| b.ty == name) {
        let mut o = Map::new();
        for a in crate::schema::nested_attrs(name) {
            o.insert(a.to_string(), Value::Null);
        }
        for (n, e, pos) in &b.args {
            let v = scope.eval(&ctx, e).map_err(|m| {
                vec![Diagnostic::error("Invalid expression", m).at(pos.clone(), Some(r.context()))]
            })?;
            let v = coerce(Ty::Map, v).map_err(|m| {
                vec![Diagnostic::error(
                    "Incorrect attribute value type",
                    format!("Inappropriate value for attribute \"{n}\": {m}."),
                )
                .at(pos.clone(), Some(r.context()))]
            })?;
            o.insert(n.clone(), v);
        }
        out.push(Value::Object(o));
    }
    out.sort_by_key(|v| v.to_string());
    out.dedup();
    Ok(Value::Array(out))
}

/// The provider's checks of each argument set (the SDK's schema validation, in its order:
/// RequiredWith, then nothing more for an unknown value, ConflictsWith, the value's own checks).
fn provider_checks(r: &Resource, args: &Map<String, Value>) -> Vec<Diagnostic> {
    let schema = resource_type(&r.ty).expect("validated type");
    let set = |name: &str| r.arg(name).is_some() && !args[name].is_null();
    let mut out = Vec::new();
    for (name, pos) in &r.unconfigurable {
        // schemaMap.validate: a computed-only field.
        let mut d = Diagnostic::error(
            "Value for unconfigurable attribute",
            format!("Can't configure a value for \"{name}\": its value will be decided automatically based on the result of applying this configuration."),
        )
        .at(pos.clone(), Some(r.context()));
        d.with = Some(r.address());
        out.push(d);
    }
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
        // A set of strings: each element converted, sorted and without duplicates.
        (Ty::Set, Value::Array(items)) => {
            if items.iter().any(is_unknown) {
                return Ok(v);
            }
            let mut out = Vec::new();
            for i in items {
                match coerce(Ty::String, i.clone())? {
                    Value::String(s) => out.push(s),
                    Value::Null => return Err("element must not be null".into()),
                    _ => return Err("set of string required".into()),
                }
            }
            out.sort();
            out.dedup();
            Ok(Value::Array(out.into_iter().map(Value::String).collect()))
        }
        (Ty::Set, _) => Err("set of string required".into()),
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

/// A value the SDK reads as its type's zero value (legacy providers do not tell null from zero).
fn zero(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

/// A policy document as awspolicy compares them, roughly: a one-element list is its element,
/// lists are unordered, objects compared key by key.
fn policy_shape(v: &Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), policy_shape(v)))
                .collect(),
        ),
        Value::Array(a) if a.len() == 1 => policy_shape(&a[0]),
        Value::Array(a) => {
            let mut items: Vec<Value> = a.iter().map(policy_shape).collect();
            items.sort_by_key(|v| v.to_string());
            Value::Array(items)
        }
        other => other.clone(),
    }
}

/// verify.SuppressEquivalentPolicyDiffs / PolicyToSet: two policy documents that say the same.
pub fn policies_equivalent(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    match (
        serde_json::from_str::<Value>(a),
        serde_json::from_str::<Value>(b),
    ) {
        (Ok(x), Ok(y)) => policy_shape(&x) == policy_shape(&y),
        _ => false,
    }
}

/// The key ID of a key ARN (`arn:aws:kms:...:key/ID`), else the value itself.
fn key_id_of(v: &str) -> &str {
    match (v.starts_with("arn:"), v.rfind(":key/")) {
        (true, Some(i)) => &v[i + 5..],
        _ => v,
    }
}

/// Whether the configuration's value is what the state has, as the provider's diff sees it:
/// equal, both the zero value, equivalent policies, or a key's ARN and ID.
pub fn same_value(ty: &str, attr: &Attr, want: &Value, have: &Value) -> bool {
    if want == have {
        return true;
    }
    if is_unknown(want) {
        return false;
    }
    if zero(want) && zero(have) {
        return true;
    }
    match (attr.name, want.as_str(), have.as_str()) {
        ("policy", Some(a), Some(b)) => policies_equivalent(a, b),
        // suppressEquivalentKeyARNOrID.
        ("target_key_id", Some(a), Some(b)) if ty == "aws_kms_alias" => {
            key_id_of(a) == key_id_of(b)
        }
        _ => false,
    }
}

/// Compares the configuration (evaluated) with the state (refreshed); a resource whose
/// `lifecycle.prevent_destroy` the plan would destroy is an error.
pub fn plan(
    cfg: &Config,
    state: &State,
    scope: &mut Scope,
    destroy: bool,
) -> Result<Vec<Change>, Vec<Diagnostic>> {
    let mut changes = Vec::new();
    if !destroy {
        for r in order(cfg).map_err(|d| vec![d])? {
            let mut args = desired(r, scope)?;
            let before = state.get(&r.address()).map(|i| i.attributes.clone());
            let schema = resource_type(&r.ty).expect("validated type");
            let (action, forces, after) = match &before {
                None => (Action::Create, Vec::new(), planned(&r.ty, &args, None)),
                Some(b) => {
                    // ignore_changes: the state's value stands for the configuration's.
                    for attr in schema.attrs.iter().filter(|a| a.argument) {
                        let ignored = r.lifecycle.ignore_all
                            || r.lifecycle.ignore_changes.iter().any(|n| n == attr.name);
                        if ignored {
                            args.insert(
                                attr.name.to_string(),
                                b.get(attr.name).cloned().unwrap_or(Value::Null),
                            );
                        }
                    }
                    let mut differs = Vec::new();
                    for attr in schema.attrs.iter().filter(|a| a.argument) {
                        let want = &args[attr.name];
                        let have = b.get(attr.name).unwrap_or(&Value::Null);
                        let same = same_value(&r.ty, attr, want, have)
                            || (want.is_null() && attr.computed);
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
                            after.insert(
                                "tags_all".into(),
                                match &args["tags"] {
                                    Value::Null => Value::Object(Map::new()),
                                    t => t.clone(),
                                },
                            );
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
                cbd: r.lifecycle.create_before_destroy,
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
                cbd: false,
            });
        }
    }
    // checkPreventDestroy.
    let mut errs = Vec::new();
    for c in &changes {
        if !matches!(c.action, Action::Delete | Action::Replace) {
            continue;
        }
        if let Some(r) = cfg
            .resource(&c.address())
            .filter(|r| r.lifecycle.prevent_destroy)
        {
            errs.push(
                Diagnostic::error(
                    "Instance cannot be destroyed",
                    format!("Resource {} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the -target flag.", c.address()),
                )
                .at(r.pos.clone(), None),
            );
        }
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(changes)
}

/// The action symbol of a resource change.
fn change_act(c: &Change) -> Act {
    match c.action {
        Action::Create => Act::Create,
        Action::Update => Act::Update,
        Action::Delete => Act::Delete,
        Action::Replace if c.cbd => Act::CreateThenDelete,
        Action::Replace => Act::DeleteThenCreate,
        Action::NoOp => Act::NoOp,
    }
}

/// One resource's block in the plan.
fn render_change(c: &Change) -> String {
    let addr = c.address();
    let comment = match c.action {
        Action::Create => format!("  # {addr} will be created"),
        Action::Delete if c.orphan => {
            format!("  # {addr} will be destroyed\n  # (because {addr} is not in configuration)")
        }
        Action::Delete => format!("  # {addr} will be destroyed"),
        Action::Update => format!("  # {addr} will be updated in-place"),
        Action::Replace => format!("  # {addr} must be replaced"),
        Action::NoOp => return String::new(),
    };
    let diff = block_diff(&c.ty, c.before.as_ref(), c.after.as_ref(), &c.forces, None);
    format!(
        "{comment}\n{} resource \"{}\" \"{}\" {}\n",
        symbol(change_act(c)),
        c.ty,
        c.name,
        diff.render(0, Opts::default())
    )
}

/// A resource changed outside of Terraform, as the plan's note shows it: `None` when nothing
/// of what it shows (`relevant`) changed.
pub fn render_drift(
    ty: &str,
    name: &str,
    before: &Map<String, Value>,
    after: Option<&Map<String, Value>>,
    relevant: Option<&[String]>,
) -> Option<String> {
    let diff = block_diff(ty, Some(before), after, &[], relevant);
    if diff.act == Act::NoOp {
        return None;
    }
    let (comment, act) = match after {
        None => ("has been deleted", Act::Delete),
        Some(_) => ("has changed", Act::Update),
    };
    Some(format!(
        "  # {ty}.{name} {comment}\n{} resource \"{ty}\" \"{name}\" {}",
        symbol(act),
        diff.render(0, Opts::default())
    ))
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
        let d = output_diff(self.before.as_ref(), self.after.as_ref(), self.sensitive);
        if d.act == Act::NoOp {
            return String::new();
        }
        format!(
            "{} {:<width$} = {}\n",
            symbol(d.act),
            self.name,
            d.render(0, Opts::default())
        )
    }
}

/// The plan as `terraform plan` prints it (without the refresh lines); `width` is the longest
/// output name, changed or not; `drift` the resources changed outside of Terraform that matter
/// to this plan, rendered.
pub fn render(
    changes: &[Change],
    outputs_changed: &[OutputChange],
    width: usize,
    destroy: bool,
    drift: &[String],
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
    if !drift.is_empty() {
        s.push_str("\nNote: Objects have changed outside of Terraform\n\n");
        s.push_str(&crate::diag::wrap_text(
            "Terraform detected the following changes made outside of Terraform since the last \"terraform apply\" which may have affected this plan:\n",
            78,
        ));
        for d in drift {
            s.push('\n');
            s.push_str(d);
            s.push('\n');
        }
        s.push_str(&crate::diag::wrap_text("\n\nUnless you have made equivalent changes to your configuration, or ignored the relevant attributes using ignore_changes, the following plan may include actions to undo or respond to these changes.", 78));
        s.push('\n');
        s.push_str(&format!("\n{}\n\n", crate::RULE));
    }
    if !real.is_empty() {
        let mut symbols = Vec::new();
        let has = |a: Act| real.iter().any(|c| change_act(c) == a);
        if has(Act::Create) {
            symbols.push("  + create");
        }
        if has(Act::Update) {
            symbols.push("  ~ update in-place");
        }
        if has(Act::Delete) {
            symbols.push("  - destroy");
        }
        if has(Act::DeleteThenCreate) {
            symbols.push("-/+ destroy and then create replacement");
        }
        if has(Act::CreateThenDelete) {
            symbols.push("+/- create replacement and then destroy");
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
