//! `aws cloudformation ...` against the in-memory sandbox: the seed's hands-on (create-stack with
//! a template and a parameters file from the file area), the stack's answers as the CLI prints
//! them, the waiters, and delete-stack.

use kms_cli::{run, Context, Invocation, Outcome};
use kms_core::Sandbox;
use serde_json::{json, Value};
use std::collections::BTreeMap;

const TEMPLATE: &str = include_str!("../../kms-core/tests/data/create-kms-cf.yaml");
const PARAMS: &str = include_str!("../../kms-core/tests/data/create-kms-params.json");

struct Term {
    sb: Sandbox,
    files: BTreeMap<String, Vec<u8>>,
}

impl Term {
    fn new() -> Term {
        let mut files = BTreeMap::new();
        files.insert(
            "create-kms-cf.yaml".to_string(),
            TEMPLATE.as_bytes().to_vec(),
        );
        files.insert(
            "create-kms-params.json".to_string(),
            PARAMS.as_bytes().to_vec(),
        );
        Term {
            sb: Sandbox::in_memory(11),
            files,
        }
    }

    fn run(&mut self, line: &str) -> Outcome {
        let ctx = Context::new(&self.files, "us-east-1");
        let sb = &mut self.sb;
        run(line, &ctx, |inv: &Invocation, req: Value| {
            let region = std::mem::replace(&mut sb.region, inv.region.clone());
            let r = sb.call_service(inv.service, &inv.operation, req);
            sb.region = region;
            r
        })
    }

    fn ok(&mut self, line: &str) -> String {
        let out = self.run(line);
        assert_eq!(out.exit_code, 0, "{line}\n{}", out.stderr);
        out.stdout
    }

    fn json(&mut self, line: &str) -> Value {
        serde_json::from_str(&self.ok(line)).unwrap()
    }
}

const CREATE: &str = "aws cloudformation create-stack --stack-name MyKMSKeyStack \
    --template-body=file://create-kms-cf.yaml --parameters=file://create-kms-params.json \
    --region ap-southeast-2";

#[test]
fn the_seeds_create_stack_makes_the_key_and_alias() {
    let mut t = Term::new();
    let out = t.json(CREATE);
    let stack_id = out["StackId"].as_str().unwrap().to_string();
    assert!(
        stack_id
            .starts_with("arn:aws:cloudformation:ap-southeast-2:111122223333:stack/MyKMSKeyStack/"),
        "{stack_id}"
    );
    assert_eq!(out.as_object().unwrap().len(), 1, "{out}");

    t.ok("aws cloudformation wait stack-create-complete --stack-name MyKMSKeyStack --region ap-southeast-2");

    let stacks = t.json(
        "aws cloudformation describe-stacks --stack-name MyKMSKeyStack --region ap-southeast-2",
    );
    let stack = &stacks["Stacks"][0];
    assert_eq!(stack["StackStatus"], "CREATE_COMPLETE");
    assert_eq!(stack["StackId"], stack_id.as_str());
    let outputs = stack["Outputs"].as_array().unwrap();
    let key_id = outputs.iter().find(|o| o["OutputKey"] == "KeyId").unwrap()["OutputValue"]
        .as_str()
        .unwrap()
        .to_string();
    let params = stack["Parameters"].as_array().unwrap();
    assert!(
        params.contains(&json!({"ParameterKey": "AliasName", "ParameterValue": "alias/hands-on"}))
    );

    // The key and alias exist, made as the template says.
    let key = t.json("aws kms describe-key --key-id alias/hands-on --region ap-southeast-2");
    assert_eq!(key["KeyMetadata"]["KeyId"], key_id.as_str());
    assert_eq!(
        key["KeyMetadata"]["Description"],
        "My KMS key for the hands-on"
    );
    let text = t.ok(&format!(
        "aws kms get-key-rotation-status --key-id {key_id} --region ap-southeast-2 --query KeyRotationEnabled --output text"
    ));
    assert_eq!(text, "True\n");

    let body = t.ok("aws cloudformation get-template --stack-name MyKMSKeyStack --region ap-southeast-2 --query TemplateBody --output text");
    assert_eq!(body, format!("{TEMPLATE}\n"));

    // Resources and events, queried as a learner would.
    let text = t.ok("aws cloudformation describe-stack-resources --stack-name MyKMSKeyStack --region ap-southeast-2 --query 'StackResources[].[LogicalResourceId,ResourceType,ResourceStatus]' --output text");
    assert_eq!(
        text,
        "MyKMSKey\tAWS::KMS::Key\tCREATE_COMPLETE\nMyKMSKeyAlias\tAWS::KMS::Alias\tCREATE_COMPLETE\n"
    );
    let events = t.json("aws cloudformation describe-stack-events --stack-name MyKMSKeyStack --region ap-southeast-2");
    let first = &events["StackEvents"][0];
    assert_eq!(first["LogicalResourceId"], "MyKMSKeyStack");
    assert_eq!(first["ResourceStatus"], "CREATE_COMPLETE");
    assert!(
        first["Timestamp"].as_str().unwrap().ends_with("+00:00"),
        "{first}"
    );

    // The list commands, as the CLI prints them.
    let text = t.ok("aws cloudformation list-stack-resources --stack-name MyKMSKeyStack --region ap-southeast-2 --query 'StackResourceSummaries[].[LogicalResourceId,ResourceStatus]' --output text");
    assert_eq!(
        text,
        "MyKMSKey\tCREATE_COMPLETE\nMyKMSKeyAlias\tCREATE_COMPLETE\n"
    );
    let text = t.ok("aws cloudformation list-stacks --stack-status-filter CREATE_COMPLETE UPDATE_COMPLETE --region ap-southeast-2 --query 'StackSummaries[].StackName' --output text");
    assert_eq!(text, "MyKMSKeyStack\n");
    let text = t.ok("aws cloudformation describe-stack-resource --stack-name MyKMSKeyStack --logical-resource-id MyKMSKeyAlias --region ap-southeast-2 --query StackResourceDetail.PhysicalResourceId --output text");
    assert_eq!(text, "alias/hands-on\n");
    let text = t.ok("aws cloudformation get-template-summary --template-body file://create-kms-cf.yaml --query 'Parameters[].ParameterKey' --output text --region ap-southeast-2");
    assert_eq!(text, "AliasName\tEnvironment\tKeyDescription\n");
    let out =
        t.run("aws cloudformation list-imports --export-name nothing --region ap-southeast-2");
    assert_eq!(out.exit_code, 254);
    assert_eq!(
        out.stderr,
        "\nAn error occurred (ValidationError) when calling the ListImports operation: Export 'nothing' is not imported by any stack.\n"
    );

    // Delete: the key is scheduled for deletion (PendingWindowInDays 7), the alias is gone.
    assert_eq!(
        t.ok("aws cloudformation delete-stack --stack-name MyKMSKeyStack --region ap-southeast-2"),
        ""
    );
    t.ok("aws cloudformation wait stack-delete-complete --stack-name MyKMSKeyStack --region ap-southeast-2");
    let key = t.json(&format!(
        "aws kms describe-key --key-id {key_id} --region ap-southeast-2"
    ));
    assert_eq!(key["KeyMetadata"]["KeyState"], "PendingDeletion");
    let out = t.run("aws kms describe-key --key-id alias/hands-on --region ap-southeast-2");
    assert_eq!(out.exit_code, 254);
    assert!(out.stderr.contains("(NotFoundException)"), "{}", out.stderr);
    // A deleted stack is still described by its id.
    let text = t.ok(&format!(
        "aws cloudformation describe-stacks --stack-name {stack_id} --region ap-southeast-2 --query Stacks[0].StackStatus --output text"
    ));
    assert_eq!(text, "DELETE_COMPLETE\n");
}

#[test]
fn inline_parameters_and_template_shorthand_and_errors() {
    let mut t = Term::new();
    // Shorthand parameters, the template inline from the file area by another name.
    t.files.insert("t.json".into(), br#"{"Parameters":{"D":{"Type":"String"}},"Resources":{"K":{"Type":"AWS::KMS::Key","Properties":{"Description":{"Ref":"D"}}}}}"#.to_vec());
    let out =
        t.run("aws cloudformation create-stack --stack-name s1 --template-body file://t.json");
    assert_eq!(out.exit_code, 254);
    assert_eq!(
        out.stderr,
        "\nAn error occurred (ValidationError) when calling the CreateStack operation: Parameters: [D] must have values\n"
    );
    t.ok("aws cloudformation create-stack --stack-name s1 --template-body file://t.json --parameters ParameterKey=D,ParameterValue=hello");
    let text = t.ok(
        "aws cloudformation describe-stacks --query Stacks[].[StackName,StackStatus] --output text",
    );
    assert_eq!(text, "s1\tCREATE_COMPLETE\n");
    // Again: AlreadyExistsException.
    let out = t.run("aws cloudformation create-stack --stack-name s1 --template-body file://t.json --parameters ParameterKey=D,ParameterValue=x");
    assert_eq!(out.exit_code, 254);
    assert!(
        out.stderr.contains("(AlreadyExistsException)"),
        "{}",
        out.stderr
    );
    // The CLI's own checks: a required option.
    let out = t.run("aws cloudformation create-stack --template-body file://t.json");
    assert_eq!(out.exit_code, 252);
    assert!(
        out.stderr
            .contains("the following arguments are required: --stack-name"),
        "{}",
        out.stderr
    );
    // validate-template.
    let v = t.json("aws cloudformation validate-template --template-body file://t.json");
    assert_eq!(v["Parameters"][0]["ParameterKey"], "D");
}

#[test]
fn waiters_report_failures_as_the_cli_does() {
    let mut t = Term::new();
    let out = t.run("aws cloudformation wait stack-create-complete --stack-name nope");
    assert_eq!(out.exit_code, 255);
    assert_eq!(
        out.stderr,
        "\nWaiter StackCreateComplete failed: Waiter encountered a terminal failure state: Matched expected service error code: ValidationError\n"
    );
    // A stack that rolled back: an invalid key spec fails the resource.
    t.files.insert("bad.yaml".into(), b"Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeySpec: RSA_2048\n      KeyUsage: GENERATE_VERIFY_MAC\n".to_vec());
    t.ok("aws cloudformation create-stack --stack-name bad --template-body file://bad.yaml");
    let out = t.run("aws cloudformation wait stack-create-complete --stack-name bad");
    assert_eq!(out.exit_code, 255);
    assert_eq!(
        out.stderr,
        "\nWaiter StackCreateComplete failed: Waiter encountered a terminal failure state: For expression \"Stacks[].StackStatus\" we matched expected path: \"ROLLBACK_COMPLETE\" at least once\n"
    );
    t.ok("aws cloudformation wait stack-exists --stack-name bad");
    let out = t.run("aws cloudformation wait no-such-waiter --stack-name bad");
    assert_eq!(out.exit_code, 252);
    assert!(
        out.stderr.contains("stack-create-complete"),
        "{}",
        out.stderr
    );
    // IAM's waiters come from the same data.
    t.ok("aws iam create-user --user-name ana");
    t.ok("aws iam wait user-exists --user-name ana");
}

#[test]
fn a_json_template_comes_back_as_its_object_and_waiters_name_the_matched_error() {
    let mut t = Term::new();
    t.files.insert(
        "t.json".into(),
        br#"{"Resources": {"K": {"Type": "AWS::KMS::Key"}}, "Description": "d"}"#.to_vec(),
    );
    t.ok("aws cloudformation create-stack --stack-name js --template-body file://t.json");
    // botocore's json_decode_template_body: the body is an object, in its own key order.
    let got = t.ok("aws cloudformation get-template --stack-name js --query TemplateBody");
    assert_eq!(
        got,
        "{\n    \"Resources\": {\n        \"K\": {\n            \"Type\": \"AWS::KMS::Key\"\n        }\n    },\n    \"Description\": \"d\"\n}\n"
    );
    let out = t.run("aws cloudformation wait stack-create-complete --stack-name nope");
    assert_eq!(out.exit_code, 255);
    assert_eq!(
        out.stderr,
        "\nWaiter StackCreateComplete failed: Waiter encountered a terminal failure state: Matched expected service error code: ValidationError\n"
    );
    // Validation errors in the model's order, timestamps named by their member.
    let out = t.run("aws cloudtrail lookup-events --start-time bogus");
    assert_eq!(
        out.stderr,
        "\nParameter validation failed:\nInvalid type for parameter StartTime, value: bogus, type: <class 'str'>, valid types: <class 'datetime.datetime'>, timestamp-string\n"
    );
    let out = t.run("aws sts assume-role --role-arn x --role-session-name s --duration-seconds 10");
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines[2].contains("RoleArn")
            && lines[3].contains("RoleSessionName")
            && lines[4].contains("DurationSeconds"),
        "{}",
        out.stderr
    );
}

#[test]
fn a_parameters_file_that_is_not_a_json_list_fails_as_the_cli_does() {
    let mut t = Term::new();
    // The CLI has a `file://` value's text where a list option expects its values (awscli's
    // paramfile and argprocess; the same messages from aws-cli 1.45 here): a JSON object is read
    // one character at a time and fails at its `{`, shorthand is one Parameter, which botocore
    // refuses for not being a list.
    t.files
        .insert("object.json".into(), br#"{"KeyDescription":"x"}"#.to_vec());
    t.files.insert(
        "shorthand.txt".into(),
        b"ParameterKey=KeyDescription,ParameterValue=x".to_vec(),
    );
    t.files.insert("keys.txt".into(), b"ab".to_vec());
    let create = "aws cloudformation create-stack --stack-name s --template-body file://create-kms-cf.yaml --parameters";
    let out = t.run(&format!("{create} file://object.json"));
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (
            252,
            "\nError parsing parameter '--parameters': Invalid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)\nJSON received: {\n"
        )
    );
    let out = t.run(&format!("{create} file://shorthand.txt"));
    assert_eq!(
        (out.exit_code, out.stderr.as_str()),
        (
            252,
            "\nParameter validation failed:\nInvalid type for parameter Parameters, value: {'ParameterKey': 'KeyDescription', 'ParameterValue': 'x'}, type: <class 'dict'>, valid types: <class 'list'>, <class 'tuple'>\n"
        )
    );
    // The same object inline is one Parameter with an unknown member.
    let out = t.run(&format!("{create} '{{\"KeyDescription\":\"x\"}}'"));
    assert_eq!(
        out.stderr,
        "\nParameter validation failed:\nUnknown parameter in Parameters[0]: \"KeyDescription\", must be one of: ParameterKey, ParameterValue, UsePreviousValue, ResolvedValue\n"
    );
    // Through --cli-input-json the object reaches botocore's type check; so do the other types.
    let out = t.run(r#"aws cloudformation create-stack --cli-input-json '{"StackName": "s", "TemplateBody": 5, "Parameters": {"KeyDescription": "x"}, "DisableRollback": "true"}'"#);
    assert_eq!(out.exit_code, 252);
    for line in [
        "Invalid type for parameter Parameters, value: {'KeyDescription': 'x'}, type: <class 'dict'>, valid types: <class 'list'>, <class 'tuple'>",
        "Invalid type for parameter TemplateBody, value: 5, type: <class 'int'>, valid types: <class 'str'>",
        "Invalid type for parameter DisableRollback, value: true, type: <class 'str'>, valid types: <class 'bool'>",
    ] {
        assert!(out.stderr.lines().any(|l| l == line), "{}", out.stderr);
    }
    // A structure given a JSON list is not JSON to the CLI.
    let out = t.run(&format!(
        "{create} file://create-kms-params.json --rollback-configuration '[1]'"
    ));
    assert_eq!(
        out.stderr,
        "\nError parsing parameter '--rollback-configuration': Invalid JSON:\n[1]\n"
    );
    // A list of strings from a file that is not JSON: its characters.
    let out = t.run("aws cloudformation list-stacks --stack-status-filter file://keys.txt");
    assert_eq!(out.exit_code, 254);
    assert!(
        out.stderr
            .contains("2 validation errors detected: Value 'a' at 'stackStatusFilter.1.member'")
            && out
                .stderr
                .contains("Value 'b' at 'stackStatusFilter.2.member'"),
        "{}",
        out.stderr
    );
}

#[test]
fn describe_stacks_prints_rollback_configuration_before_the_status() {
    let mut t = Term::new();
    t.files.insert(
        "k.yaml".into(),
        b"Resources:\n  K:\n    Type: AWS::KMS::Key\n".to_vec(),
    );
    t.ok("aws cloudformation create-stack --stack-name bare --template-body file://k.yaml");
    let out = t.ok("aws cloudformation describe-stacks --stack-name bare");
    // In the Stack shape's order; no Parameters for a stack without any.
    assert!(
        out.contains("\"StackName\": \"bare\",\n            \"CreationTime\": \"2025-01-01T00:00:00+00:00\",\n            \"RollbackConfiguration\": {},\n            \"StackStatus\": \"CREATE_COMPLETE\","),
        "{out}"
    );
    assert!(!out.contains("Parameters"), "{out}");
}
