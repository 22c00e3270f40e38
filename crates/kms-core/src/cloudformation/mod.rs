//! CloudFormation (2010-05-15) for the KMS resources: CreateStack, UpdateStack, DeleteStack,
//! DescribeStacks, DescribeStackEvents, DescribeStackResources, ValidateTemplate, GetTemplate and
//! the list and summary operations of [`summaries`], with
//! `AWS::KMS::Key`, `AWS::KMS::Alias` and `AWS::KMS::ReplicaKey`. A stack's resources are made by
//! the engine's own KMS operations, run as the caller (so key policies and IAM policies apply,
//! and CloudTrail records the calls as the caller's, invoked by CloudFormation), one after the
//! other within the one request: the stack's states and events progress at once.
//! A stack is one record (kept with the account's IAM records, under a storage key starting
//! `cloudformation/`), so that the shell persists it like any other.

mod resources;
mod summaries;
pub mod template;
mod yaml;

use crate::env::{uuid_v4, Entropy, Millis};
use crate::error::{KmsError, Result};
use crate::iam::IamRecord;
use crate::records::Change;
use crate::trail::ServiceEvent;
use crate::tx::wire_time;
use crate::{Caller, Engine, Outcome};

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use template::{Context, Template};

const STACK_TYPE: &str = "AWS::CloudFormation::Stack";

pub use crate::records::stack::{
    StackEvent, StackOutput, StackParameter, StackRecord, StackResource, STACK_PREFIX,
};

/// An operation in progress: a scratch copy of the engine that sees the KMS changes made so far.
struct Run<'a> {
    scratch: Engine,
    region: String,
    caller: &'a Caller,
    now: Millis,
    entropy: &'a mut dyn Entropy,
    changes: Vec<Change>,
    service_events: Vec<ServiceEvent>,
    /// Keys an operation needed read or unsealed first ([`Outcome::unseal`]): the stack
    /// operation is then asked again once they are.
    unseal: Vec<String>,
    /// The request's ClientRequestToken, which every event of the operation carries.
    token: Option<String>,
}

impl Run<'_> {
    /// What a stack's intrinsic functions see: its parameters, the resources `made` so far, and
    /// the Region's exports but its own (`stack_id`).
    fn context<'t>(
        &self,
        template: &'t Template,
        parameters: &'t BTreeMap<String, String>,
        pseudo: &BTreeMap<String, String>,
        made: &'t BTreeMap<String, (String, BTreeMap<String, String>)>,
        stack_id: &str,
    ) -> Context<'t> {
        Context {
            template,
            parameters,
            pseudo: pseudo.clone(),
            resources: made,
            exports: self.scratch.exports(&self.region, stack_id),
        }
    }

    /// Runs a KMS operation in `region` as the caller; its changes are kept.
    fn kms(&mut self, region: &str, operation: &str, request: Value) -> Result<Value> {
        let o = self.scratch.handle(
            region,
            operation,
            &request,
            self.caller,
            self.now,
            self.entropy,
        );
        if !o.unseal.is_empty() {
            self.unseal.extend(o.unseal);
            return Err(KmsError::internal(
                "A key the stack uses is not loaded yet.",
            ));
        }
        self.keep(o.changes);
        self.service_events.extend(o.service_events);
        self.record_call(region, operation, &request, &o.result, &o.trail);
        o.result
    }

    /// CloudTrail's record of a KMS call the stack made: CloudFormation calls with the caller's
    /// credentials (the sandbox has no service role), so the record is the caller's, invoked by
    /// CloudFormation, in the Region called.
    fn record_call(
        &mut self,
        region: &str,
        operation: &str,
        request: &Value,
        result: &Result<Value>,
        facts: &crate::trail::TrailFacts,
    ) {
        const CLOUDFORMATION: &str = "cloudformation.amazonaws.com";
        let request_id = self.uuid();
        let mut record = crate::trail::api_call_record(&crate::trail::CallRecordInput {
            service: crate::Service::Kms,
            region,
            operation,
            request,
            result,
            caller: self.caller,
            time: self.now,
            request_id: &request_id,
            // The shell gives it, as to KMS's own events.
            event_id: "",
            user_agent: CLOUDFORMATION,
            source_ip: CLOUDFORMATION,
            facts,
            session_created: self.scratch.session_created(self.caller),
        });
        record["userIdentity"]["invokedBy"] = json!(CLOUDFORMATION);
        self.service_events
            .push(ServiceEvent::invoked_call(record, region, self.now));
    }

    fn keep(&mut self, changes: Vec<Change>) {
        self.scratch.apply(changes.clone());
        self.changes.extend(changes);
    }

    fn uuid(&mut self) -> String {
        uuid_v4(self.entropy)
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        stack: &mut StackRecord,
        logical: &str,
        physical: Option<&str>,
        resource_type: &str,
        status: &str,
        reason: Option<&str>,
        properties: Option<&Value>,
    ) {
        // Everything happens within the request: each event is a millisecond after the stack's
        // previous one, so that a resource's EventId (which AWS makes of its time) is unique.
        let timestamp = stack
            .events
            .last()
            .map_or(self.now, |e| self.now.max(e.timestamp + 1));
        let event_id = if resource_type == STACK_TYPE {
            self.uuid()
        } else {
            // `MyKMSKey-CREATE_COMPLETE-2025-09-30T14:42:12.572Z`, as CloudFormation makes them.
            let ms = timestamp.rem_euclid(1000);
            let second = crate::query::format_timestamp(timestamp - ms);
            format!(
                "{logical}-{status}-{}.{ms:03}Z",
                second.trim_end_matches('Z')
            )
        };
        stack.events.push(StackEvent {
            event_id,
            logical_id: logical.to_string(),
            physical_id: physical.map(str::to_string),
            resource_type: resource_type.to_string(),
            timestamp,
            status: status.to_string(),
            reason: reason.map(str::to_string),
            properties: properties.map(Value::to_string),
            client_request_token: self.token.clone(),
        });
    }

    fn stack_event(&mut self, stack: &mut StackRecord, status: &str, reason: Option<&str>) {
        let (name, id) = (stack.stack_name.clone(), stack.stack_id.clone());
        stack.status = status.to_string();
        stack.status_reason = reason.map(str::to_string);
        self.event(stack, &name, Some(&id), STACK_TYPE, status, reason, None);
    }
}

/// How an operation words a stack it does not find (a deleted stack asked by name included).
#[derive(Clone, Copy)]
enum Named {
    /// `Stack with id X does not exist`: DescribeStacks, DescribeStackResources, ListStackResources,
    /// GetTemplate, and the operations whose wording is not known.
    Id,
    /// `Stack [X] does not exist`: UpdateStack, DescribeStackEvents.
    Brackets,
    /// `Stack 'X' does not exist`: DescribeStackResource.
    Quotes,
    /// `Stack for X does not exist`: DescribeStackResources by PhysicalResourceId.
    For,
}

fn not_found(name: &str, named: Named) -> KmsError {
    let stack = match named {
        Named::Id => format!("with id {name}"),
        Named::Brackets => format!("[{name}]"),
        Named::Quotes => format!("'{name}'"),
        Named::For => format!("for {name}"),
    };
    KmsError::validation_error(format!("Stack {stack} does not exist"))
}

impl Engine {
    fn stacks(&self) -> Vec<&StackRecord> {
        use crate::iam::IamView;
        self.iam
            .scan(STACK_PREFIX)
            .into_iter()
            .filter_map(|r| match r {
                IamRecord::Stack(s) => Some(&**s),
                _ => None,
            })
            .collect()
    }

    /// The Region's exports (name to value) that the stack `except` may import: a stack cannot
    /// import its own.
    fn exports(&self, region: &str, except: &str) -> BTreeMap<String, String> {
        self.stacks()
            .into_iter()
            .filter(|s| s.region == region && s.deleted.is_none() && s.stack_id != except)
            .flat_map(|s| {
                s.outputs
                    .iter()
                    .filter_map(|o| o.export_name.as_ref().map(|n| (n.clone(), o.value.clone())))
            })
            .collect()
    }

    /// The names of the live stacks of `region` other than `except` that import `name`, sorted.
    fn importers(&self, region: &str, name: &str, except: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .stacks()
            .into_iter()
            .filter(|s| {
                s.region == region
                    && s.deleted.is_none()
                    && s.stack_id != except
                    && s.imports.iter().any(|i| i == name)
            })
            .map(|s| s.stack_name.clone())
            .collect();
        out.sort();
        out
    }

    /// Why `stack` may not publish `next` (its new outputs, or none when it is deleted): an
    /// export another stack imports must stay, with its value.
    fn export_in_use(&self, stack: &StackRecord, next: Option<&[StackOutput]>) -> Option<String> {
        for o in &stack.outputs {
            let Some(name) = &o.export_name else { continue };
            let users = self.importers(&stack.region, name, &stack.stack_id);
            if users.is_empty() {
                continue;
            }
            let users = users.join(", ");
            let Some(next) = next else {
                return Some(format!(
                    "Cannot delete export {name} as it is in use by {users}"
                ));
            };
            match next.iter().find(|n| n.export_name.as_ref() == Some(name)) {
                None => {
                    return Some(format!(
                        "Export {name} cannot be deleted as it is in use by {users}"
                    ))
                }
                Some(n) if n.value != o.value => {
                    return Some(format!(
                        "Export {name} cannot be updated as it is in use by {users}"
                    ))
                }
                Some(_) => {}
            }
        }
        None
    }

    /// A stack by name (a live one) or by stack id (deleted ones too).
    fn find_stack(&self, region: &str, name_or_id: &str) -> Option<&StackRecord> {
        self.stacks().into_iter().find(|s| {
            s.region == region
                && (s.stack_id == name_or_id || (s.stack_name == name_or_id && s.deleted.is_none()))
        })
    }

    /// Answers a CloudFormation request (the JSON value form of the query codec).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn handle_cloudformation(
        &self,
        region: &str,
        operation: &str,
        request: &Value,
        caller: &Caller,
        now: Millis,
        entropy: &mut dyn Entropy,
    ) -> Outcome {
        let model = crate::model::cloudformation();
        if let Err(e) = model.validate_input(operation, request) {
            return Outcome::new(Err(e), vec![]);
        }
        let mut run = Run {
            scratch: self.clone(),
            region: region.to_string(),
            caller,
            now,
            entropy,
            changes: vec![],
            service_events: vec![],
            unseal: vec![],
            token: request
                .get("ClientRequestToken")
                .and_then(Value::as_str)
                .map(str::to_string),
        };
        let result = match operation {
            "CreateStack" => create_stack(&mut run, request),
            "UpdateStack" => update_stack(&mut run, request),
            "DeleteStack" => delete_stack(&mut run, request),
            "DescribeStacks" => describe_stacks(self, region, request),
            "DescribeStackEvents" => describe_stack_events(self, region, request),
            "DescribeStackResources" => describe_stack_resources(self, region, request),
            "ValidateTemplate" => validate_template(request),
            "GetTemplate" => get_template(self, region, request),
            "UpdateTerminationProtection" => update_termination_protection(&mut run, request),
            "RollbackStack" => rollback_stack(&mut run, request),
            "ListStacks" => summaries::list_stacks(self, region, request),
            "ListStackResources" => summaries::list_stack_resources(self, region, request),
            "DescribeStackResource" => summaries::describe_stack_resource(self, region, request),
            "ListExports" => summaries::list_exports(self, region),
            "ListImports" => summaries::list_imports(self, region, request),
            "GetTemplateSummary" => summaries::get_template_summary(self, region, request),
            other => Err(model.unknown_operation(other)),
        };
        let Run {
            changes,
            service_events,
            unseal,
            ..
        } = run;
        let mut outcome = Outcome::new(
            result,
            if operation.starts_with("Describe")
                || operation.starts_with("List")
                || operation.starts_with("Get")
            {
                vec![]
            } else {
                changes
            },
        );
        if outcome.result.is_err() && operation == "ValidateTemplate" {
            outcome.changes.clear();
        }
        outcome.service_events = service_events;
        outcome.unseal = unseal;
        outcome
    }
}

fn template_body(request: &Value) -> Result<&str> {
    if request.get("TemplateBody").is_some() && request.get("TemplateURL").is_some() {
        return Err(KmsError::validation_error(
            "You cannot specify both TemplateURL and TemplateBody.",
        ));
    }
    match request.get("TemplateBody").and_then(Value::as_str) {
        // The request's own limit (templates past it go through S3, which the sandbox has not).
        Some(b) if b.len() > 51_200 => Err(KmsError::validation_error(format!(
            "1 validation error detected: Value '{b}' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200"
        ))),
        Some(b) => Ok(b),
        None if request.get("TemplateURL").is_some() => Err(KmsError::validation_error(
            "TemplateURL must be a supported URL.",
        )),
        None => Err(KmsError::validation_error(
            "Either Template URL or Template Body must be specified.",
        )),
    }
}

fn given_parameters(
    request: &Value,
    previous: Option<&StackRecord>,
) -> Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for p in request
        .get("Parameters")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let key = p
            .get("ParameterKey")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let value_given = p
            .get("ParameterValue")
            .and_then(Value::as_str)
            .is_some_and(|v| !v.is_empty());
        if p.get("UsePreviousValue") == Some(&Value::Bool(true)) && value_given {
            return Err(KmsError::validation_error(format!(
                "Invalid input for parameter key {key}. Cannot specify usePreviousValue as true and non empty value for a parameter"
            )));
        }
        if p.get("UsePreviousValue") == Some(&Value::Bool(true)) {
            let prev = previous
                .and_then(|s| s.parameters.iter().find(|x| x.key == key))
                .ok_or_else(|| {
                    KmsError::validation_error(format!(
                        "Invalid input for parameter key {key}. Cannot specify usePreviousValue as true for a parameter key not in the previous template"
                    ))
                })?;
            out.insert(key, prev.value.clone());
        } else {
            let value = p
                .get("ParameterValue")
                .and_then(Value::as_str)
                .unwrap_or_default();
            out.insert(key, value.to_string());
        }
    }
    Ok(out)
}

fn stack_tags(request: &Value) -> Vec<(String, String)> {
    request
        .get("Tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|t| {
            (
                t.get("Key")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                t.get("Value")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect()
}

fn pseudo(run: &Run<'_>, stack_name: &str, stack_id: &str) -> BTreeMap<String, String> {
    let mut p = BTreeMap::new();
    p.insert("AWS::Region".into(), run.region.clone());
    p.insert(
        "AWS::AccountId".into(),
        run.scratch.account_id().to_string(),
    );
    p.insert("AWS::StackName".into(), stack_name.to_string());
    p.insert("AWS::StackId".into(), stack_id.to_string());
    p.insert(
        "AWS::Partition".into(),
        crate::arn::partition(&run.region).into(),
    );
    p.insert(
        "AWS::URLSuffix".into(),
        crate::arn::dns_suffix(&run.region).into(),
    );
    p.insert("AWS::NotificationARNs".into(), String::new());
    p
}

/// An output (whose own Condition holds) that refers to a resource the conditions left out is
/// a template error before anything is made, as CloudFormation reports it.
fn check_outputs(
    t: &Template,
    params: &BTreeMap<String, String>,
    pseudo: &BTreeMap<String, String>,
    order: &[String],
) -> Result<()> {
    let none = BTreeMap::new();
    let ctx = Context {
        template: t,
        parameters: params,
        pseudo: pseudo.clone(),
        resources: &none,
        exports: BTreeMap::new(),
    };
    let mut missing = BTreeSet::new();
    for o in t.outputs.values() {
        if let Some(c) = o.get("Condition").and_then(Value::as_str) {
            if !ctx.condition(c, 0)? {
                continue;
            }
        }
        missing.extend(
            t.output_references(o)
                .into_iter()
                .filter(|r| t.resources.contains_key(r) && !order.contains(r)),
        );
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(KmsError::validation_error(format!(
        "Template format error: Unresolved resource dependencies [{}] in the Outputs block of the template",
        missing.into_iter().collect::<Vec<_>>().join(", ")
    )))
}

/// The resources the conditions include, in dependency order.
fn included(
    t: &Template,
    params: &BTreeMap<String, String>,
    pseudo: &BTreeMap<String, String>,
) -> Result<Vec<String>> {
    let none = BTreeMap::new();
    let ctx = Context {
        template: t,
        parameters: params,
        pseudo: pseudo.clone(),
        resources: &none,
        exports: BTreeMap::new(),
    };
    let mut set = BTreeSet::new();
    for (name, r) in &t.resources {
        let on = match r.get("Condition").and_then(Value::as_str) {
            Some(c) => ctx.condition(c, 0)?,
            None => true,
        };
        if on {
            set.insert(name.clone());
        }
    }
    // A resource the conditions keep may not refer to one they leave out, but through Fn::If.
    let mut missing = BTreeSet::new();
    for name in &set {
        let r = &t.resources[name];
        let mut refs = t.output_references(r.get("Properties").unwrap_or(&Value::Null));
        refs.extend(template::depends_on(r));
        missing.extend(
            refs.into_iter()
                .filter(|x| t.resources.contains_key(x) && !set.contains(x)),
        );
    }
    if !missing.is_empty() {
        return Err(KmsError::validation_error(format!(
            "Template format error: Unresolved resource dependencies [{}] in the Resources block of the template",
            missing.into_iter().collect::<Vec<_>>().join(", ")
        )));
    }
    t.order(&set)
}

fn outputs(t: &Template, ctx: &Context<'_>) -> Result<Vec<StackOutput>> {
    let mut out = vec![];
    for (key, o) in &t.outputs {
        if let Some(c) = o.get("Condition").and_then(Value::as_str) {
            if !ctx.condition(c, 0)? {
                continue;
            }
        }
        let value = ctx
            .resolve(o.get("Value").unwrap_or(&Value::Null))?
            .map(|v| match v {
                Value::Array(a) => a.iter().map(template::text).collect::<Vec<_>>().join(","),
                v => template::text(&v),
            })
            .unwrap_or_default();
        let export_name = o
            .get("Export")
            .and_then(|e| e.get("Name"))
            .map(|n| ctx.resolve(n))
            .transpose()?
            .flatten()
            .map(|v| template::text(&v));
        out.push(StackOutput {
            key: key.clone(),
            value,
            description: o
                .get("Description")
                .and_then(Value::as_str)
                .map(str::to_string),
            export_name,
        });
    }
    Ok(out)
}

fn made(stack: &StackRecord) -> BTreeMap<String, (String, BTreeMap<String, String>)> {
    stack
        .resources
        .iter()
        .filter(|r| r.physical_id.is_some() && !r.status.starts_with("DELETE"))
        .map(|r| {
            (
                r.logical_id.clone(),
                (
                    r.physical_id.clone().unwrap_or_default(),
                    r.attributes.clone(),
                ),
            )
        })
        .collect()
}

fn check_stack_name(name: &str) -> Result<()> {
    let ok = name.len() <= 128
        && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(KmsError::validation_error(format!(
            "1 validation error detected: Value '{name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*"
        )))
    }
}

fn create_stack(run: &mut Run<'_>, request: &Value) -> Result<Value> {
    let name = request["StackName"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    check_stack_name(&name)?;
    if let Some(existing) = run.scratch.find_stack(&run.region, &name) {
        // A retry of the request that created it (the same ClientRequestToken) is not a second
        // stack of the name: it answers the stack's id.
        let created_by = existing
            .events
            .first()
            .and_then(|e| e.client_request_token.as_ref());
        if run.token.is_some() && created_by == run.token.as_ref() {
            return Ok(json!({"StackId": existing.stack_id}));
        }
        return Err(KmsError::already_exists(format!(
            "Stack [{name}] already exists"
        )));
    }
    let body = template_body(request)?.to_string();
    let t = Template::parse_new(&body)?;
    let params = t.parameter_values(&given_parameters(request, None)?)?;
    let uuid = run.uuid();
    let stack_id = crate::arn::arn(
        "cloudformation",
        &run.region,
        run.scratch.account_id(),
        &format!("stack/{name}/{uuid}"),
    );
    let pseudo = pseudo(run, &name, &stack_id);
    let order = included(&t, &params, &pseudo)?;
    check_outputs(&t, &params, &pseudo, &order)?;
    if request.get("OnFailure").is_some() && request.get("DisableRollback").is_some() {
        return Err(KmsError::validation_error(
            "You can specify either DisableRollback or OnFailure, but not both.",
        ));
    }
    let on_failure = request
        .get("OnFailure")
        .and_then(Value::as_str)
        .unwrap_or(
            if request.get("DisableRollback") == Some(&Value::Bool(true)) {
                "DO_NOTHING"
            } else {
                "ROLLBACK"
            },
        )
        .to_string();
    let mut stack = StackRecord {
        stack_id: stack_id.clone(),
        stack_name: name.clone(),
        region: run.region.clone(),
        description: t.description.clone(),
        template_body: body,
        parameters: params
            .iter()
            .map(|(k, v)| StackParameter {
                key: k.clone(),
                value: v.clone(),
            })
            .collect(),
        status: String::new(),
        status_reason: None,
        created: run.now,
        last_updated: None,
        deleted: None,
        disable_rollback: on_failure == "DO_NOTHING",
        tags: stack_tags(request),
        outputs: vec![],
        resources: vec![],
        events: vec![],
        imports: vec![],
        termination_protection: request.get("EnableTerminationProtection")
            == Some(&Value::Bool(true)),
        timeout_in_minutes: request.get("TimeoutInMinutes").and_then(Value::as_i64),
        capabilities: capabilities(request),
    };
    run.stack_event(&mut stack, "CREATE_IN_PROGRESS", Some("User Initiated"));
    let mut failed = None;
    // Every export the template imports must exist before anything is made.
    match missing_import(run, &t, &params, &pseudo, &stack_id) {
        Ok(imports) => stack.imports = imports,
        Err(reason) => failed = Some((String::new(), reason)),
    }
    for logical in order.iter().filter(|_| failed.is_none()) {
        if let Err(reason) =
            create_resource(run, &mut stack, &t, &params, &pseudo, logical, "CREATE")
        {
            failed = Some((logical.clone(), reason));
            break;
        }
    }
    if failed.is_none() {
        let made = made(&stack);
        let ctx = run.context(&t, &params, &pseudo, &made, &stack.stack_id);
        match outputs(&t, &ctx) {
            Ok(o) => stack.outputs = o,
            Err(e) => failed = Some((String::new(), e.message)),
        }
        if let Some(taken) = export_taken(run, &stack) {
            failed = Some((String::new(), taken));
        }
    }
    match failed {
        None => run.stack_event(&mut stack, "CREATE_COMPLETE", None),
        Some((logical, why)) => {
            // A stack that failed exports and imports nothing.
            stack.outputs.clear();
            stack.imports.clear();
            // A stack-level failure (an output, an export) is the reason itself.
            let reason = if logical.is_empty() {
                format!("{why} ")
            } else {
                format!("The following resource(s) failed to create: [{logical}]. ")
            };
            if on_failure == "DO_NOTHING" {
                run.stack_event(&mut stack, "CREATE_FAILED", Some(&reason));
            } else {
                let ok = roll_back(
                    run,
                    &mut stack,
                    &format!("{reason}Rollback requested by user."),
                    except_on_create(request),
                );
                if ok && on_failure == "DELETE" {
                    run.stack_event(&mut stack, "DELETE_IN_PROGRESS", Some("User Initiated"));
                    stack.deleted = Some(run.now);
                    run.stack_event(&mut stack, "DELETE_COMPLETE", None);
                }
            }
        }
    }
    run.keep(vec![Change::PutIam(IamRecord::Stack(Box::new(stack)))]);
    Ok(json!({"StackId": stack_id}))
}

/// The export names the template imports, or why they cannot be imported (CloudFormation's
/// "No export named X found.").
fn missing_import(
    run: &Run<'_>,
    t: &Template,
    params: &BTreeMap<String, String>,
    pseudo: &BTreeMap<String, String>,
    stack_id: &str,
) -> std::result::Result<Vec<String>, String> {
    let none = BTreeMap::new();
    let ctx = run.context(t, params, pseudo, &none, stack_id);
    let imports = ctx.imports();
    match imports.iter().find(|name| !ctx.exports.contains_key(*name)) {
        Some(name) => Err(template::no_export(name).message),
        None => Ok(imports),
    }
}

/// An export name of `stack` that another live stack of its Region already exports, as
/// CloudFormation's reason ("Export with name X is already exported by stack Y").
fn export_taken(run: &Run<'_>, stack: &StackRecord) -> Option<String> {
    let others = run.scratch.stacks();
    stack
        .outputs
        .iter()
        .filter_map(|o| o.export_name.as_deref())
        .find_map(|name| {
            others
                .iter()
                .filter(|s| {
                    s.region == stack.region && s.deleted.is_none() && s.stack_id != stack.stack_id
                })
                .find(|s| {
                    s.outputs
                        .iter()
                        .any(|o| o.export_name.as_deref() == Some(name))
                })
                .map(|s| {
                    format!(
                        "Export with name {name} is already exported by stack {}.",
                        s.stack_name
                    )
                })
        })
}

/// Resolves a resource's properties and makes it; the events say how it went. `Err` holds the
/// failure's reason (already in the resource's `*_FAILED` event).
fn create_resource(
    run: &mut Run<'_>,
    stack: &mut StackRecord,
    t: &Template,
    params: &BTreeMap<String, String>,
    pseudo: &BTreeMap<String, String>,
    logical: &str,
    phase: &str,
) -> std::result::Result<(), String> {
    let def = &t.resources[logical];
    let rtype = def["Type"].as_str().unwrap_or_default().to_string();
    let made = made(stack);
    let ctx = run.context(t, params, pseudo, &made, &stack.stack_id);
    let props = ctx
        .resolve(def.get("Properties").unwrap_or(&json!({})))
        .map(|p| p.unwrap_or(json!({})));
    let in_progress = format!("{phase}_IN_PROGRESS");
    let props_shown = props.as_ref().ok().cloned();
    run.event(
        stack,
        logical,
        None,
        &rtype,
        &in_progress,
        None,
        props_shown.as_ref(),
    );
    let result = props
        .map_err(|e| e.message)
        .and_then(|p| resources::create(run, stack, logical, &rtype, &p).map(|r| (p, r)));
    match result {
        Ok((props, (physical, attributes))) => {
            run.event(
                stack,
                logical,
                Some(&physical),
                &rtype,
                &in_progress,
                Some("Resource creation Initiated"),
                Some(&props),
            );
            let done = format!("{phase}_COMPLETE");
            run.event(
                stack,
                logical,
                Some(&physical),
                &rtype,
                &done,
                None,
                Some(&props),
            );
            stack.resources.retain(|r| r.logical_id != logical);
            stack.resources.push(StackResource {
                logical_id: logical.to_string(),
                resource_type: rtype,
                physical_id: Some(physical),
                status: done,
                status_reason: None,
                updated: run.now,
                properties: props,
                attributes,
            });
            Ok(())
        }
        Err(reason) => {
            let failed = format!("{phase}_FAILED");
            run.event(
                stack,
                logical,
                None,
                &rtype,
                &failed,
                Some(&reason),
                props_shown.as_ref(),
            );
            stack.resources.retain(|r| r.logical_id != logical);
            stack.resources.push(StackResource {
                logical_id: logical.to_string(),
                resource_type: rtype,
                physical_id: None,
                status: failed,
                status_reason: Some(reason.clone()),
                updated: run.now,
                properties: props_shown.unwrap_or(Value::Null),
                attributes: BTreeMap::new(),
            });
            Err(reason)
        }
    }
}

/// Why the stack's resources are deleted, which decides the DeletionPolicy that keeps them.
#[derive(Clone, Copy)]
enum Deleting {
    /// DeleteStack: `Retain` and `RetainExceptOnCreate` keep.
    Stack,
    /// The rollback of the creation that made them: `Retain` keeps, unless the request said
    /// RetainExceptOnCreate; `RetainExceptOnCreate` does not.
    CreationRolledBack { except_on_create: bool },
}

/// Whether the request asks that what its operation made be deleted on a rollback, whatever
/// its DeletionPolicy (CreateStack's, UpdateStack's and RollbackStack's RetainExceptOnCreate).
fn except_on_create(request: &Value) -> bool {
    request.get("RetainExceptOnCreate") == Some(&Value::Bool(true))
}

/// Deletes the stack's resources, newest first: those their DeletionPolicy keeps (as
/// `deleting` says) and those named in `keep` (DeleteStack's RetainResources) are skipped.
/// False if one failed.
fn delete_resources(
    run: &mut Run<'_>,
    stack: &mut StackRecord,
    deleting: Deleting,
    keep: &[String],
) -> bool {
    let template = Template::parse(&stack.template_body).ok();
    let mut ok = true;
    for i in (0..stack.resources.len()).rev() {
        let r = stack.resources[i].clone();
        if r.status == "DELETE_COMPLETE" || r.status == "DELETE_SKIPPED" {
            continue;
        }
        let retain = keep.contains(&r.logical_id)
            || template.as_ref().is_some_and(|t| match deleting {
                Deleting::Stack => t.retains(&r.logical_id),
                Deleting::CreationRolledBack { except_on_create } => {
                    t.retains_on_rollback(&r.logical_id, except_on_create)
                }
            });
        let physical = r.physical_id.as_deref();
        if retain {
            run.event(
                stack,
                &r.logical_id,
                physical,
                &r.resource_type,
                "DELETE_SKIPPED",
                None,
                None,
            );
            stack.resources[i].status = "DELETE_SKIPPED".into();
            continue;
        }
        run.event(
            stack,
            &r.logical_id,
            physical,
            &r.resource_type,
            "DELETE_IN_PROGRESS",
            None,
            None,
        );
        let result = match physical {
            Some(p) => resources::delete(run, &r.resource_type, p, &r.properties),
            None => Ok(()),
        };
        match result {
            Ok(()) => {
                run.event(
                    stack,
                    &r.logical_id,
                    physical,
                    &r.resource_type,
                    "DELETE_COMPLETE",
                    None,
                    None,
                );
                stack.resources[i].status = "DELETE_COMPLETE".into();
                stack.resources[i].status_reason = None;
            }
            Err(reason) => {
                run.event(
                    stack,
                    &r.logical_id,
                    physical,
                    &r.resource_type,
                    "DELETE_FAILED",
                    Some(&reason),
                    None,
                );
                stack.resources[i].status = "DELETE_FAILED".into();
                stack.resources[i].status_reason = Some(reason);
                ok = false;
            }
        }
        stack.resources[i].updated = run.now;
    }
    ok
}

fn delete_stack(run: &mut Run<'_>, request: &Value) -> Result<Value> {
    let name = request["StackName"].as_str().unwrap_or_default();
    // Deleting a stack that does not exist succeeds, as in CloudFormation.
    let Some(stack) = run.scratch.find_stack(&run.region, name).cloned() else {
        return Ok(json!({}));
    };
    if stack.deleted.is_some() {
        return Ok(json!({}));
    }
    let mut stack = stack;
    // RetainResources is for a stack whose deletion failed (DeleteStackInput's documentation).
    let keep: Vec<String> = request
        .get("RetainResources")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    if stack.termination_protection {
        return Err(KmsError::validation_error(format!(
            "Stack [{}] cannot be deleted while TerminationProtection is enabled",
            stack.stack_name
        )));
    }
    if !keep.is_empty() && stack.status != "DELETE_FAILED" {
        return Err(KmsError::validation_error(format!(
            "Invalid operation on stack [{}]: RetainResources can only be specified when the stack is in the DELETE_FAILED state.",
            stack.stack_id
        )));
    }
    run.stack_event(&mut stack, "DELETE_IN_PROGRESS", Some("User Initiated"));
    if let Some(reason) = run.scratch.export_in_use(&stack, None) {
        run.stack_event(&mut stack, "DELETE_FAILED", Some(&reason));
    } else if delete_resources(run, &mut stack, Deleting::Stack, &keep) {
        stack.deleted = Some(run.now);
        run.stack_event(&mut stack, "DELETE_COMPLETE", None);
    } else {
        let failed: Vec<String> = stack
            .resources
            .iter()
            .filter(|r| r.status == "DELETE_FAILED")
            .map(|r| r.logical_id.clone())
            .collect();
        run.stack_event(
            &mut stack,
            "DELETE_FAILED",
            Some(&format!(
                "The following resource(s) failed to delete: [{}]. ",
                failed.join(", ")
            )),
        );
    }
    run.keep(vec![Change::PutIam(IamRecord::Stack(Box::new(stack)))]);
    Ok(json!({}))
}

fn update_stack(run: &mut Run<'_>, request: &Value) -> Result<Value> {
    let name = request["StackName"].as_str().unwrap_or_default();
    let mut stack = run
        .scratch
        .find_stack(&run.region, name)
        .cloned()
        .filter(|s| s.deleted.is_none())
        .ok_or_else(|| not_found(name, Named::Brackets))?;
    // A creation that failed with its resources preserved (DisableRollback) is resumed by the
    // next update ("Choose how to handle failures when provisioning resources").
    let resumable = stack.status == "CREATE_FAILED" && stack.disable_rollback;
    if !resumable
        && !matches!(
            stack.status.as_str(),
            "CREATE_COMPLETE" | "UPDATE_COMPLETE" | "UPDATE_ROLLBACK_COMPLETE"
        )
    {
        return Err(KmsError::validation_error(format!(
            "Stack:{} is in {} state and can not be updated.",
            stack.stack_id, stack.status
        )));
    }
    let use_previous = request.get("UsePreviousTemplate") == Some(&Value::Bool(true));
    if use_previous
        && (request.get("TemplateBody").is_some() || request.get("TemplateURL").is_some())
    {
        return Err(KmsError::validation_error(
            "You cannot specify both UsePreviousTemplate and a template (TemplateBody or TemplateURL).",
        ));
    }
    let (body, t) = if use_previous {
        let body = stack.template_body.clone();
        let t = Template::parse(&body)?;
        (body, t)
    } else {
        let body = template_body(request)?.to_string();
        let t = Template::parse_new(&body)?;
        (body, t)
    };
    // A parameter not given keeps no previous value: its default applies, as in CloudFormation.
    let given = given_parameters(request, Some(&stack))?;
    let params = t.parameter_values(&given)?;
    let pseudo = pseudo(run, &stack.stack_name, &stack.stack_id);
    let order = included(&t, &params, &pseudo)?;
    check_outputs(&t, &params, &pseudo, &order)?;
    let tags = if request.get("Tags").is_some() {
        stack_tags(request)
    } else {
        stack.tags.clone()
    };

    // What would change: resources to add, update, replace or remove.
    let before = stack.clone();
    let mut plan_changes = false;
    let previous = Template::parse(&stack.template_body).ok();
    // A change of a resource's Metadata is an update too (cfn-init and cfn-hup rely on it).
    let metadata = |t: Option<&Template>, logical: &str| {
        t.and_then(|t| t.resources.get(logical))
            .and_then(|d| d.get("Metadata"))
            .cloned()
    };
    if order
        .iter()
        .any(|l| metadata(Some(&t), l) != metadata(previous.as_ref(), l))
    {
        plan_changes = true;
    }
    {
        let made = made(&stack);
        let ctx = run.context(&t, &params, &pseudo, &made, &stack.stack_id);
        for logical in &order {
            let def = &t.resources[logical];
            match stack.resource(logical) {
                None => plan_changes = true,
                Some(r) => {
                    // Properties that refer to resources made in this update cannot be compared yet.
                    let p = ctx
                        .resolve(def.get("Properties").unwrap_or(&json!({})))
                        .ok()
                        .flatten();
                    if r.resource_type != def["Type"].as_str().unwrap_or_default()
                        || p.as_ref() != Some(&r.properties)
                    {
                        plan_changes = true;
                    }
                }
            }
        }
        if stack
            .resources
            .iter()
            .any(|r| !order.contains(&r.logical_id))
        {
            plan_changes = true;
        }
        let new_outputs = outputs(&t, &ctx).ok();
        if new_outputs.as_ref() != Some(&stack.outputs)
            || t.description != stack.description
            || tags != stack.tags
        {
            plan_changes = true;
        }
    }
    if !plan_changes {
        return Err(KmsError::validation_error(
            "No updates are to be performed.",
        ));
    }
    stack.last_updated = Some(run.now);
    run.stack_event(&mut stack, "UPDATE_IN_PROGRESS", Some("User Initiated"));
    let mut replaced: Vec<StackResource> = vec![];
    // A resource that failed (and whether to be created or updated), or the reason the whole
    // update failed before any resource did.
    let mut failed: Option<(String, &str)> = None;
    let mut stack_failure: Option<String> = None;
    match missing_import(run, &t, &params, &pseudo, &stack.stack_id) {
        Ok(imports) => stack.imports = imports,
        Err(reason) => stack_failure = Some(reason),
    }
    if stack_failure.is_none() {
        let made = made(&stack);
        let ctx = run.context(&t, &params, &pseudo, &made, &stack.stack_id);
        if let Ok(next) = outputs(&t, &ctx) {
            stack_failure = run.scratch.export_in_use(&before, Some(&next));
        }
    }
    for logical in order.iter().filter(|_| stack_failure.is_none()) {
        let def = &t.resources[logical];
        let rtype = def["Type"].as_str().unwrap_or_default().to_string();
        // A resource that failed to be made (a stack kept at CREATE_FAILED) is made now.
        let Some(old) = stack
            .resource(logical)
            .filter(|r| r.physical_id.is_some())
            .cloned()
        else {
            if create_resource(run, &mut stack, &t, &params, &pseudo, logical, "CREATE").is_err() {
                failed = Some((logical.clone(), "create"));
                break;
            }
            continue;
        };
        let made = made(&stack);
        let ctx = run.context(&t, &params, &pseudo, &made, &stack.stack_id);
        let props = match ctx.resolve(def.get("Properties").unwrap_or(&json!({}))) {
            Ok(p) => p.unwrap_or(json!({})),
            Err(e) => {
                run.event(
                    &mut stack,
                    logical,
                    old.physical_id.as_deref(),
                    &rtype,
                    "UPDATE_FAILED",
                    Some(&e.message),
                    None,
                );
                failed = Some((logical.clone(), "update"));
                break;
            }
        };
        if props == old.properties && rtype == old.resource_type {
            continue;
        }
        let physical = old.physical_id.clone().unwrap_or_default();
        run.event(
            &mut stack,
            logical,
            Some(&physical),
            &rtype,
            "UPDATE_IN_PROGRESS",
            None,
            Some(&props),
        );
        let replace = rtype != old.resource_type
            || resources::needs_replacement(&rtype, &old.properties, &props);
        let outcome = if replace {
            run.event(&mut stack, logical, Some(&physical), &rtype, "UPDATE_IN_PROGRESS",
                Some("Requested update requires the creation of a new physical resource; hence creating one."), Some(&props));
            resources::create(run, &stack, logical, &rtype, &props).map(
                |(new_physical, attributes)| {
                    run.event(
                        &mut stack,
                        logical,
                        Some(&new_physical),
                        &rtype,
                        "UPDATE_IN_PROGRESS",
                        Some("Resource creation Initiated"),
                        Some(&props),
                    );
                    replaced.push(old.clone());
                    Some((new_physical, attributes))
                },
            )
        } else {
            resources::update(run, logical, &rtype, &physical, &old.properties, &props)
                .map(|()| None)
                .inspect_err(|_| {
                    // What the handler changed before it failed goes back with the rollback.
                    let _ =
                        resources::update(run, logical, &rtype, &physical, &props, &old.properties);
                })
        };
        match outcome {
            Ok(new) => {
                let shown = new.as_ref().map_or(physical.as_str(), |(p, _)| p.as_str());
                run.event(
                    &mut stack,
                    logical,
                    Some(shown),
                    &rtype,
                    "UPDATE_COMPLETE",
                    None,
                    Some(&props),
                );
                let r = stack
                    .resources
                    .iter_mut()
                    .find(|r| r.logical_id == *logical)
                    .expect("present");
                if let Some((new_physical, attributes)) = new {
                    r.physical_id = Some(new_physical);
                    r.attributes = attributes;
                    r.resource_type = rtype;
                }
                r.properties = props;
                r.status = "UPDATE_COMPLETE".into();
                r.updated = run.now;
            }
            Err(reason) => {
                run.event(
                    &mut stack,
                    logical,
                    Some(&physical),
                    &rtype,
                    "UPDATE_FAILED",
                    Some(&reason),
                    Some(&props),
                );
                failed = Some((logical.clone(), "update"));
                break;
            }
        }
    }
    // The sandbox stops at the first failure, so the reason names one resource, as
    // CloudFormation's does when one failed.
    let failure = match (stack_failure, failed) {
        (Some(reason), _) => Some(reason),
        (None, Some((logical, kind))) => Some(format!(
            "The following resource(s) failed to {kind}: [{logical}]. "
        )),
        (None, None) => None,
    };
    if let Some(reason) = failure {
        run.stack_event(&mut stack, "UPDATE_ROLLBACK_IN_PROGRESS", Some(&reason));
        // Back to the previous properties: updated resources are updated back; the resources
        // new in the update are deleted in the cleanup that follows, newest first.
        let mut back = before.clone();
        back.events = std::mem::take(&mut stack.events);
        let mut new = vec![];
        for r in stack.resources.clone() {
            let Some(old) = before.resource(&r.logical_id) else {
                new.push(r);
                continue;
            };
            if r.physical_id != old.physical_id {
                if let Some(p) = &r.physical_id {
                    let _ = resources::delete(run, &r.resource_type, p, &r.properties);
                }
                run.event(
                    &mut back,
                    &r.logical_id,
                    old.physical_id.as_deref(),
                    &old.resource_type,
                    "UPDATE_COMPLETE",
                    None,
                    None,
                );
            } else if r.properties != old.properties && r.status == "UPDATE_COMPLETE" {
                let p = old.physical_id.clone().unwrap_or_default();
                run.event(
                    &mut back,
                    &r.logical_id,
                    Some(&p),
                    &r.resource_type,
                    "UPDATE_IN_PROGRESS",
                    None,
                    None,
                );
                let _ = resources::update(
                    run,
                    &r.logical_id,
                    &r.resource_type,
                    &p,
                    &r.properties,
                    &old.properties,
                );
                run.event(
                    &mut back,
                    &r.logical_id,
                    Some(&p),
                    &r.resource_type,
                    "UPDATE_COMPLETE",
                    None,
                    None,
                );
            }
        }
        back.last_updated = Some(run.now);
        run.stack_event(
            &mut back,
            "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            None,
        );
        // What the update made goes, but what DeletionPolicy Retain keeps.
        for r in new.iter().rev() {
            if t.retains_on_rollback(&r.logical_id, except_on_create(request)) {
                skip_deletion(run, &mut back, r);
            } else {
                clean_up(run, &mut back, r);
            }
        }
        run.stack_event(&mut back, "UPDATE_ROLLBACK_COMPLETE", None);
        let id = back.stack_id.clone();
        run.keep(vec![Change::PutIam(IamRecord::Stack(Box::new(back)))]);
        return Ok(json!({"StackId": id}));
    }
    run.stack_event(&mut stack, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", None);
    // Cleanup: replaced physical resources (but those UpdateReplacePolicy Retain keeps) and
    // resources no longer in the template.
    for old in replaced {
        if t.retains_replaced(&old.logical_id) {
            skip_deletion(run, &mut stack, &old);
        } else {
            clean_up(run, &mut stack, &old);
        }
    }
    for r in stack.resources.clone().into_iter().rev() {
        if order.contains(&r.logical_id) {
            continue;
        }
        // DeletionPolicy "also applies to stack update operations that lead to resources being
        // deleted from stacks".
        if previous.as_ref().is_some_and(|t| t.retains(&r.logical_id)) {
            skip_deletion(run, &mut stack, &r);
            continue;
        }
        clean_up(run, &mut stack, &r);
    }
    stack.resources.retain(|r| order.contains(&r.logical_id));
    let made = made(&stack);
    let ctx = run.context(&t, &params, &pseudo, &made, &stack.stack_id);
    stack.outputs = outputs(&t, &ctx)?;
    stack.template_body = body;
    stack.description = t.description.clone();
    stack.parameters = params
        .iter()
        .map(|(k, v)| StackParameter {
            key: k.clone(),
            value: v.clone(),
        })
        .collect();
    if tags != stack.tags {
        let region = run.region.clone();
        for r in stack.resources.clone() {
            let keys = ["AWS::KMS::Key", "AWS::KMS::ReplicaKey"];
            if let (true, Some(key_id)) = (keys.contains(&r.resource_type.as_str()), &r.physical_id)
            {
                resources::retag(run, &region, key_id, &r.properties, &stack.tags, &tags);
            }
        }
    }
    stack.tags = tags;
    // An update's own Capabilities replace the stack's (none if it gives none).
    stack.capabilities = capabilities(request);
    run.stack_event(&mut stack, "UPDATE_COMPLETE", None);
    let id = stack.stack_id.clone();
    run.keep(vec![Change::PutIam(IamRecord::Stack(Box::new(stack)))]);
    Ok(json!({"StackId": id}))
}

/// A resource its policy keeps: DELETE_SKIPPED, and no call.
fn skip_deletion(run: &mut Run<'_>, stack: &mut StackRecord, r: &StackResource) {
    run.event(
        stack,
        &r.logical_id,
        r.physical_id.as_deref(),
        &r.resource_type,
        "DELETE_SKIPPED",
        None,
        None,
    );
}

/// Deletes a resource in an update's cleanup (no call for one that was never made), with its
/// DELETE_IN_PROGRESS and DELETE_COMPLETE events: a failure there does not fail the stack.
fn clean_up(run: &mut Run<'_>, stack: &mut StackRecord, r: &StackResource) {
    let p = r.physical_id.as_deref();
    let rtype = &r.resource_type;
    run.event(
        stack,
        &r.logical_id,
        p,
        rtype,
        "DELETE_IN_PROGRESS",
        None,
        None,
    );
    if let Some(p) = p {
        let _ = resources::delete(run, rtype, p, &r.properties);
    }
    run.event(
        stack,
        &r.logical_id,
        p,
        rtype,
        "DELETE_COMPLETE",
        None,
        None,
    );
}

/// The live stack a request's StackName names, to change.
fn live_stack(run: &Run<'_>, request: &Value) -> Result<StackRecord> {
    let name = request["StackName"].as_str().unwrap_or_default();
    run.scratch
        .find_stack(&run.region, name)
        .filter(|s| s.deleted.is_none())
        .cloned()
        .ok_or_else(|| not_found(name, Named::Id))
}

/// Keeps a changed stack and answers its id.
fn keep_stack(run: &mut Run<'_>, stack: StackRecord) -> Result<Value> {
    let id = stack.stack_id.clone();
    run.keep(vec![Change::PutIam(IamRecord::Stack(Box::new(stack)))]);
    Ok(json!({ "StackId": id }))
}

/// RollbackStack: a stack kept at CREATE_FAILED goes back to its last stable state: for a
/// creation, none, so what was made is deleted (ROLLBACK_COMPLETE).
fn rollback_stack(run: &mut Run<'_>, request: &Value) -> Result<Value> {
    let mut stack = live_stack(run, request)?;
    if stack.status != "CREATE_FAILED" {
        return Err(KmsError::validation_error(format!(
            "Stack {} is in {} state and can not be rolled back.",
            stack.stack_id, stack.status
        )));
    }
    roll_back(run, &mut stack, "User Initiated", except_on_create(request));
    keep_stack(run, stack)
}

/// Rolls a creation back: what it made is deleted (but what DeletionPolicy Retain keeps, unless
/// `except_on_create`), ROLLBACK_COMPLETE (or ROLLBACK_FAILED, and false) after
/// ROLLBACK_IN_PROGRESS with `reason`. A stack rolled back imports nothing.
fn roll_back(
    run: &mut Run<'_>,
    stack: &mut StackRecord,
    reason: &str,
    except_on_create: bool,
) -> bool {
    run.stack_event(stack, "ROLLBACK_IN_PROGRESS", Some(reason));
    let ok = delete_resources(
        run,
        stack,
        Deleting::CreationRolledBack { except_on_create },
        &[],
    );
    let status = if ok {
        "ROLLBACK_COMPLETE"
    } else {
        "ROLLBACK_FAILED"
    };
    run.stack_event(stack, status, None);
    stack.imports.clear();
    ok
}

/// UpdateTerminationProtection: turns a live stack's protection from deletion on or off.
fn update_termination_protection(run: &mut Run<'_>, request: &Value) -> Result<Value> {
    let mut stack = live_stack(run, request)?;
    stack.termination_protection = request["EnableTerminationProtection"] == Value::Bool(true);
    keep_stack(run, stack)
}

/// The request's `Capabilities` (CAPABILITY_IAM...).
fn capabilities(request: &Value) -> Vec<String> {
    request
        .get("Capabilities")
        .and_then(Value::as_array)
        .map(|c| {
            c.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn describe_one(s: &StackRecord) -> Value {
    let t = Template::parse(&s.template_body).ok();
    let params: Vec<Value> = s
        .parameters
        .iter()
        .map(|p| {
            let hidden = t.as_ref().is_some_and(|t| t.no_echo(&p.key));
            json!({"ParameterKey": p.key, "ParameterValue": if hidden { "****" } else { p.value.as_str() }})
        })
        .collect();
    // The CLI prints the members in the Stack shape's order, whatever the order here.
    let mut v = json!({
        "StackId": s.stack_id,
        "StackName": s.stack_name,
        "CreationTime": wire_time(s.created),
        // What CloudFormation answers for a stack made without rollback triggers.
        "RollbackConfiguration": {},
        "StackStatus": s.status,
        "DisableRollback": s.disable_rollback,
        "NotificationARNs": [],
        "Tags": s.tags.iter().map(|(k, v)| json!({"Key": k, "Value": v})).collect::<Vec<_>>(),
        "EnableTerminationProtection": s.termination_protection,
        "DriftInformation": {"StackDriftStatus": "NOT_CHECKED"},
    });
    if let Some(d) = &s.description {
        v["Description"] = json!(d);
    }
    // A stack without parameters has no Parameters member at all.
    if !params.is_empty() {
        v["Parameters"] = json!(params);
    }
    if let Some(r) = &s.status_reason {
        v["StackStatusReason"] = json!(r);
    }
    if let Some(t) = s.last_updated {
        v["LastUpdatedTime"] = wire_time(t);
    }
    if let Some(t) = s.deleted {
        v["DeletionTime"] = wire_time(t);
        // A deleted stack has no EnableTerminationProtection (LocalStack's recordings of
        // test_name_conflicts and test_stack_lifecycle against AWS).
        v.as_object_mut()
            .unwrap()
            .remove("EnableTerminationProtection");
    }
    // The capabilities the stack was last created or updated with (test_stack_lifecycle,
    // test_blocked_stack_deletion); none, no member (test_name_conflicts).
    if !s.capabilities.is_empty() {
        v["Capabilities"] = json!(s.capabilities);
    }
    if let Some(m) = s.timeout_in_minutes {
        v["TimeoutInMinutes"] = json!(m);
    }
    if !s.outputs.is_empty() {
        v["Outputs"] = s
            .outputs
            .iter()
            .map(|o| {
                let mut x = json!({"OutputKey": o.key, "OutputValue": o.value});
                if let Some(d) = &o.description {
                    x["Description"] = json!(d);
                }
                if let Some(e) = &o.export_name {
                    x["ExportName"] = json!(e);
                }
                x
            })
            .collect();
    }
    v
}

fn describe_stacks(engine: &Engine, region: &str, request: &Value) -> Result<Value> {
    let stacks: Vec<Value> = match request.get("StackName").and_then(Value::as_str) {
        Some(name) => vec![describe_one(
            engine
                .find_stack(region, name)
                .ok_or_else(|| not_found(name, Named::Id))?,
        )],
        None => {
            let mut live: Vec<&StackRecord> = engine
                .stacks()
                .into_iter()
                .filter(|s| s.region == region && s.deleted.is_none())
                .collect();
            live.sort_by(|a, b| {
                b.created
                    .cmp(&a.created)
                    .then(a.stack_name.cmp(&b.stack_name))
            });
            live.into_iter().map(describe_one).collect()
        }
    };
    Ok(json!({ "Stacks": stacks }))
}

fn describe_stack_events(engine: &Engine, region: &str, request: &Value) -> Result<Value> {
    let name = request["StackName"].as_str().unwrap_or_default();
    let s = engine
        .find_stack(region, name)
        .ok_or_else(|| not_found(name, Named::Brackets))?;
    let events: Vec<Value> = s
        .events
        .iter()
        .rev()
        .map(|e| {
            let mut v = json!({
                "StackId": s.stack_id,
                "EventId": e.event_id,
                "StackName": s.stack_name,
                "LogicalResourceId": e.logical_id,
                "ResourceType": e.resource_type,
                "Timestamp": wire_time(e.timestamp),
                "ResourceStatus": e.status,
            });
            if let Some(p) = &e.physical_id {
                v["PhysicalResourceId"] = json!(p);
            } else {
                v["PhysicalResourceId"] = json!("");
            }
            if let Some(r) = &e.reason {
                v["ResourceStatusReason"] = json!(r);
            }
            if let Some(p) = &e.properties {
                v["ResourceProperties"] = json!(p);
            }
            if let Some(t) = &e.client_request_token {
                v["ClientRequestToken"] = json!(t);
            }
            v
        })
        .collect();
    Ok(json!({ "StackEvents": events }))
}

/// GetTemplate: the template body as the stack was last created or updated with. The sandbox
/// has no transforms, so the processed template is the original.
fn get_template(engine: &Engine, region: &str, request: &Value) -> Result<Value> {
    let Some(name) = request.get("StackName").and_then(Value::as_str) else {
        return Err(KmsError::validation_error(
            "Either StackName or ChangeSetName must be specified.",
        ));
    };
    let s = engine
        .find_stack(region, name)
        .ok_or_else(|| not_found(name, Named::Id))?;
    Ok(json!({
        "TemplateBody": s.template_body,
        "StagesAvailable": ["Original", "Processed"],
    }))
}

fn describe_stack_resources(engine: &Engine, region: &str, request: &Value) -> Result<Value> {
    let name = request.get("StackName").and_then(Value::as_str);
    let physical = request.get("PhysicalResourceId").and_then(Value::as_str);
    let logical = request.get("LogicalResourceId").and_then(Value::as_str);
    let s = match (name, physical) {
        (Some(n), _) => engine
            .find_stack(region, n)
            .ok_or_else(|| not_found(n, Named::Id))?,
        (None, Some(p)) => engine
            .stacks()
            .into_iter()
            .find(|s| {
                s.region == region
                    && s.deleted.is_none()
                    && s.resources
                        .iter()
                        .any(|r| r.physical_id.as_deref() == Some(p))
            })
            .ok_or_else(|| not_found(p, Named::For))?,
        (None, None) => {
            return Err(KmsError::validation_error(
                "Either StackName or PhysicalResourceId must be specified.",
            ))
        }
    };
    let list: Vec<Value> = s
        .resources
        .iter()
        .filter(|r| logical.is_none_or(|l| l == r.logical_id))
        .map(|r| summaries::stack_resource(s, r, "Timestamp"))
        .collect();
    Ok(json!({ "StackResources": list }))
}

fn validate_template(request: &Value) -> Result<Value> {
    let t = Template::parse_new(template_body(request)?)?;
    let params: Vec<Value> = t
        .parameters
        .iter()
        .map(|(k, p)| {
            let mut v = json!({"ParameterKey": k, "NoEcho": t.no_echo(k)});
            if let Some(d) = p.get("Default") {
                v["DefaultValue"] = json!(template::text(d));
            }
            if let Some(d) = p.get("Description").and_then(Value::as_str) {
                v["Description"] = json!(d);
            }
            v
        })
        .collect();
    let mut v = json!({"Parameters": params});
    if let Some(d) = &t.description {
        v["Description"] = json!(d);
    }
    Ok(v)
}
