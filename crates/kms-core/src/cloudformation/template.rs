//! A CloudFormation template: parsing (JSON or YAML), parameters, conditions, the resources'
//! dependency order, and the intrinsic functions (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`,
//! `Fn::If`, `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`, `Fn::Select`, `Fn::Split`,
//! `Fn::Base64`, `Fn::FindInMap`, `Fn::ImportValue`) with the pseudo parameters.

use crate::error::{KmsError, Result};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

pub const RESOURCE_TYPES: &[&str] = &["AWS::KMS::Key", "AWS::KMS::Alias", "AWS::KMS::ReplicaKey"];

/// Where a template holds a null (JSON `null`, or a YAML key with nothing after it), as
/// CloudFormation names it: `/Outputs/MyOutput/Value`. An output's `Value` is looked at first
/// (LocalStack's test_validations snapshot: an output with a null `Value` and another null member
/// is refused for its `Value`); then the first null, sections and keys in order (the document's
/// order is not kept). Within a resource, CloudFormation's path goes through `Type` where the
/// template has `Properties` (`[/Resources/MyEC2/Type/Monitoring]`, as real refusals read).
fn null_value(top: &Map<String, Value>) -> Option<String> {
    if let Some(Value::Object(outputs)) = top.get("Outputs") {
        for (name, o) in outputs {
            if o.get("Value").is_some_and(Value::is_null) {
                return Some(format!("/Outputs/{name}/Value"));
            }
        }
    }
    fn walk(v: &Value, path: &mut Vec<String>) -> Option<String> {
        let at = |path: &mut Vec<String>, key: String, v: &Value| {
            path.push(key);
            let found = walk(v, path);
            path.pop();
            found
        };
        match v {
            Value::Null => Some(format!("/{}", path.join("/"))),
            Value::Object(m) => m.iter().find_map(|(k, x)| {
                let key = if path.len() == 2 && path[0] == "Resources" && k == "Properties" {
                    "Type".to_string()
                } else {
                    k.clone()
                };
                at(path, key, x)
            }),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .find_map(|(i, x)| at(path, i.to_string(), x)),
            _ => None,
        }
    }
    walk(&Value::Object(top.clone()), &mut Vec::new())
}

fn format_error(message: impl std::fmt::Display) -> KmsError {
    KmsError::validation_error(format!("Template format error: {message}"))
}

/// A parsed template.
#[derive(Debug, Clone)]
pub struct Template {
    pub description: Option<String>,
    pub parameters: Map<String, Value>,
    pub conditions: Map<String, Value>,
    pub mappings: Map<String, Value>,
    pub resources: Map<String, Value>,
    pub outputs: Map<String, Value>,
    /// The template's own `Metadata` section.
    pub metadata: Option<Value>,
}

impl Template {
    /// A template a request brings (CreateStack, UpdateStack, ValidateTemplate,
    /// GetTemplateSummary): [`Template::parse`], and no `null` anywhere, as CloudFormation
    /// refuses them. A stored stack's template is read with `parse` alone: one made before the
    /// rule (an empty YAML `Properties:`) still reads.
    pub fn parse_new(body: &str) -> Result<Template> {
        Self::parse_checked(body, true)
    }

    pub fn parse(body: &str) -> Result<Template> {
        Self::parse_checked(body, false)
    }

    fn parse_checked(body: &str, refuse_nulls: bool) -> Result<Template> {
        let trimmed = body.trim_start();
        // CloudFormation says where, not what: "YAML not well-formed. (line 23, column 5)".
        let not_well_formed = |kind: &str, (line, column): (usize, usize)| {
            format_error(format!(
                "{kind} not well-formed. (line {line}, column {column})"
            ))
        };
        let v: Value = if trimmed.starts_with('{') {
            serde_json::from_str(body)
                .map_err(|e| not_well_formed("JSON", (e.line(), e.column())))?
        } else {
            super::yaml::parse(body).map_err(|at| not_well_formed("YAML", at))?
        };
        let Value::Object(top) = v else {
            return Err(format_error("unsupported structure."));
        };
        if let Some(at) = null_value(&top).filter(|_| refuse_nulls) {
            return Err(KmsError::validation_error(format!(
                "[{at}] 'null' values are not allowed in templates"
            )));
        }
        const SECTIONS: &[&str] = &[
            "AWSTemplateFormatVersion",
            "Description",
            "Metadata",
            "Parameters",
            "Rules",
            "Mappings",
            "Conditions",
            "Transform",
            "Resources",
            "Outputs",
        ];
        let unknown: Vec<&String> = top
            .keys()
            .filter(|k| !SECTIONS.contains(&k.as_str()))
            .collect();
        if !unknown.is_empty() {
            return Err(format_error(format!(
                "Invalid template property or properties [{}]",
                join(&unknown)
            )));
        }
        if let Some(v) = top.get("AWSTemplateFormatVersion") {
            if v.as_str() != Some("2010-09-09") {
                return Err(format_error(format!(
                    "Unsupported AWSTemplateFormatVersion: {}",
                    text(v)
                )));
            }
        }
        let section = |name: &str| -> Result<Map<String, Value>> {
            match top.get(name) {
                None | Some(Value::Null) => Ok(Map::new()),
                Some(Value::Object(m)) => Ok(m.clone()),
                Some(_) => Err(format_error(format!("{name} must be a JSON object"))),
            }
        };
        // `{"Resources": ""}`: "Any Resources member must be an object." (LocalStack's recording
        // of test_linting_error_during_creation against AWS).
        if top
            .get("Resources")
            .is_some_and(|r| !r.is_object() && !r.is_null())
        {
            return Err(format_error("Any Resources member must be an object."));
        }
        let resources = section("Resources")?;
        if resources.is_empty() {
            return Err(format_error(
                "At least one Resources member must be defined.",
            ));
        }
        let mut unrecognized = BTreeSet::new();
        for (name, r) in &resources {
            if !name.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(format_error(format!(
                    "Resource name {name} is non alphanumeric."
                )));
            }
            let Some(t) = r.get("Type").and_then(Value::as_str) else {
                return Err(format_error(format!(
                    "[/Resources/{name}] Every Resources object must contain a Type member."
                )));
            };
            if !RESOURCE_TYPES.contains(&t) {
                unrecognized.insert(t.to_string());
            }
        }
        if !unrecognized.is_empty() {
            return Err(format_error(format!(
                "Unrecognized resource types: [{}]",
                join(&unrecognized.iter().collect::<Vec<_>>())
            )));
        }
        let parameters = section("Parameters")?;
        for (name, p) in &parameters {
            let t = p.get("Type").and_then(Value::as_str).unwrap_or("");
            if !matches!(
                t,
                "String" | "Number" | "CommaDelimitedList" | "List<Number>"
            ) {
                return Err(format_error(if t.is_empty() {
                    format!(
                        "[/Parameters/{name}] Every Parameters object must contain a Type member."
                    )
                } else {
                    format!("Unrecognized parameter type: {t}")
                }));
            }
        }
        let mappings = section("Mappings")?;
        for (name, m) in &mappings {
            // A mapping is a map of maps whose values are strings or lists of strings.
            let leaves_ok = m.as_object().is_some_and(|top| {
                top.values().all(|second| {
                    second.as_object().is_some_and(|s| {
                        s.values().all(|v| match v {
                            Value::Array(a) => a.iter().all(|x| !x.is_object() && !x.is_array()),
                            Value::Object(_) => false,
                            _ => true,
                        })
                    })
                })
            });
            if !leaves_ok {
                return Err(format_error(format!(
                    "[/Mappings/{name}] Every Mappings attribute must be a String or a List."
                )));
            }
        }
        let t = Template {
            description: top
                .get("Description")
                .and_then(Value::as_str)
                .map(str::to_string),
            parameters,
            conditions: section("Conditions")?,
            mappings,
            resources,
            outputs: section("Outputs")?,
            metadata: top.get("Metadata").filter(|m| !m.is_null()).cloned(),
        };
        if t.outputs.values().any(|o| o.get("Value").is_none()) {
            return Err(format_error(
                "Every Outputs member must contain a Value object",
            ));
        }
        t.check_structure()?;
        // A stored stack's template still reads as it was accepted.
        if refuse_nulls {
            t.check_policies()?;
        }
        t.check_references()?;
        t.check_attributes()?;
        Ok(t)
    }

    /// What CloudFormation refuses in a template's shape before it makes anything: its limits,
    /// resource attributes, `DependsOn`, functions it does not have, `Fn::If` of a condition not
    /// declared, a malformed `Fn::Join` or `Ref`, and conditions that refer to resources.
    fn check_structure(&self) -> Result<()> {
        if let Some(d) = &self.description {
            if d.len() > 1024 {
                return Err(format_error("'Description' length is greater than 1024."));
            }
        }
        if self.resources.len() > 500 {
            return Err(format_error(format!(
                "Number of resources, {}, is greater than maximum allowed, 500",
                self.resources.len()
            )));
        }
        const ATTRIBUTES: &[&str] = &[
            "Type",
            "Properties",
            "DependsOn",
            "CreationPolicy",
            "DeletionPolicy",
            "Metadata",
            "UpdatePolicy",
            "UpdateReplacePolicy",
            "Condition",
        ];
        for r in self.resources.values() {
            if let Some(k) = r
                .as_object()
                .and_then(|m| m.keys().find(|k| !ATTRIBUTES.contains(&k.as_str())))
            {
                return Err(KmsError::validation_error(format!(
                    "Invalid template resource property '{k}'"
                )));
            }
            let strings = match r.get("DependsOn") {
                None | Some(Value::String(_)) => true,
                Some(Value::Array(a)) => a.iter().all(Value::is_string),
                Some(_) => false,
            };
            if !strings {
                return Err(format_error(
                    "DependsOn must be a string or list of strings.",
                ));
            }
        }
        let mut parts: Vec<&Value> = self.resources.values().collect();
        parts.extend(self.outputs.values());
        parts.extend(self.conditions.values());
        for v in parts {
            self.check_functions(v)?;
        }
        let mut in_conditions = BTreeSet::new();
        for c in self.conditions.values() {
            references(c, &mut in_conditions);
        }
        let resources: Vec<&String> = in_conditions
            .iter()
            .filter(|r| self.resources.contains_key(*r))
            .collect();
        if !resources.is_empty() {
            return Err(format_error(format!(
                "Unresolved dependencies [{}]. Cannot reference resources in the Conditions block of the template",
                join(&resources)
            )));
        }
        Ok(())
    }

    /// The functions of a value: each one CloudFormation has, with well-formed arguments.
    fn check_functions(&self, v: &Value) -> Result<()> {
        const SUPPORTED: &str = "Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, \
            Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, \
            Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, \
            Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr";
        match v {
            Value::Object(m) => {
                for (k, arg) in m {
                    if k.len() > 4 && k[..4].eq_ignore_ascii_case("fn::") {
                        let known = SUPPORTED.split(", ").any(|f| f == k);
                        if !known {
                            return Err(KmsError::validation_error(format!(
                                "Template Error: Encountered unsupported function: {k} Supported functions are: [{SUPPORTED}]"
                            )));
                        }
                    }
                    match (k.as_str(), arg) {
                        ("Ref", a) if !a.is_string() => {
                            return Err(format_error(
                                "Every Ref object must have a single String value.",
                            ))
                        }
                        ("Fn::Join", a) if a.as_array().is_none_or(|a| a.len() != 2) => {
                            return Err(fn_error(
                                "every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.",
                            ))
                        }
                        ("Fn::If", Value::Array(a)) => {
                            if let Some(c) = a.first().and_then(Value::as_str) {
                                if !self.conditions.contains_key(c) {
                                    return Err(fn_error(format!(
                                        "unresolved condition dependency {c} in Fn::If"
                                    )));
                                }
                            }
                        }
                        _ => {}
                    }
                    self.check_functions(arg)?;
                }
                Ok(())
            }
            Value::Array(a) => a.iter().try_for_each(|x| self.check_functions(x)),
            _ => Ok(()),
        }
    }

    /// Every `Fn::GetAtt` names an attribute its resource's type has (checked before anything
    /// is made, as CloudFormation validates a template).
    fn check_attributes(&self) -> Result<()> {
        let mut pairs = Vec::new();
        for r in self.resources.values() {
            get_atts(r.get("Properties").unwrap_or(&Value::Null), &mut pairs);
        }
        for o in self.outputs.values() {
            get_atts(o, &mut pairs);
        }
        for (name, attr) in pairs {
            let Some(t) = self
                .resources
                .get(&name)
                .and_then(|r| r.get("Type"))
                .and_then(Value::as_str)
            else {
                continue; // an unresolved name is check_references's to report
            };
            let attributes: &[&str] = match t {
                "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => &["Arn", "KeyId"],
                _ => &[],
            };
            if !attributes.contains(&attr.as_str()) {
                return Err(KmsError::validation_error(format!(
                    "Template error: resource {name} does not support attribute type {attr} in Fn::GetAtt"
                )));
            }
        }
        Ok(())
    }

    /// Every `Ref`, `Fn::GetAtt` and `${}` of the resources and outputs names a parameter, a
    /// pseudo parameter or a resource; `DependsOn` names resources; no circular dependencies.
    fn check_references(&self) -> Result<()> {
        let mut unresolved = BTreeSet::new();
        for (name, r) in &self.resources {
            let mut refs = BTreeSet::new();
            references(r.get("Properties").unwrap_or(&Value::Null), &mut refs);
            for d in depends_on(r) {
                if !self.resources.contains_key(&d) {
                    return Err(format_error(format!(
                        "Unresolved resource dependencies [{d}] in the Resources block of the template"
                    )));
                }
            }
            for x in refs {
                if !self.known(&x) {
                    unresolved.insert(x);
                }
            }
            if let Some(c) = r.get("Condition").and_then(Value::as_str) {
                if !self.conditions.contains_key(c) {
                    return Err(format_error(format!(
                        "Unresolved dependencies [{c}]. Cannot reference resources in the Conditions block of the template"
                    )));
                }
            }
            let _ = name;
        }
        if !unresolved.is_empty() {
            return Err(format_error(format!(
                "Unresolved resource dependencies [{}] in the Resources block of the template",
                join(&unresolved.iter().collect::<Vec<_>>())
            )));
        }
        let mut unresolved = BTreeSet::new();
        for o in self.outputs.values() {
            let mut refs = BTreeSet::new();
            references(o, &mut refs);
            unresolved.extend(refs.into_iter().filter(|x| !self.known(x)));
        }
        if !unresolved.is_empty() {
            return Err(format_error(format!(
                "Unresolved resource dependencies [{}] in the Outputs block of the template",
                join(&unresolved.iter().collect::<Vec<_>>())
            )));
        }
        self.order(&self.resources.keys().cloned().collect())?;
        Ok(())
    }

    /// A resource's policy attribute (`DeletionPolicy`, `UpdateReplacePolicy`): `Delete` when it
    /// has none. `Snapshot` deletes a KMS resource, which has no snapshots.
    fn policy(&self, logical: &str, attribute: &str) -> &str {
        self.resources
            .get(logical)
            .and_then(|d| d.get(attribute))
            .and_then(Value::as_str)
            .unwrap_or("Delete")
    }

    /// Whether the resource `logical` is kept when DeleteStack, or an update that leaves it out
    /// of the template, deletes it: DeletionPolicy `Retain` or `RetainExceptOnCreate`.
    pub(super) fn retains(&self, logical: &str) -> bool {
        matches!(
            self.policy(logical, "DeletionPolicy"),
            "Retain" | "RetainExceptOnCreate"
        )
    }

    /// Whether the resource `logical`, made by the stack operation being rolled back, is kept:
    /// DeletionPolicy `Retain`, unless the request said RetainExceptOnCreate (`RetainExceptOnCreate`
    /// "behaves like Retain for stack operations, except for the stack operation that initially
    /// created the resource").
    pub(super) fn retains_on_rollback(&self, logical: &str, except_on_create: bool) -> bool {
        !except_on_create && self.policy(logical, "DeletionPolicy") == "Retain"
    }

    /// Whether the old physical resource of `logical` is kept when an update replaces it:
    /// UpdateReplacePolicy `Retain`.
    pub(super) fn retains_replaced(&self, logical: &str) -> bool {
        self.policy(logical, "UpdateReplacePolicy") == "Retain"
    }

    /// The values of the resources' DeletionPolicy and UpdateReplacePolicy, which CloudFormation
    /// checks when it validates a template a request brings.
    fn check_policies(&self) -> Result<()> {
        for (name, r) in &self.resources {
            for (attribute, allowed) in [
                (
                    "DeletionPolicy",
                    &["Delete", "Retain", "RetainExceptOnCreate", "Snapshot"][..],
                ),
                ("UpdateReplacePolicy", &["Delete", "Retain", "Snapshot"][..]),
            ] {
                match r.get(attribute) {
                    None => {}
                    Some(Value::String(v)) if allowed.contains(&v.as_str()) => {}
                    Some(Value::String(v)) => {
                        return Err(format_error(format!(
                            "Unrecognized {attribute} {v} for resource {name}"
                        )))
                    }
                    Some(_) => {
                        return Err(format_error(format!(
                            "Every {attribute} member must be a string."
                        )))
                    }
                }
            }
        }
        Ok(())
    }

    /// The names an output refers to outside any `Fn::If` (whose other branch may be the one
    /// taken).
    pub(super) fn output_references(&self, output: &Value) -> BTreeSet<String> {
        fn without_if(v: &Value) -> Value {
            match v {
                Value::Object(m) if m.len() == 1 && m.contains_key("Fn::If") => Value::Null,
                Value::Object(m) => {
                    Value::Object(m.iter().map(|(k, v)| (k.clone(), without_if(v))).collect())
                }
                Value::Array(a) => Value::Array(a.iter().map(without_if).collect()),
                other => other.clone(),
            }
        }
        let mut refs = BTreeSet::new();
        references(&without_if(output), &mut refs);
        refs
    }

    fn known(&self, name: &str) -> bool {
        name.starts_with("AWS::")
            || self.parameters.contains_key(name)
            || self.resources.contains_key(name)
    }

    /// The resources' logical ids that `name` depends on.
    pub fn dependencies(&self, name: &str) -> BTreeSet<String> {
        let Some(r) = self.resources.get(name) else {
            return BTreeSet::new();
        };
        let mut refs = BTreeSet::new();
        references(r.get("Properties").unwrap_or(&Value::Null), &mut refs);
        refs.extend(depends_on(r));
        refs.into_iter()
            .filter(|x| self.resources.contains_key(x))
            .collect()
    }

    /// `included` in dependency order (ties by name).
    pub fn order(&self, included: &BTreeSet<String>) -> Result<Vec<String>> {
        let mut done: Vec<String> = Vec::new();
        let mut left: BTreeSet<String> = included.clone();
        while !left.is_empty() {
            let ready: Vec<String> = left
                .iter()
                .filter(|n| {
                    self.dependencies(n)
                        .iter()
                        .all(|d| !included.contains(d) || done.contains(d))
                })
                .cloned()
                .collect();
            if ready.is_empty() {
                // CloudFormation says this one without "Template format error: ".
                return Err(KmsError::validation_error(format!(
                    "Circular dependency between resources: [{}]",
                    join(&left.iter().collect::<Vec<_>>())
                )));
            }
            for n in ready {
                left.remove(&n);
                done.push(n);
            }
        }
        Ok(done)
    }

    /// The parameters' values: those given, else the defaults; checked against the declarations.
    pub fn parameter_values(
        &self,
        given: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>> {
        let extra: Vec<&String> = given
            .keys()
            .filter(|k| !self.parameters.contains_key(*k))
            .collect();
        if !extra.is_empty() {
            return Err(KmsError::validation_error(format!(
                "Parameters: [{}] do not exist in the template",
                join(&extra)
            )));
        }
        let mut values = BTreeMap::new();
        let mut missing = vec![];
        for (name, p) in &self.parameters {
            let value = match given.get(name) {
                Some(v) => v.clone(),
                None => match p.get("Default") {
                    Some(d) => text(d),
                    None => {
                        missing.push(name);
                        continue;
                    }
                },
            };
            check_parameter(name, p, &value)?;
            values.insert(name.clone(), value);
        }
        if !missing.is_empty() {
            return Err(KmsError::validation_error(format!(
                "Parameters: [{}] must have values",
                join(&missing)
            )));
        }
        Ok(values)
    }

    pub fn parameter_type(&self, name: &str) -> &str {
        self.parameters
            .get(name)
            .and_then(|p| p.get("Type"))
            .and_then(Value::as_str)
            .unwrap_or("String")
    }

    pub fn no_echo(&self, name: &str) -> bool {
        self.parameters
            .get(name)
            .and_then(|p| p.get("NoEcho"))
            .is_some_and(|v| v == &Value::Bool(true) || v.as_str() == Some("true"))
    }
}

fn check_parameter(name: &str, p: &Value, value: &str) -> Result<()> {
    let fail = |default: String| {
        let message = match p.get("ConstraintDescription").and_then(Value::as_str) {
            Some(c) => format!("Parameter '{name}' failed to satisfy constraint: {c}"),
            None => default,
        };
        Err(KmsError::validation_error(message))
    };
    let t = p.get("Type").and_then(Value::as_str).unwrap_or("String");
    if t == "Number" && value.trim().parse::<f64>().is_err() {
        return Err(KmsError::validation_error(format!(
            "Parameter '{name}' must be a number."
        )));
    }
    if let Some(Value::Array(allowed)) = p.get("AllowedValues") {
        if !allowed.iter().any(|a| text(a) == value) {
            return fail(format!("Parameter '{name}' must be one of AllowedValues"));
        }
    }
    if let Some(pattern) = p.get("AllowedPattern").and_then(Value::as_str) {
        let ok = regex_lite::Regex::new(&format!("^(?:{pattern})$"))
            .map(|r| r.is_match(value))
            .unwrap_or(true);
        if !ok {
            return fail(format!("Parameter '{name}' must match pattern {pattern}"));
        }
    }
    let num = |k: &str| p.get(k).and_then(|v| text(v).parse::<f64>().ok());
    let len = value.chars().count() as f64;
    if let Some(min) = num("MinLength").filter(|m| len < *m) {
        return fail(format!(
            "Parameter '{name}' must contain at least {min} characters"
        ));
    }
    if let Some(max) = num("MaxLength").filter(|m| len > *m) {
        return fail(format!(
            "Parameter '{name}' must contain at most {max} characters"
        ));
    }
    if let Ok(n) = value.trim().parse::<f64>() {
        if t == "Number" {
            if let Some(min) = num("MinValue").filter(|m| n < *m) {
                return fail(format!(
                    "Parameter '{name}' must be a number not less than {min}"
                ));
            }
            if let Some(max) = num("MaxValue").filter(|m| n > *m) {
                return fail(format!(
                    "Parameter '{name}' must be a number not greater than {max}"
                ));
            }
        }
    }
    Ok(())
}

/// A scalar as the text CloudFormation passes on.
pub fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn join<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(|i| i.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The names a resource's `DependsOn` gives.
pub(super) fn depends_on(r: &Value) -> Vec<String> {
    match r.get("DependsOn") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => vec![],
    }
}

/// The (resource, attribute) pairs of a value's `Fn::GetAtt`s, in either form.
fn get_atts(v: &Value, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => {
            for (k, arg) in m {
                if k == "Fn::GetAtt" {
                    let pair = match arg {
                        Value::Array(a) => a
                            .first()
                            .and_then(Value::as_str)
                            .zip(a.get(1).and_then(Value::as_str))
                            .map(|(r, a)| (r.to_string(), a.to_string())),
                        Value::String(s) => s
                            .split_once('.')
                            .map(|(r, a)| (r.to_string(), a.to_string())),
                        _ => None,
                    };
                    out.extend(pair);
                } else {
                    get_atts(arg, out);
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| get_atts(x, out)),
        _ => {}
    }
}

/// The names a value refers to through `Ref`, `Fn::GetAtt` and `Fn::Sub`.
fn references(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let (k, arg) = m.iter().next().expect("one entry");
            match (k.as_str(), arg) {
                ("Ref", Value::String(s)) => {
                    out.insert(s.clone());
                }
                ("Fn::GetAtt", Value::Array(a)) => {
                    if let Some(s) = a.first().and_then(Value::as_str) {
                        out.insert(s.to_string());
                    }
                }
                ("Fn::GetAtt", Value::String(s)) => {
                    out.insert(s.split('.').next().unwrap_or_default().to_string());
                }
                ("Fn::Sub", arg) => {
                    let (s, vars) = match arg {
                        Value::String(s) => (s.as_str(), None),
                        Value::Array(a) => (
                            a.first().and_then(Value::as_str).unwrap_or_default(),
                            a.get(1).and_then(Value::as_object),
                        ),
                        _ => ("", None),
                    };
                    for name in sub_names(s) {
                        let base = name.split('.').next().unwrap_or_default().to_string();
                        if vars.is_some_and(|v| v.contains_key(&name)) {
                            continue;
                        }
                        out.insert(base);
                    }
                    if let Some(vars) = vars {
                        for v in vars.values() {
                            references(v, out);
                        }
                    }
                }
                _ => references(arg, out),
            }
        }
        Value::Object(m) => m.values().for_each(|v| references(v, out)),
        Value::Array(a) => a.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

/// The `${Name}` variables of an `Fn::Sub` string (not `${!Literal}`).
fn sub_names(s: &str) -> Vec<String> {
    let mut names = vec![];
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else { break };
        let name = &after[..j];
        if !name.starts_with('!') {
            names.push(name.trim().to_string());
        }
        rest = &after[j + 1..];
    }
    names
}

/// What intrinsic functions see: parameter values, pseudo parameters, conditions, and the
/// resources made so far (physical id and attributes).
pub struct Context<'a> {
    pub template: &'a Template,
    pub parameters: &'a BTreeMap<String, String>,
    pub pseudo: BTreeMap<String, String>,
    pub resources: &'a BTreeMap<String, (String, BTreeMap<String, String>)>,
    /// The Region's exports (name to value), for `Fn::ImportValue`.
    pub exports: BTreeMap<String, String>,
}

fn fn_error(message: impl std::fmt::Display) -> KmsError {
    KmsError::validation_error(format!("Template error: {message}"))
}

/// An `Fn::ImportValue` of a name no stack of the Region exports.
pub fn no_export(name: &str) -> KmsError {
    KmsError::validation_error(format!("No export named {name} found."))
}

impl Context<'_> {
    pub fn condition(&self, name: &str, depth: usize) -> Result<bool> {
        let Some(c) = self.template.conditions.get(name) else {
            return Err(fn_error(format!("unresolved condition dependency {name}")));
        };
        if depth > 32 {
            return Err(fn_error("circular condition dependency"));
        }
        self.truth(c, depth + 1)
    }

    fn truth(&self, v: &Value, depth: usize) -> Result<bool> {
        let Value::Object(m) = v else {
            return match v {
                Value::Bool(b) => Ok(*b),
                Value::String(s) if s == "true" || s == "false" => Ok(s == "true"),
                _ => Err(fn_error("a condition must be a condition function")),
            };
        };
        let Some((k, arg)) = m.iter().next() else {
            return Err(fn_error("an empty condition"));
        };
        let list = |n: Option<usize>| -> Result<&Vec<Value>> {
            match arg {
                Value::Array(a) if n.is_none_or(|n| a.len() == n) => Ok(a),
                _ => Err(fn_error(format!("{k} has the wrong arguments"))),
            }
        };
        match k.as_str() {
            "Condition" => self.condition(arg.as_str().unwrap_or_default(), depth),
            "Fn::Equals" => {
                let a = list(Some(2))?;
                let x = self.resolve(&a[0])?.map(|v| text(&v));
                let y = self.resolve(&a[1])?.map(|v| text(&v));
                Ok(x == y)
            }
            "Fn::Not" => Ok(!self.truth(&list(Some(1))?[0], depth)?),
            "Fn::And" => {
                for c in list(None)? {
                    if !self.truth(c, depth)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            "Fn::Or" => {
                for c in list(None)? {
                    if self.truth(c, depth)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            _ => Err(fn_error(format!("{k} is not a condition function"))),
        }
    }

    fn reference(&self, name: &str) -> Result<Value> {
        if name == "AWS::NoValue" {
            return Ok(Value::Null);
        }
        if let Some(v) = self.pseudo.get(name) {
            return Ok(Value::String(v.clone()));
        }
        if name.starts_with("AWS::") {
            return Err(fn_error(format!("unsupported pseudo parameter {name}")));
        }
        if let Some(v) = self.parameters.get(name) {
            return Ok(match self.template.parameter_type(name) {
                "CommaDelimitedList" | "List<Number>" => Value::Array(
                    v.split(',')
                        .map(|s| Value::String(s.trim().to_string()))
                        .collect(),
                ),
                _ => Value::String(v.clone()),
            });
        }
        match self.resources.get(name) {
            Some((physical, _)) => Ok(Value::String(physical.clone())),
            None => Err(fn_error(format!("unresolved resource dependency {name}"))),
        }
    }

    fn attribute(&self, name: &str, attr: &str) -> Result<Value> {
        let (_, attrs) = self
            .resources
            .get(name)
            .ok_or_else(|| fn_error(format!("unresolved resource dependency {name}")))?;
        attrs
            .get(attr)
            .map(|v| Value::String(v.clone()))
            .ok_or_else(|| {
                let t = self
                    .template
                    .resources
                    .get(name)
                    .and_then(|r| r.get("Type"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                fn_error(format!(
                    "resource {name} does not support attribute type {attr} in Fn::GetAtt ({t})"
                ))
            })
    }

    /// A value with its intrinsic functions evaluated; `None` for `AWS::NoValue`.
    pub fn resolve(&self, v: &Value) -> Result<Option<Value>> {
        match v {
            Value::Object(m) if m.len() == 1 => {
                let (k, arg) = m.iter().next().expect("one entry");
                let value = match k.as_str() {
                    "Ref" => {
                        let name = arg.as_str().unwrap_or_default();
                        if name == "AWS::NoValue" {
                            return Ok(None);
                        }
                        self.reference(name)?
                    }
                    "Fn::GetAtt" => {
                        let (n, a) = match arg {
                            Value::Array(a) if a.len() == 2 => (text(&a[0]), text(&a[1])),
                            Value::String(s) => match s.split_once('.') {
                                Some((n, a)) => (n.to_string(), a.to_string()),
                                None => {
                                    return Err(fn_error(
                                        "Fn::GetAtt needs a resource and an attribute",
                                    ))
                                }
                            },
                            _ => {
                                return Err(fn_error(
                                    "Fn::GetAtt needs a resource and an attribute",
                                ))
                            }
                        };
                        self.attribute(&n, &a)?
                    }
                    "Fn::Sub" => self.sub(arg)?,
                    "Fn::Join" => {
                        let Value::Array(a) = arg else {
                            return Err(fn_error("Fn::Join needs a delimiter and a list"));
                        };
                        let (Some(d), Some(list)) = (a.first(), a.get(1)) else {
                            return Err(fn_error("Fn::Join needs a delimiter and a list"));
                        };
                        let list = match self.resolve(list)? {
                            Some(Value::Array(items)) => items,
                            _ => return Err(fn_error("Fn::Join needs a list")),
                        };
                        Value::String(list.iter().map(text).collect::<Vec<_>>().join(&text(d)))
                    }
                    "Fn::If" => {
                        let Value::Array(a) = arg else {
                            return Err(fn_error("Fn::If needs a condition and two values"));
                        };
                        if a.len() != 3 {
                            return Err(fn_error("Fn::If needs a condition and two values"));
                        }
                        let c = self.condition(a[0].as_str().unwrap_or_default(), 0)?;
                        return self.resolve(if c { &a[1] } else { &a[2] });
                    }
                    "Fn::Select" => {
                        let Value::Array(a) = arg else {
                            return Err(fn_error("Fn::Select needs an index and a list"));
                        };
                        let i = a
                            .first()
                            .and_then(|i| self.resolve(i).ok().flatten())
                            .and_then(|i| text(&i).parse::<usize>().ok());
                        let list = match a.get(1).map(|l| self.resolve(l)).transpose()?.flatten() {
                            Some(Value::Array(items)) => items,
                            _ => return Err(fn_error("Fn::Select needs a list")),
                        };
                        match i.and_then(|i| list.get(i)) {
                            Some(v) => v.clone(),
                            None => {
                                let at = a
                                    .first()
                                    .and_then(|i| self.resolve(i).ok().flatten())
                                    .map(|i| text(&i))
                                    .unwrap_or_default();
                                return Err(fn_error(format!(
                                    "Fn::Select cannot select nonexistent value at index {at}"
                                )));
                            }
                        }
                    }
                    "Fn::Split" => {
                        let Value::Array(a) = arg else {
                            return Err(fn_error("Fn::Split needs a delimiter and a string"));
                        };
                        let d = a.first().map(text).unwrap_or_default();
                        let s = a
                            .get(1)
                            .map(|s| self.resolve(s))
                            .transpose()?
                            .flatten()
                            .map(|s| text(&s))
                            .unwrap_or_default();
                        Value::Array(
                            s.split(d.as_str())
                                .map(|p| Value::String(p.into()))
                                .collect(),
                        )
                    }
                    "Fn::FindInMap" => self.find_in_map(arg)?,
                    "Fn::GetAZs" => {
                        // Three zones a Region has in every account (the sandbox has no EC2).
                        let region = self.text_of(arg)?;
                        let region = if region.is_empty() {
                            self.pseudo.get("AWS::Region").cloned().unwrap_or_default()
                        } else {
                            region
                        };
                        Value::Array(
                            ["a", "b", "c"]
                                .iter()
                                .map(|z| Value::String(format!("{region}{z}")))
                                .collect(),
                        )
                    }
                    "Fn::Cidr" => self.cidr(arg)?,
                    "Fn::ImportValue" => {
                        let name = self.text_of(arg)?;
                        match self.exports.get(&name) {
                            Some(v) => Value::String(v.clone()),
                            None => return Err(no_export(&name)),
                        }
                    }
                    "Fn::Base64" => {
                        use base64::Engine as _;
                        let s = self.text_of(arg)?;
                        Value::String(base64::engine::general_purpose::STANDARD.encode(s))
                    }
                    "Condition" => {
                        Value::Bool(self.condition(arg.as_str().unwrap_or_default(), 0)?)
                    }
                    k if k.starts_with("Fn::") => {
                        return Err(fn_error(format!("{k} is not supported by the sandbox")))
                    }
                    _ => {
                        let mut out = Map::new();
                        if let Some(x) = self.resolve(arg)? {
                            out.insert(k.clone(), x);
                        }
                        Value::Object(out)
                    }
                };
                Ok(Some(value))
            }
            Value::Object(m) => {
                let mut out = Map::new();
                for (k, x) in m {
                    if let Some(x) = self.resolve(x)? {
                        out.insert(k.clone(), x);
                    }
                }
                Ok(Some(Value::Object(out)))
            }
            Value::Array(a) => {
                let mut out = vec![];
                for x in a {
                    if let Some(x) = self.resolve(x)? {
                        out.push(x);
                    }
                }
                Ok(Some(Value::Array(out)))
            }
            other => Ok(Some(other.clone())),
        }
    }

    /// A value's text once its functions are evaluated (empty for `AWS::NoValue`).
    fn text_of(&self, v: &Value) -> Result<String> {
        Ok(self.resolve(v)?.map(|v| text(&v)).unwrap_or_default())
    }

    /// The texts of a function's `n` arguments, or `None` when it was not given `n`.
    fn texts_of(&self, arg: &Value, n: usize) -> Result<Option<Vec<String>>> {
        match arg {
            Value::Array(a) if a.len() == n => a
                .iter()
                .map(|x| self.text_of(x))
                .collect::<Result<_>>()
                .map(Some),
            _ => Ok(None),
        }
    }

    /// `Fn::Cidr: [ipBlock, count, cidrBits]`: `count` consecutive IPv4 blocks of `cidrBits` host
    /// bits from the start of `ipBlock`.
    fn cidr(&self, arg: &Value) -> Result<Value> {
        let Some(parts) = self.texts_of(arg, 3)? else {
            return Err(fn_error(
                "Fn::Cidr requires an ipBlock, a count and cidrBits",
            ));
        };
        let bad = || fn_error(format!("Fn::Cidr cannot divide {} as asked", parts[0]));
        let (ip, prefix) = parts[0].split_once('/').ok_or_else(bad)?;
        let ip: std::net::Ipv4Addr = ip.parse().map_err(|_| bad())?;
        let prefix: u32 = prefix.parse().map_err(|_| bad())?;
        let count: u32 = parts[1].parse().map_err(|_| bad())?;
        let bits: u32 = parts[2].parse().map_err(|_| bad())?;
        if prefix > 32 || bits == 0 || bits > 32 - prefix || !(1..=256).contains(&count) {
            return Err(bad());
        }
        if u64::from(count) << bits > 1u64 << (32 - prefix) {
            return Err(bad());
        }
        let base = u32::from(ip) & (u32::MAX.checked_shl(32 - prefix).unwrap_or(0));
        Ok(Value::Array(
            (0..count)
                .map(|i| {
                    let start = std::net::Ipv4Addr::from(base + i.checked_shl(bits).unwrap_or(0));
                    Value::String(format!("{start}/{}", 32 - bits))
                })
                .collect(),
        ))
    }

    /// `Fn::FindInMap: [MapName, TopLevelKey, SecondLevelKey]`, each of which may be a function.
    fn find_in_map(&self, arg: &Value) -> Result<Value> {
        let Some(keys) = self.texts_of(arg, 3)? else {
            return Err(fn_error(
                "Fn::FindInMap needs a map name, a top-level key and a second-level key",
            ));
        };
        let Some(map) = self.template.mappings.get(&keys[0]) else {
            return Err(fn_error(format!(
                "Mapping named '{}' is not present in the 'Mappings' section of template.",
                keys[0]
            )));
        };
        map.get(&keys[1])
            .and_then(|top| top.get(&keys[2]))
            .map(|v| match v {
                Value::Array(a) => Value::Array(a.iter().map(|x| Value::String(text(x))).collect()),
                other => Value::String(text(other)),
            })
            .ok_or_else(|| {
                fn_error(format!(
                    "Unable to get mapping for {}::{}::{}",
                    keys[0], keys[1], keys[2]
                ))
            })
    }

    /// The export names the template's resources and outputs import that can be known before
    /// anything is made (those that do not name a resource's value).
    pub fn imports(&self) -> Vec<String> {
        fn walk(v: &Value, out: &mut Vec<Value>) {
            match v {
                Value::Object(m) => {
                    for (k, x) in m {
                        if k == "Fn::ImportValue" {
                            out.push(x.clone());
                        } else {
                            walk(x, out);
                        }
                    }
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
                _ => {}
            }
        }
        let mut args = vec![];
        for r in self.template.resources.values() {
            walk(r, &mut args);
        }
        for o in self.template.outputs.values() {
            walk(o, &mut args);
        }
        let mut names: Vec<String> = args
            .iter()
            .filter_map(|a| self.resolve(a).ok().flatten())
            .map(|v| text(&v))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    fn sub(&self, arg: &Value) -> Result<Value> {
        let (s, vars) = match arg {
            Value::String(s) => (s.as_str(), None),
            Value::Array(a) if a.len() == 2 => {
                (a[0].as_str().unwrap_or_default(), a[1].as_object())
            }
            _ => return Err(fn_error("Fn::Sub needs a string, or a string and a map")),
        };
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            out.push_str(&rest[..i]);
            let after = &rest[i + 2..];
            let Some(j) = after.find('}') else {
                out.push_str(&rest[i..]);
                rest = "";
                break;
            };
            let name = after[..j].trim();
            if let Some(lit) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(lit);
                out.push('}');
            } else if let Some(v) = vars.and_then(|m| m.get(name)) {
                out.push_str(&self.resolve(v)?.map(|v| text(&v)).unwrap_or_default());
            } else if let Some((n, a)) = name.split_once('.').filter(|_| !name.starts_with("AWS::"))
            {
                out.push_str(&text(&self.attribute(n, a)?));
            } else {
                out.push_str(&text(&self.reference(name)?));
            }
            rest = &after[j + 1..];
        }
        out.push_str(rest);
        Ok(Value::String(out))
    }
}

#[cfg(test)]
mod tests {
    use super::Template;

    /// A request's template may hold no null; a stored stack's template, made before that rule,
    /// still reads, its DeletionPolicy included (DeleteStack must keep what it retains).
    #[test]
    fn nulls_refused_in_new_templates_only() {
        let body = "Resources:\n  Key:\n    Type: AWS::KMS::Key\n    DeletionPolicy: Retain\n    Properties:\n";
        let e = Template::parse_new(body).unwrap_err();
        assert_eq!(
            e.message,
            "[/Resources/Key/Type] 'null' values are not allowed in templates"
        );
        assert!(Template::parse(body).unwrap().retains("Key"));
    }
}
