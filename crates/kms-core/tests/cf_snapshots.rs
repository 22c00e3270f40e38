//! Real AWS CloudFormation answers, as LocalStack recorded them, replayed against the engine.
//!
//! LocalStack's snapshot tests run each scenario against AWS and keep every answer in
//! `tests/aws/services/cloudformation/**/*.snapshot.json` (localstack/localstack), with ids, ARNs,
//! names and times replaced by placeholders. `tests/data/localstack-cloudformation-snapshots.json`
//! keeps the recordings replayed here, verbatim (without `ResponseMetadata`; an error as its
//! `Error`); its `_source` says where they come from. Each test below makes the requests
//! LocalStack's test of that name makes, with the template reduced to KMS resources where the
//! recording used another type (the sandbox has no other) and the compared members do not depend
//! on it, and compares the engine's answer with the recording:
//!
//! - the same member names at every level: none missing, none extra, except where an `Allow`
//!   says why;
//! - the same values, lists in the same order, except where the recording has a placeholder:
//!   `datetime` and `timestamp` are times (numbers on the wire); in a string the placeholders the
//!   sandbox can fill (`<partition>`, `<region>`, the account `111111111111`, `<stack-name:1>`) are
//!   filled and only the text before any other (`<resource:1>`, `<uuid:2>`...) or a trailing
//!   `date` (an EventId's time) is compared; a JSON document (ResourceProperties) is compared as
//!   the object it holds;
//! - every member of the engine's answer is a member of the operation's output shape.
//!
//! LocalStack's `deploy_cfn_template` fixture deploys through a change set (CreateChangeSet and
//! ExecuteChangeSet, with the three capabilities) that the sandbox does not have: those tests call
//! CreateStack and UpdateStack with the same template, parameters and capabilities instead, and
//! what only a change set gives (`ChangeSetId`, the execution's `LastUpdatedTime` of a new stack,
//! the `REVIEW_IN_PROGRESS` event) is allowed (`CHANGE_SET`). A template error the fixture met at
//! CreateChangeSet is met at CreateStack, which validates the template the same way.

use kms_core::model;
use kms_core::{json, Sandbox, Service, Value, DEFAULT_ACCOUNT_ID};
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::sync::OnceLock;

mod replay;
use replay::*;

const SNAPSHOTS: &str = include_str!("data/localstack-cloudformation-snapshots.json");
const CAPABILITIES: [&str; 3] = [
    "CAPABILITY_AUTO_EXPAND",
    "CAPABILITY_IAM",
    "CAPABILITY_NAMED_IAM",
];

fn snapshots() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| serde_json::from_str(SNAPSHOTS).expect("the snapshots are JSON"))
}

/// A justified departure from a recording, at a path of the answer (`Stacks[0].ChangeSetId`;
/// `[*]` stands for any index).
#[derive(Clone, Copy)]
enum Allow {
    /// The engine may answer a member the recording lacks (the reason says why). None is
    /// needed today; kept so that a new replay can say why.
    #[allow(dead_code)]
    Extra(&'static str, &'static str),
    /// The engine may lack a member the recording has (the reason says why).
    Missing(&'static str, &'static str),
    /// The value is not compared (the reason says why).
    Value(&'static str, &'static str),
}

impl Allow {
    fn path(&self) -> &'static str {
        let (Allow::Extra(p, _) | Allow::Missing(p, _) | Allow::Value(p, _)) = *self;
        p
    }

    fn why(&self) -> &'static str {
        let (Allow::Extra(_, w) | Allow::Missing(_, w) | Allow::Value(_, w)) = *self;
        w
    }
}

const CHANGE_SET: &str = "deployed through a change set, which the sandbox does not have";

/// What a stack made by the deploy fixture's change set has and CreateStack's has not.
fn change_set(prefix: &'static str) -> [Allow; 2] {
    match prefix {
        "" => [
            Allow::Missing("ChangeSetId", CHANGE_SET),
            Allow::Missing("LastUpdatedTime", CHANGE_SET),
        ],
        _ => [
            Allow::Missing("Stacks[0].ChangeSetId", CHANGE_SET),
            Allow::Missing("Stacks[0].LastUpdatedTime", CHANGE_SET),
        ],
    }
}

/// One LocalStack test replayed: a sandbox and the name of the stack the test made.
struct Replay {
    s: Sandbox,
    test: String,
    stack: String,
    checked: BTreeSet<String>,
}

impl Replay {
    fn new(test: &str, stack: &str) -> Self {
        let recorded = &snapshots()["entries"][test];
        assert!(recorded.is_object(), "no recording for {test}");
        Replay {
            s: Sandbox::in_memory(2024),
            test: test.to_string(),
            stack: stack.to_string(),
            checked: BTreeSet::new(),
        }
    }

    fn cfn(&mut self, op: &str, req: Value) -> kms_core::Result<Value> {
        self.s.call_service(Service::CloudFormation, op, req)
    }

    fn ok(&mut self, op: &str, req: Value) -> Value {
        self.cfn(op, req.clone())
            .unwrap_or_else(|e| panic!("{}: {op} {req} failed: {e}", self.test))
    }

    /// The error as the recording keeps it.
    fn err(&mut self, op: &str, req: Value) -> Value {
        match self.cfn(op, req.clone()) {
            Ok(v) => panic!("{}: {op} {req} succeeded: {v}", self.test),
            Err(e) => json!({"Error": {
                "Code": e.error_type.as_str(), "Message": e.message, "Type": "Sender"}}),
        }
    }

    /// The deploy fixture: the stack made with the template, parameters and the capabilities.
    fn deploy(&mut self, template: &str, params: &[(&str, &str)]) -> String {
        let stack = self.stack.clone();
        let out = self.ok(
            "CreateStack",
            json!({"StackName": stack, "TemplateBody": template,
                   "Parameters": parameters(params), "Capabilities": CAPABILITIES}),
        );
        out["StackId"].as_str().unwrap().to_string()
    }

    fn describe(&mut self, name: &str) -> Value {
        self.ok("DescribeStacks", json!({ "StackName": name }))
    }

    fn recorded(&self, name: &str) -> Value {
        let r = snapshots()["entries"][&self.test]["recorded-content"][name].clone();
        assert!(!r.is_null(), "{}: no recording {name}", self.test);
        r
    }

    /// Compares `actual` with the recording `name`; `shape` is the output shape of the answer
    /// ("" for a value the test made of the answer, or an error).
    fn check(&mut self, name: &str, shape: &str, actual: &Value, allow: &[Allow]) {
        let recorded = self.recorded(name);
        self.check_against(name, &recorded, shape, actual, allow);
    }

    fn check_against(
        &mut self,
        name: &str,
        recorded: &Value,
        shape: &str,
        actual: &Value,
        allow: &[Allow],
    ) {
        let used = RefCell::new(BTreeSet::new());
        let mut problems = Vec::new();
        self.compare("", recorded, actual, allow, &used, &mut problems);
        // An allowance the answer does not need is stale: the engine or the recording changed.
        for (i, a) in allow.iter().enumerate() {
            if !used.borrow().contains(&i) {
                problems.push(format!(
                    "{}: allowed ({}) but not needed",
                    a.path(),
                    a.why()
                ));
            }
        }
        if !shape.is_empty() {
            in_model(model::cloudformation(), shape, "", actual, &mut problems);
        }
        assert!(
            problems.is_empty(),
            "{} / {name}: the engine's answer differs from AWS's:\n  {}\nanswer: {actual:#}",
            self.test,
            problems.join("\n  ")
        );
        self.checked.insert(name.to_string());
    }

    fn allowed(
        allow: &[Allow],
        used: &RefCell<BTreeSet<usize>>,
        path: &str,
        kind: fn(&Allow) -> bool,
    ) -> bool {
        let found = allow
            .iter()
            .position(|a| kind(a) && matches(a.path(), path));
        if let Some(i) = found {
            used.borrow_mut().insert(i);
        }
        found.is_some()
    }

    fn compare(
        &self,
        path: &str,
        expected: &Value,
        actual: &Value,
        allow: &[Allow],
        used: &RefCell<BTreeSet<usize>>,
        problems: &mut Vec<String>,
    ) {
        if Self::allowed(allow, used, path, |a| matches!(a, Allow::Value(..))) {
            return;
        }
        match (expected, actual) {
            (Value::Object(_), Value::String(s)) => match serde_json::from_str::<Value>(s) {
                // A JSON document (ResourceProperties): LocalStack keeps the object it holds.
                Ok(parsed) if parsed.is_object() => {
                    self.compare(path, expected, &parsed, allow, used, problems)
                }
                _ => problems.push(format!("{path}: {actual}, AWS {expected}")),
            },
            (Value::Object(e), Value::Object(a)) => {
                for (k, ev) in e {
                    let p = join(path, k);
                    match a.get(k) {
                        Some(av) => self.compare(&p, ev, av, allow, used, problems),
                        None if Self::allowed(allow, used, &p, |a| {
                            matches!(a, Allow::Missing(..))
                        }) => {}
                        None => problems.push(format!("{p}: missing (AWS: {ev})")),
                    }
                }
                for (k, av) in a {
                    let p = join(path, k);
                    if !e.contains_key(k)
                        && !Self::allowed(allow, used, &p, |a| matches!(a, Allow::Extra(..)))
                    {
                        problems.push(format!("{p}: extra ({av})"));
                    }
                }
            }
            (Value::Array(e), Value::Array(a)) => {
                if e.len() != a.len() {
                    problems.push(format!("{path}: {} items, AWS {}", a.len(), e.len()));
                } else {
                    for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                        self.compare(&format!("{path}[{i}]"), ev, av, allow, used, problems);
                    }
                }
            }
            (Value::String(e), _) => self.compare_string(path, e, actual, problems),
            _ if expected != actual => problems.push(format!("{path}: {actual}, AWS {expected}")),
            _ => {}
        }
    }

    fn compare_string(
        &self,
        path: &str,
        expected: &str,
        actual: &Value,
        problems: &mut Vec<String>,
    ) {
        let bad = |why: &str| format!("{path}: {actual}, AWS {expected:?} ({why})");
        if expected == "datetime" || expected == "timestamp" {
            if !actual.is_number() {
                problems.push(bad("a time is a number on the wire"));
            }
            return;
        }
        let Some(actual) = actual.as_str() else {
            problems.push(bad("not a string"));
            return;
        };
        let filled = expected
            .replace("<partition>", "aws")
            .replace("<region>", &self.s.region)
            .replace("111111111111", DEFAULT_ACCOUNT_ID)
            .replace("<stack-name:1>", &self.stack);
        // `A-CREATE_COMPLETE-date`: LocalStack replaced the time of a resource's EventId.
        let end = filled
            .find('<')
            .or_else(|| filled.ends_with("-date").then(|| filled.len() - 4));
        match end {
            None if filled != actual => problems.push(bad("differs")),
            Some(i) if !actual.starts_with(&filled[..i]) => problems.push(bad("differs")),
            _ => {}
        }
    }
}

impl Drop for Replay {
    /// Every recording of the test was compared.
    fn drop(&mut self) {
        if std::thread::panicking() {
            return;
        }
        let recorded: BTreeSet<String> = snapshots()["entries"][&self.test]["recorded-content"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(
            self.checked, recorded,
            "{}: recordings left unreplayed",
            self.test
        );
    }
}

/// `pattern` names `path`, `[*]` standing for any index.
fn matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split("[*]");
    let mut rest = path;
    let first = p.next().unwrap_or_default();
    let Some(r) = rest.strip_prefix(first) else {
        return false;
    };
    rest = r;
    for part in p {
        let Some(r) = rest.strip_prefix('[') else {
            return false;
        };
        let digits = r.find(']').unwrap_or(0);
        if digits == 0 || !r[..digits].bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let Some(r) = r[digits + 1..].strip_prefix(part) else {
            return false;
        };
        rest = r;
    }
    rest.is_empty()
}

fn parameters(params: &[(&str, &str)]) -> Value {
    params
        .iter()
        .map(|(k, v)| json!({"ParameterKey": k, "ParameterValue": v}))
        .collect()
}

#[test]
fn every_recording_kept_is_replayed() {
    // The tests below replay these 20 recorded tests, each in full (Replay's Drop): a recording
    // added to the data must get its test.
    let entries = snapshots()["entries"].as_object().unwrap();
    assert_eq!(entries.len(), 20);
    let recordings: usize = entries
        .values()
        .map(|e| e["recorded-content"].as_object().unwrap().len())
        .sum();
    assert_eq!(recordings, 34);
}

const STACKS: &str = "tests/aws/services/cloudformation/api/test_stacks.py::";
const VALIDATIONS: &str = "tests/aws/services/cloudformation/api/test_validations.py::";
const TEMPLATES: &str = "tests/aws/services/cloudformation/api/test_templates.py::";

/// simple_api.yaml with the key for its `AWS::ApiGateway::RestApi` (DescribeStacks answers the
/// same of either).
const SIMPLE_API: &str = "AWSTemplateFormatVersion: \"2010-09-09\"

Parameters:
  ApiName:
    Type: String

Resources:
  Api:
    Type: 'AWS::KMS::Key'
    Properties:
      Description:
        Ref: ApiName
";

// ---------------------------------------------------------------- resources

#[test]
fn cfn_with_kms_resources() {
    // template34.yaml is not in the stored copy of the repository: a key and an alias named by
    // the AliasName parameter, with the outputs the recording has.
    let mut r = Replay::new(
        "tests/aws/services/cloudformation/resources/test_kms.py::test_cfn_with_kms_resources",
        "stack-kms",
    );
    let template = "Parameters:
  AliasName:
    Type: String
Resources:
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: sample key
  Alias:
    Type: AWS::KMS::Alias
    Properties:
      AliasName: !Ref AliasName
      TargetKeyId: !Ref Key
Outputs:
  KeyAlias:
    Value: !Ref Alias
  KeyArn:
    Value: !GetAtt Key.Arn
";
    r.deploy(template, &[("AliasName", "alias/sample-3a9f2c1d")]);
    let d = r.describe("stack-kms");
    let outputs: serde_json::Map<String, Value> = d["Stacks"][0]["Outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["OutputKey"].as_str().unwrap().to_string(),
                o["OutputValue"].clone(),
            )
        })
        .collect();
    let outputs = Value::Object(outputs);
    r.check("stack-outputs", "", &outputs, &[]);
    // The test's own assertions: the alias is the parameter's, and the stack's deletion deletes it.
    assert_eq!(outputs["KeyAlias"], "alias/sample-3a9f2c1d");
    r.ok("DeleteStack", json!({"StackName": "stack-kms"}));
    let aliases = r.s.call("ListAliases", json!({})).unwrap();
    assert!(!aliases.to_string().contains("alias/sample-3a9f2c1d"));
}

// ---------------------------------------------------------------- stacks

#[test]
fn stack_description_special_chars() {
    let mut r = Replay::new(
        &format!("{STACKS}TestStacksApi::test_stack_description_special_chars"),
        "stack-desc",
    );
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "test <env>.test.net",
        "Resources": {"TestResource": {"Type": "AWS::KMS::Key", "Properties": {}}},
    });
    let id = r.deploy(&template.to_string(), &[]);
    let d = r.describe(&id);
    r.check("describe_stack", "Stack", &d["Stacks"][0], &change_set(""));
}

#[test]
fn stack_lifecycle() {
    let mut r = Replay::new(
        &format!("{STACKS}TestStacksApi::test_stack_lifecycle"),
        "stack-life",
    );
    let id = r.deploy(SIMPLE_API, &[("ApiName", "test_5d6e7f80")]);
    let d = r.describe("stack-life");
    r.check("creation", "Stack", &d["Stacks"][0], &change_set(""));
    r.ok(
        "UpdateStack",
        json!({"StackName": "stack-life", "TemplateBody": SIMPLE_API, "Capabilities": CAPABILITIES,
               "Parameters": parameters(&[("ApiName", "test_91a2b3c4")])}),
    );
    let d = r.describe("stack-life");
    r.check(
        "update",
        "Stack",
        &d["Stacks"][0],
        &[Allow::Missing("ChangeSetId", CHANGE_SET)],
    );
    r.ok("DeleteStack", json!({"StackName": "stack-life"}));
    let e = r.err("DescribeStacks", json!({"StackName": "stack-life"}));
    r.check("describe_deleted_by_name_exc", "", &e, &[]);
    let d = r.describe(&id);
    r.check("deleted", "Stack", &d["Stacks"][0], &[]);
}

#[test]
fn stack_update_resources() {
    let mut r = Replay::new(
        &format!("{STACKS}TestStacksApi::test_stack_update_resources"),
        "stack-upd",
    );
    let id = r.deploy(SIMPLE_API, &[("ApiName", "test_12395eb4")]);
    let d = r.describe(&id);
    r.check("stack_created", "Stack", &d["Stacks"][0], &change_set(""));
    // simple_api.update.yaml adds a bucket (a second key here); the update is made without
    // capabilities, and the stack has none after it.
    let update = format!("{SIMPLE_API}  Bucket:\n    Type: AWS::KMS::Key\n");
    r.ok(
        "UpdateStack",
        json!({"StackName": "stack-upd", "TemplateBody": update,
               "Parameters": parameters(&[("ApiName", "test_5a3df175")])}),
    );
    let d = r.describe(&id);
    r.check(
        "stack_updated",
        "Stack",
        &d["Stacks"][0],
        &[Allow::Missing("ChangeSetId", CHANGE_SET)],
    );
}

#[test]
fn list_events_after_deployment() {
    let mut r = Replay::new(
        &format!("{STACKS}TestStacksApi::test_list_events_after_deployment"),
        "stack-events",
    );
    // sns_topic_simple.yaml's topic `topic123`, a key here: its type, physical id and properties
    // are the key's, the events' members, statuses, reasons and order are compared.
    let template = "Resources:\n  topic123:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: topic\n";
    r.deploy(template, &[]);
    let mut events = r.ok("DescribeStackEvents", json!({"StackName": "stack-events"}));
    // LocalStack sorted the events by time, oldest first; DescribeStackEvents answers newest first.
    events["StackEvents"].as_array_mut().unwrap().reverse();
    let mut recorded = r.recorded("events");
    let list = recorded["StackEvents"].as_array_mut().unwrap();
    assert_eq!(list[0]["ResourceStatus"], "REVIEW_IN_PROGRESS");
    // The event of the change set's creation (CHANGE_SET).
    list.remove(0);
    let resource = "the reduced template's key, not the recording's topic";
    r.check_against(
        "events",
        &recorded,
        "DescribeStackEventsOutput",
        &events,
        &[
            Allow::Value("StackEvents[*].ResourceType", resource),
            Allow::Value("StackEvents[*].ResourceProperties", resource),
            Allow::Value("StackEvents[2].PhysicalResourceId", resource),
            Allow::Value("StackEvents[3].PhysicalResourceId", resource),
        ],
    );
}

#[test]
fn update_termination_protection() {
    let mut r = Replay::new(
        &format!("{STACKS}test_update_termination_protection"),
        "stack-tp",
    );
    r.deploy(SIMPLE_API, &[("ApiName", "test_0a1b2c3d")]);
    for (name, on) in [("describe-stack-1", true), ("describe-stack-2", false)] {
        r.ok(
            "UpdateTerminationProtection",
            json!({"EnableTerminationProtection": on, "StackName": "stack-tp"}),
        );
        let d = r.describe("stack-tp");
        r.check(name, "DescribeStacksOutput", &d, &change_set("Stacks"));
    }
}

#[test]
fn name_conflicts() {
    let mut r = Replay::new(
        &format!("{STACKS}test_name_conflicts"),
        "repeated-stack-1a2b3c4d",
    );
    // MINIMAL_TEMPLATE's SSM parameter, a key here; CreateStack itself, as the test calls it.
    let minimal = "\nResources:\n    SimpleParam:\n        Type: AWS::KMS::Key\n        Properties:\n            Description: test\n";
    let name = "repeated-stack-1a2b3c4d";
    let create = json!({"StackName": name, "TemplateBody": minimal});
    let stack_id = r.ok("CreateStack", create.clone())["StackId"].clone();
    let e = r.err("CreateStack", create.clone());
    r.check("create_stack_already_exists_exc", "", &e, &[]);
    let status = r.describe(name)["Stacks"][0]["StackStatus"].clone();
    r.check("created_stack_desc", "", &status, &[]);
    r.ok("DeleteStack", json!({ "StackName": name }));
    let e = r.err("DescribeStacks", json!({ "StackName": name }));
    r.check("deleted_stack_not_found_exc", "", &e, &[]);
    let e = r.err("DescribeStackEvents", json!({ "StackName": name }));
    r.check("deleted_stack_events_not_found_by_name", "", &e, &[]);
    let d = r.ok("DescribeStacks", json!({ "StackName": stack_id }));
    r.check("deleted_stack_desc", "DescribeStacksOutput", &d, &[]);
    let new_id = r.ok("CreateStack", create)["StackId"].clone();
    assert_ne!(new_id, stack_id);
    let d = r.describe(name);
    r.check("new_stack_desc", "DescribeStacksOutput", &d, &[]);
    let d = r.ok("DescribeStacks", json!({ "StackName": stack_id }));
    r.check("stack_id_desc", "DescribeStacksOutput", &d, &[]);
    let d = r.ok("DescribeStacks", json!({ "StackName": new_id }));
    r.check("new_stack_id_desc", "DescribeStacksOutput", &d, &[]);
    r.ok("DeleteStack", json!({ "StackName": name }));
    let d = r.ok("DescribeStacks", json!({ "StackName": new_id }));
    r.check("deleted_second_stack_desc", "DescribeStacksOutput", &d, &[]);
}

#[test]
fn describe_stack_events_errors() {
    let mut r = Replay::new(
        &format!("{STACKS}test_describe_stack_events_errors"),
        "unused",
    );
    let e = r.err("DescribeStackEvents", json!({}));
    r.check("describe_stack_events_no_stack_name", "", &e, &[]);
    let e = r.err(
        "DescribeStackEvents",
        json!({"StackName": "does-not-exist"}),
    );
    r.check("describe_stack_events_stack_not_found", "", &e, &[]);
}

#[test]
fn update_stack_with_same_template_withoutchange() {
    let mut r = Replay::new(
        &format!("{STACKS}TestStacksApi::test_update_stack_with_same_template_withoutchange"),
        "stack-same",
    );
    // simple_no_change.yaml's topic, a key here.
    let template = "Resources:\n  MyTopic:\n    Type: AWS::KMS::Key\n";
    r.deploy(template, &[]);
    let e = r.err(
        "UpdateStack",
        json!({"StackName": "stack-same", "TemplateBody": template}),
    );
    r.check("no_change_exception", "", &e, &[]);
}

#[test]
fn linting_error_during_creation() {
    let mut r = Replay::new(
        &format!("{STACKS}test_linting_error_during_creation"),
        "stack-lint",
    );
    let e = r.err(
        "CreateStack",
        json!({"StackName": "stack-lint",
               "TemplateBody": json!({"Resources": "", "Outputs": ""}).to_string()}),
    );
    r.check("error", "", &e, &[]);
}

#[test]
fn stack_name_creation() {
    let mut r = Replay::new(
        &format!("{STACKS}TestStacksApi::test_stack_name_creation"),
        "unused",
    );
    let template = "Resources:\n  topic123:\n    Type: AWS::KMS::Key\n";
    let e = r.err(
        "CreateStack",
        json!({"StackName": "*@da591fa3_$", "TemplateBody": template,
               "Capabilities": CAPABILITIES}),
    );
    r.check("stack_response", "", &e, &[]);
}

// ---------------------------------------------------------------- template validation

fn validation(case: &str, template: Value) {
    let mut r = Replay::new(&format!("{VALIDATIONS}{case}"), "stack-invalid");
    let e = r.err(
        "CreateStack",
        json!({"StackName": "stack-invalid", "TemplateBody": template.to_string(),
               "Capabilities": CAPABILITIES}),
    );
    r.check("validation-error", "", &e, &[]);
}

/// test_invalid_output_structure's template, its topic `Foo` a key here.
fn with_outputs(outputs: Value) -> Value {
    json!({"Resources": {"Foo": {"Type": "AWS::KMS::Key"}}, "Outputs": outputs})
}

#[test]
fn invalid_output_structure_none_value() {
    validation(
        "test_invalid_output_structure[none-value]",
        with_outputs(json!({"MyOutput": {"Value": null}})),
    );
}

#[test]
fn invalid_output_structure_missing_def() {
    validation(
        "test_invalid_output_structure[missing-def]",
        with_outputs(json!({"MyOutput": {"Value": null, "AnotherValue": null}})),
    );
}

#[test]
fn invalid_output_structure_multiple_nones() {
    validation(
        "test_invalid_output_structure[multiple-nones]",
        with_outputs(json!({"MyOutput": {}})),
    );
}

#[test]
fn missing_resources_block() {
    validation("test_missing_resources_block", json!({}));
}

#[test]
fn resources_blocks_missing_type() {
    validation(
        "test_resources_blocks[missing-type]",
        json!({"Resources": {"A": {"Properties": {}}}}),
    );
}

#[test]
fn resources_blocks_invalid_key() {
    validation(
        "test_resources_blocks[invalid-key]",
        json!({"Resources": {"A": {"Type": "AWS::KMS::Key", "Invalid": 10}}}),
    );
}

#[test]
fn validate_template() {
    let mut r = Replay::new(&format!("{TEMPLATES}test_validate_template"), "unused");
    // valid_template.json as recorded (its one parameter), its EC2 instance and security group a
    // key here: ValidateTemplate answers of the parameters. The parameter's type is String, not
    // `AWS::EC2::KeyPair::KeyName`: the sandbox has no AWS-specific parameter types (they name
    // resources of other services), and the answer's members do not depend on it.
    let template = json!({
        "Parameters": {"KeyExample": {
            "Description": "The EC2 Key Pair to allow SSH access to the instance",
            "Type": "String"}},
        "Resources": {"Ec2Instance": {"Type": "AWS::KMS::Key",
            "Properties": {"Description": {"Ref": "KeyExample"}}}},
    });
    let v = r.ok(
        "ValidateTemplate",
        json!({"TemplateBody": template.to_string()}),
    );
    r.check("validate-template", "ValidateTemplateOutput", &v, &[]);
}

#[test]
fn validate_invalid_json_template_should_fail() {
    let mut r = Replay::new(
        &format!("{TEMPLATES}test_validate_invalid_json_template_should_fail"),
        "unused",
    );
    let e = r.err(
        "ValidateTemplate",
        json!({"TemplateBody": "{\"this is invalid JSON\"=\"bobbins\"}"}),
    );
    // AWS's parser (Jackson) counts the column after the unexpected `=` (25), serde_json the
    // `=` itself (24); where each kind of JSON error puts the column is not known.
    r.check(
        "validate-invalid-json",
        "",
        &e,
        &[Allow::Value(
            "Error.Message",
            "the column of a JSON error is the parser's (AWS: 25, the sandbox: 24)",
        )],
    );
    assert!(e["Error"]["Message"]
        .as_str()
        .unwrap()
        .starts_with("Template format error: JSON not well-formed. (line 1, column "));
}

#[test]
fn get_template_missing_resources_stack() {
    let mut r = Replay::new(
        &format!("{TEMPLATES}test_get_template_missing_resources_stack"),
        "unused",
    );
    let e = r.err("GetTemplate", json!({"StackName": "does-not-exist"}));
    r.check("stack-error", "", &e, &[]);
}
