//! The read operations that list and summarise: ListStacks, ListStackResources,
//! DescribeStackResource, ListExports, ListImports and GetTemplateSummary. Each answers the whole
//! list in one page (a sandbox holds few stacks), so none returns a NextToken.

use super::template::{self, Template};
use super::{not_found, template_body, Named, StackRecord, StackResource};
use crate::error::{KmsError, Result};
use crate::tx::wire_time;
use crate::Engine;
use serde_json::{json, Value};

/// ListStacks: the Region's stacks, deleted ones too, newest first, optionally only those in
/// the given statuses.
pub(super) fn list_stacks(engine: &Engine, region: &str, request: &Value) -> Result<Value> {
    let filter: Vec<&str> = request
        .get("StackStatusFilter")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut stacks: Vec<&StackRecord> = engine
        .stacks()
        .into_iter()
        .filter(|s| s.region == region)
        .filter(|s| filter.is_empty() || filter.contains(&s.status.as_str()))
        .collect();
    stacks.sort_by(|a, b| {
        b.created
            .cmp(&a.created)
            .then(a.stack_name.cmp(&b.stack_name))
    });
    let summaries: Vec<Value> = stacks
        .into_iter()
        .map(|s| {
            let mut v = json!({
                "StackId": s.stack_id,
                "StackName": s.stack_name,
                "CreationTime": wire_time(s.created),
                "StackStatus": s.status,
                "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
            });
            if let Some(d) = &s.description {
                v["TemplateDescription"] = json!(d);
            }
            if let Some(t) = s.last_updated {
                v["LastUpdatedTime"] = wire_time(t);
            }
            if let Some(t) = s.deleted {
                v["DeletionTime"] = wire_time(t);
            }
            if let Some(r) = &s.status_reason {
                v["StackStatusReason"] = json!(r);
            }
            v
        })
        .collect();
    Ok(json!({ "StackSummaries": summaries }))
}

/// A resource's fields as the stack resource shapes share them, its time under `time_key`
/// (`Timestamp` or `LastUpdatedTimestamp`).
pub(super) fn resource_fields(r: &StackResource, time_key: &str) -> Value {
    let mut v = json!({
        "LogicalResourceId": r.logical_id,
        "ResourceType": r.resource_type,
        time_key: wire_time(r.updated),
        "ResourceStatus": r.status,
        "DriftInformation": {"StackResourceDriftStatus": "NOT_CHECKED"},
    });
    if let Some(p) = &r.physical_id {
        v["PhysicalResourceId"] = json!(p);
    }
    if let Some(x) = &r.status_reason {
        v["ResourceStatusReason"] = json!(x);
    }
    v
}

/// A stack resource with its stack's name and id (StackResource, StackResourceDetail).
pub(super) fn stack_resource(s: &StackRecord, r: &StackResource, time_key: &str) -> Value {
    let mut v = resource_fields(r, time_key);
    v["StackName"] = json!(s.stack_name);
    v["StackId"] = json!(s.stack_id);
    v
}

/// ListStackResources: a stack's resources as summaries.
pub(super) fn list_stack_resources(
    engine: &Engine,
    region: &str,
    request: &Value,
) -> Result<Value> {
    let name = request["StackName"].as_str().unwrap_or_default();
    let s = engine
        .find_stack(region, name)
        .ok_or_else(|| not_found(name, Named::Id))?;
    let list: Vec<Value> = s
        .resources
        .iter()
        .map(|r| resource_fields(r, "LastUpdatedTimestamp"))
        .collect();
    Ok(json!({ "StackResourceSummaries": list }))
}

/// DescribeStackResource: one resource of a stack in detail, with its template Metadata.
pub(super) fn describe_stack_resource(
    engine: &Engine,
    region: &str,
    request: &Value,
) -> Result<Value> {
    let name = request["StackName"].as_str().unwrap_or_default();
    let logical = request["LogicalResourceId"].as_str().unwrap_or_default();
    let s = engine
        .find_stack(region, name)
        .ok_or_else(|| not_found(name, Named::Quotes))?;
    let r = s.resource(logical).ok_or_else(|| {
        KmsError::validation_error(format!(
            "Resource {logical} does not exist for stack {name}"
        ))
    })?;
    let mut v = stack_resource(s, r, "LastUpdatedTimestamp");
    let metadata = Template::parse(&s.template_body).ok().and_then(|t| {
        t.resources
            .get(logical)
            .and_then(|d| d.get("Metadata"))
            .cloned()
    });
    if let Some(m) = metadata {
        v["Metadata"] = json!(m.to_string());
    }
    Ok(json!({ "StackResourceDetail": v }))
}

/// ListExports: every export of the Region's live stacks, by name.
pub(super) fn list_exports(engine: &Engine, region: &str) -> Result<Value> {
    let mut exports: Vec<Value> = engine
        .stacks()
        .into_iter()
        .filter(|s| s.region == region && s.deleted.is_none())
        .flat_map(|s| {
            s.outputs.iter().filter_map(move |o| {
                o.export_name
                    .as_ref()
                    .map(|n| json!({"ExportingStackId": s.stack_id, "Name": n, "Value": o.value}))
            })
        })
        .collect();
    exports.sort_by(|a, b| a["Name"].as_str().cmp(&b["Name"].as_str()));
    Ok(json!({ "Exports": exports }))
}

/// ListImports: the stacks that import an export.
pub(super) fn list_imports(engine: &Engine, region: &str, request: &Value) -> Result<Value> {
    let name = request["ExportName"].as_str().unwrap_or_default();
    let users = engine.importers(region, name, "");
    if users.is_empty() {
        return Err(KmsError::validation_error(format!(
            "Export '{name}' is not imported by any stack."
        )));
    }
    Ok(json!({ "Imports": users }))
}

/// GetTemplateSummary: what a template (given, or a stack's) declares.
pub(super) fn get_template_summary(
    engine: &Engine,
    region: &str,
    request: &Value,
) -> Result<Value> {
    let body = match request.get("StackName").and_then(Value::as_str) {
        Some(name) if request.get("TemplateBody").is_none() => engine
            .find_stack(region, name)
            .ok_or_else(|| not_found(name, Named::Id))?
            .template_body
            .clone(),
        _ => template_body(request)?.to_string(),
    };
    // A stack's stored template reads as it was stored; a request's must have no nulls.
    let t = if request.get("TemplateBody").is_some() {
        Template::parse_new(&body)?
    } else {
        Template::parse(&body)?
    };
    let params: Vec<Value> = t
        .parameters
        .iter()
        .map(|(k, p)| {
            let mut v = json!({
                "ParameterKey": k,
                "ParameterType": t.parameter_type(k),
                "NoEcho": t.no_echo(k),
                "ParameterConstraints": {},
            });
            if let Some(d) = p.get("Default") {
                v["DefaultValue"] = json!(template::text(d));
            }
            if let Some(d) = p.get("Description").and_then(Value::as_str) {
                v["Description"] = json!(d);
            }
            if let Some(Value::Array(a)) = p.get("AllowedValues") {
                v["ParameterConstraints"]["AllowedValues"] = a.iter().map(template::text).collect();
            }
            v
        })
        .collect();
    // Each type once, and per type its resources and what identifies one (the resource
    // schemas' primary identifiers).
    let mut types: Vec<&str> = vec![];
    for r in t.resources.values() {
        let rt = r["Type"].as_str().unwrap_or_default();
        if !types.contains(&rt) {
            types.push(rt);
        }
    }
    let identifiers: Vec<Value> = types
        .iter()
        .map(|rt| {
            let logical: Vec<&String> = t
                .resources
                .iter()
                .filter(|(_, r)| r["Type"].as_str() == Some(rt))
                .map(|(k, _)| k)
                .collect();
            let id = if *rt == "AWS::KMS::Alias" {
                "AliasName"
            } else {
                "KeyId"
            };
            json!({"ResourceType": rt, "LogicalResourceIds": logical, "ResourceIdentifiers": [id]})
        })
        .collect();
    let mut v = json!({
        "Parameters": params,
        "ResourceTypes": types,
        "Version": "2010-09-09",
        "DeclaredTransforms": [],
        "ResourceIdentifierSummaries": identifiers,
    });
    if let Some(d) = &t.description {
        v["Description"] = json!(d);
    }
    if let Some(m) = &t.metadata {
        v["Metadata"] = json!(m.to_string());
    }
    Ok(v)
}
