//! CloudFormation stacks of KMS resources: the seed's hands-on (`aws cloudformation create-stack
//! --template-body file://create-kms-cf.yaml --parameters file://create-kms-params.json`),
//! rollback, update, delete, ValidateTemplate and the errors.

use kms_core::{json, Clock, Sandbox, Service, Value};

const TEMPLATE: &str = include_str!("data/create-kms-cf.yaml");
const PARAMS: &str = include_str!("data/create-kms-params.json");

fn cfn(s: &mut Sandbox, op: &str, req: Value) -> kms_core::Result<Value> {
    s.call_service(Service::CloudFormation, op, req)
}

fn params() -> Value {
    serde_json::from_str(PARAMS).unwrap()
}

fn create(s: &mut Sandbox) -> String {
    let out = cfn(
        s,
        "CreateStack",
        json!({"StackName": "MyKMSKeyStack", "TemplateBody": TEMPLATE, "Parameters": params()}),
    )
    .unwrap();
    out["StackId"].as_str().unwrap().to_string()
}

fn stack(s: &mut Sandbox, name: &str) -> Value {
    cfn(s, "DescribeStacks", json!({"StackName": name})).unwrap()["Stacks"][0].clone()
}

fn output(stack: &Value, key: &str) -> String {
    stack["Outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["OutputKey"] == key)
        .unwrap()["OutputValue"]
        .as_str()
        .unwrap()
        .to_string()
}

fn statuses(s: &mut Sandbox, name: &str) -> Vec<String> {
    let events = cfn(s, "DescribeStackEvents", json!({"StackName": name})).unwrap();
    let mut v: Vec<String> = events["StackEvents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["LogicalResourceId"].as_str().unwrap(),
                e["ResourceStatus"].as_str().unwrap()
            )
        })
        .collect();
    v.reverse();
    v
}

#[test]
fn the_hands_on_stack_makes_a_key_with_rotation_and_an_alias() {
    let mut s = Sandbox::in_memory(1);
    let stack_id = create(&mut s);
    assert!(stack_id
        .starts_with("arn:aws:cloudformation:ap-southeast-2:111122223333:stack/MyKMSKeyStack/"));
    let st = stack(&mut s, "MyKMSKeyStack");
    assert_eq!(st["StackStatus"], "CREATE_COMPLETE");
    assert_eq!(
        st["Description"],
        "A customer managed KMS key with rotation and an alias (the seed's hands-on)"
    );
    let key_id = output(&st, "KeyId");
    let key_arn = output(&st, "KeyArn");
    assert_eq!(
        key_arn,
        format!("arn:aws:kms:ap-southeast-2:111122223333:key/{key_id}")
    );
    assert_eq!(
        output(&st, "AliasArn"),
        "arn:aws:kms:ap-southeast-2:111122223333:alias/hands-on"
    );

    let meta = s
        .call("DescribeKey", json!({"KeyId": "alias/hands-on"}))
        .unwrap();
    assert_eq!(meta["KeyMetadata"]["KeyId"], key_id.as_str());
    assert_eq!(
        meta["KeyMetadata"]["Description"],
        "My KMS key for the hands-on"
    );
    let rot = s
        .call("GetKeyRotationStatus", json!({"KeyId": key_id}))
        .unwrap();
    assert_eq!(rot["KeyRotationEnabled"], true);
    assert_eq!(rot["RotationPeriodInDays"], 365);
    let tags = s
        .call("ListResourceTags", json!({"KeyId": key_id}))
        .unwrap();
    let tags: Vec<(String, String)> = tags["Tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["TagKey"].as_str().unwrap().into(),
                t["TagValue"].as_str().unwrap().into(),
            )
        })
        .collect();
    for (k, v) in [
        ("aws:cloudformation:stack-name", "MyKMSKeyStack"),
        ("aws:cloudformation:stack-id", stack_id.as_str()),
        ("aws:cloudformation:logical-id", "MyKMSKey"),
        ("Environment", "dev"),
        ("Stack", "MyKMSKeyStack"),
    ] {
        assert!(
            tags.contains(&(k.to_string(), v.to_string())),
            "{k}: {tags:?}"
        );
    }
    let policy = s.call("GetKeyPolicy", json!({"KeyId": key_id})).unwrap();
    assert!(policy["Policy"]
        .as_str()
        .unwrap()
        .contains("arn:aws:iam::111122223333:root"));

    let res = cfn(
        &mut s,
        "DescribeStackResources",
        json!({"StackName": "MyKMSKeyStack"}),
    )
    .unwrap();
    let res = res["StackResources"].as_array().unwrap();
    assert_eq!(res.len(), 2);
    assert_eq!(res[0]["LogicalResourceId"], "MyKMSKey");
    assert_eq!(res[0]["PhysicalResourceId"], key_id.as_str());
    assert_eq!(res[0]["ResourceType"], "AWS::KMS::Key");
    assert_eq!(res[1]["PhysicalResourceId"], "alias/hands-on");
    assert!(res.iter().all(|r| r["ResourceStatus"] == "CREATE_COMPLETE"));

    assert_eq!(
        statuses(&mut s, "MyKMSKeyStack"),
        [
            "MyKMSKeyStack CREATE_IN_PROGRESS",
            "MyKMSKey CREATE_IN_PROGRESS",
            "MyKMSKey CREATE_IN_PROGRESS",
            "MyKMSKey CREATE_COMPLETE",
            "MyKMSKeyAlias CREATE_IN_PROGRESS",
            "MyKMSKeyAlias CREATE_IN_PROGRESS",
            "MyKMSKeyAlias CREATE_COMPLETE",
            "MyKMSKeyStack CREATE_COMPLETE",
        ]
    );
    // The call is in CloudTrail, from cloudformation.amazonaws.com.
    let events = s
        .lookup_events(&json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "CreateStack"}]}))
        .unwrap();
    let e: Value =
        serde_json::from_str(events["Events"][0]["CloudTrailEvent"].as_str().unwrap()).unwrap();
    assert_eq!(e["eventSource"], "cloudformation.amazonaws.com");
}

#[test]
fn json_templates_and_the_same_name_twice() {
    let mut s = Sandbox::in_memory(2);
    let t = json!({"Resources": {"K": {"Type": "AWS::KMS::Key", "Properties": {"Description": {"Fn::Sub": "${AWS::StackName} in ${AWS::Region}"}}}},
                   "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["K", "Arn"]}}}});
    let req = json!({"StackName": "json-stack", "TemplateBody": t.to_string()});
    cfn(&mut s, "CreateStack", req.clone()).unwrap();
    let st = stack(&mut s, "json-stack");
    let arn = output(&st, "Arn");
    let meta = s.call("DescribeKey", json!({"KeyId": arn})).unwrap();
    assert_eq!(
        meta["KeyMetadata"]["Description"],
        "json-stack in ap-southeast-2"
    );
    let e = cfn(&mut s, "CreateStack", req).unwrap_err();
    assert_eq!(e.error_type.as_str(), "AlreadyExistsException");
    assert_eq!(e.message, "Stack [json-stack] already exists");
}

#[test]
fn an_invalid_property_rolls_the_stack_back() {
    let mut s = Sandbox::in_memory(3);
    let t = r#"
Resources:
  Good:
    Type: AWS::KMS::Key
    Properties:
      Description: made, then rolled back
  Bad:
    Type: AWS::KMS::Key
    DependsOn: Good
    Properties:
      KeySpec: RSA_2048
      KeyUsage: GENERATE_VERIFY_MAC
"#;
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "broken", "TemplateBody": t}),
    )
    .unwrap();
    let st = stack(&mut s, "broken");
    assert_eq!(st["StackStatus"], "ROLLBACK_COMPLETE");
    let events = cfn(
        &mut s,
        "DescribeStackEvents",
        json!({"StackName": "broken"}),
    )
    .unwrap();
    let failed = events["StackEvents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ResourceStatus"] == "CREATE_FAILED")
        .unwrap();
    assert_eq!(failed["LogicalResourceId"], "Bad");
    let reason = failed["ResourceStatusReason"].as_str().unwrap();
    assert!(
        reason.starts_with("Resource handler returned message: \""),
        "{reason}"
    );
    assert!(
        reason.contains("Service: Kms, Status Code: 400"),
        "{reason}"
    );
    assert_eq!(
        statuses(&mut s, "broken"),
        [
            "broken CREATE_IN_PROGRESS",
            "Good CREATE_IN_PROGRESS",
            "Good CREATE_IN_PROGRESS",
            "Good CREATE_COMPLETE",
            "Bad CREATE_IN_PROGRESS",
            "Bad CREATE_FAILED",
            "broken ROLLBACK_IN_PROGRESS",
            "Bad DELETE_IN_PROGRESS",
            "Bad DELETE_COMPLETE",
            "Good DELETE_IN_PROGRESS",
            "Good DELETE_COMPLETE",
            "broken ROLLBACK_COMPLETE",
        ]
    );
    // The key made before the failure is scheduled for deletion.
    let keys = s.call("ListKeys", json!({})).unwrap();
    for k in keys["Keys"].as_array().unwrap() {
        let m = s.call("DescribeKey", json!({"KeyId": k["KeyId"]})).unwrap();
        if m["KeyMetadata"]["KeyManager"] == "CUSTOMER" {
            assert_eq!(m["KeyMetadata"]["KeyState"], "PendingDeletion");
        }
    }
    // A stack in ROLLBACK_COMPLETE cannot be updated; it can be deleted.
    let e = cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "broken", "UsePreviousTemplate": true}),
    )
    .unwrap_err();
    assert!(
        e.message
            .ends_with("is in ROLLBACK_COMPLETE state and can not be updated."),
        "{}",
        e.message
    );
    cfn(&mut s, "DeleteStack", json!({"StackName": "broken"})).unwrap();

    // DisableRollback leaves the stack in CREATE_FAILED.
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "kept", "TemplateBody": t, "DisableRollback": true}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "kept")["StackStatus"], "CREATE_FAILED");
}

#[test]
fn update_applies_changes_and_replaces_where_aws_does() {
    let mut s = Sandbox::in_memory(4);
    create(&mut s);
    let st = stack(&mut s, "MyKMSKeyStack");
    let key_id = output(&st, "KeyId");
    // Nothing changed.
    let e = cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "MyKMSKeyStack", "UsePreviousTemplate": true,
               "Parameters": [{"ParameterKey": "KeyDescription", "UsePreviousValue": true},
                              {"ParameterKey": "AliasName", "UsePreviousValue": true}]}),
    )
    .unwrap_err();
    assert_eq!(
        (e.error_type.as_str(), e.message.as_str()),
        ("ValidationError", "No updates are to be performed.")
    );

    // A new description and the prod rotation period: the same key, updated.
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "MyKMSKeyStack", "UsePreviousTemplate": true,
               "Parameters": [{"ParameterKey": "KeyDescription", "ParameterValue": "updated"},
                              {"ParameterKey": "AliasName", "UsePreviousValue": true},
                              {"ParameterKey": "Environment", "ParameterValue": "prod"}]}),
    )
    .unwrap();
    let st = stack(&mut s, "MyKMSKeyStack");
    assert_eq!(st["StackStatus"], "UPDATE_COMPLETE");
    assert_eq!(output(&st, "KeyId"), key_id);
    let meta = s.call("DescribeKey", json!({"KeyId": key_id})).unwrap();
    assert_eq!(meta["KeyMetadata"]["Description"], "updated");
    let rot = s
        .call("GetKeyRotationStatus", json!({"KeyId": key_id}))
        .unwrap();
    assert_eq!(rot["RotationPeriodInDays"], 90);
    let tags = s
        .call("ListResourceTags", json!({"KeyId": key_id}))
        .unwrap();
    assert!(tags["Tags"]
        .as_array()
        .unwrap()
        .contains(&json!({"TagKey": "Environment", "TagValue": "prod"})));

    // A new alias name replaces the alias: the old one is deleted.
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "MyKMSKeyStack", "UsePreviousTemplate": true,
               "Parameters": [{"ParameterKey": "KeyDescription", "UsePreviousValue": true},
                              {"ParameterKey": "AliasName", "ParameterValue": "alias/renamed"},
                              {"ParameterKey": "Environment", "UsePreviousValue": true}]}),
    )
    .unwrap();
    assert!(s
        .call("DescribeKey", json!({"KeyId": "alias/hands-on"}))
        .is_err());
    let meta = s
        .call("DescribeKey", json!({"KeyId": "alias/renamed"}))
        .unwrap();
    assert_eq!(meta["KeyMetadata"]["KeyId"], key_id.as_str());
    let st = stack(&mut s, "MyKMSKeyStack");
    assert!(output(&st, "AliasArn").ends_with(":alias/renamed"));

    let prev = json!([{"ParameterKey": "KeyDescription", "UsePreviousValue": true},
                      {"ParameterKey": "AliasName", "UsePreviousValue": true},
                      {"ParameterKey": "Environment", "UsePreviousValue": true}]);
    // KeySpec, KeyUsage, Origin and MultiRegion cannot change: "the update request fails,
    // regardless of the value of the UpdateReplacePolicy attribute" (AWS::KMS::Key). The schema
    // has no createOnlyProperties, so no replacement: the handler refuses the change. The stack
    // rolls back; no key is made or deleted.
    let hmac = TEMPLATE
        .replace("KeySpec: SYMMETRIC_DEFAULT", "KeySpec: HMAC_256")
        .replace("KeyUsage: ENCRYPT_DECRYPT", "KeyUsage: GENERATE_VERIFY_MAC")
        .replace(
            "      EnableKeyRotation: true\n      RotationPeriodInDays: !If [IsProd, 90, 365]\n",
            "",
        );
    let mrk = TEMPLATE.replace(
        "KeySpec: SYMMETRIC_DEFAULT",
        "KeySpec: SYMMETRIC_DEFAULT\n      MultiRegion: true",
    );
    let keys_before = s.call("ListKeys", json!({})).unwrap()["Keys"]
        .as_array()
        .unwrap()
        .len();
    for template in [hmac, mrk] {
        cfn(
            &mut s,
            "UpdateStack",
            json!({"StackName": "MyKMSKeyStack", "TemplateBody": template, "Parameters": prev}),
        )
        .unwrap();
        let st = stack(&mut s, "MyKMSKeyStack");
        assert_eq!(st["StackStatus"], "UPDATE_ROLLBACK_COMPLETE");
        assert_eq!(output(&st, "KeyId"), key_id);
        let events = cfn(
            &mut s,
            "DescribeStackEvents",
            json!({"StackName": "MyKMSKeyStack"}),
        )
        .unwrap();
        let failed = events["StackEvents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["ResourceStatus"] == "UPDATE_FAILED")
            .unwrap();
        assert_eq!(failed["LogicalResourceId"], "MyKMSKey");
        let reason = failed["ResourceStatusReason"].as_str().unwrap();
        assert!(
            reason.starts_with("Resource handler returned message: \"Invalid request provided: You cannot change the values of the KeySpec, KeyUsage, Origin, or MultiRegion properties of an AWS::KMS::Key resource.\" (RequestToken: "),
            "{reason}"
        );
        assert!(
            reason.ends_with(", HandlerErrorCode: InvalidRequest)"),
            "{reason}"
        );
    }
    assert_eq!(
        s.call("ListKeys", json!({})).unwrap()["Keys"]
            .as_array()
            .unwrap()
            .len(),
        keys_before
    );
    let meta = s
        .call("DescribeKey", json!({"KeyId": "alias/renamed"}))
        .unwrap();
    assert_eq!(meta["KeyMetadata"]["KeyId"], key_id.as_str());
    assert_eq!(meta["KeyMetadata"]["KeyState"], "Enabled");

    // A failing update rolls back to the previous properties.
    let t3 = TEMPLATE.replace(
        "Enabled: true",
        "Enabled: true\n      Origin: NOT_AN_ORIGIN",
    );
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "MyKMSKeyStack", "TemplateBody": t3,
        "Parameters": [{"ParameterKey": "KeyDescription", "UsePreviousValue": true},
                       {"ParameterKey": "AliasName", "UsePreviousValue": true}]}),
    )
    .unwrap();
    let st = stack(&mut s, "MyKMSKeyStack");
    assert_eq!(st["StackStatus"], "UPDATE_ROLLBACK_COMPLETE");
    assert_eq!(output(&st, "KeyId"), key_id);
}

#[test]
fn delete_stack_schedules_the_key_deletion_and_removes_the_alias() {
    let mut s = Sandbox::in_memory(5);
    let stack_id = create(&mut s);
    let key_id = output(&stack(&mut s, "MyKMSKeyStack"), "KeyId");
    cfn(&mut s, "DeleteStack", json!({"StackName": "MyKMSKeyStack"})).unwrap();
    let meta = s.call("DescribeKey", json!({"KeyId": key_id})).unwrap();
    assert_eq!(meta["KeyMetadata"]["KeyState"], "PendingDeletion");
    // PendingWindowInDays: 7 in the template.
    let days = (meta["KeyMetadata"]["DeletionDate"].as_f64().unwrap()
        - s.clock.now() as f64 / 1000.0)
        / 86400.0;
    assert_eq!(days.round(), 7.0);
    assert!(s
        .call("DescribeKey", json!({"KeyId": "alias/hands-on"}))
        .is_err());
    // By name the stack is gone; by id it is DELETE_COMPLETE.
    let e = cfn(
        &mut s,
        "DescribeStacks",
        json!({"StackName": "MyKMSKeyStack"}),
    )
    .unwrap_err();
    assert_eq!(e.message, "Stack with id MyKMSKeyStack does not exist");
    assert_eq!(stack(&mut s, &stack_id)["StackStatus"], "DELETE_COMPLETE");
    assert_eq!(
        cfn(&mut s, "DescribeStacks", json!({})).unwrap()["Stacks"],
        json!([])
    );
    // Deleting again, or a stack that never was, succeeds.
    cfn(&mut s, "DeleteStack", json!({"StackName": "MyKMSKeyStack"})).unwrap();
    // The name can be used again.
    create(&mut s);
}

#[test]
fn validate_template_answers_parameters_and_description() {
    let mut s = Sandbox::in_memory(6);
    let v = cfn(
        &mut s,
        "ValidateTemplate",
        json!({"TemplateBody": TEMPLATE}),
    )
    .unwrap();
    assert_eq!(
        v["Description"],
        "A customer managed KMS key with rotation and an alias (the seed's hands-on)"
    );
    let p = v["Parameters"].as_array().unwrap();
    assert_eq!(p.len(), 3);
    assert!(p.contains(
        &json!({"ParameterKey": "KeyDescription", "DefaultValue": "Key created with CloudFormation",
        "NoEcho": false, "Description": "The description of the KMS key"})
    ));
    for (body, message) in [
        ("Resources: {}", "Template format error: At least one Resources member must be defined."),
        ("Resources:\n  B:\n    Type: AWS::S3::Bucket\n", "Template format error: Unrecognized resource types: [AWS::S3::Bucket]"),
        ("Resources:\n  A:\n    Type: AWS::KMS::Alias\n    Properties:\n      AliasName: alias/x\n      TargetKeyId: !Ref Missing\n",
         "Template format error: Unresolved resource dependencies [Missing] in the Resources block of the template"),
        ("Resources:\n  A:\n    Type: AWS::KMS::Key\n    DependsOn: B\n  B:\n    Type: AWS::KMS::Key\n    DependsOn: A\n",
         "Circular dependency between resources: [A, B]"),
    ] {
        let e = cfn(&mut s, "ValidateTemplate", json!({"TemplateBody": body})).unwrap_err();
        assert_eq!((e.error_type.as_str(), e.message.as_str()), ("ValidationError", message), "{body}");
    }
    let e = cfn(
        &mut s,
        "ValidateTemplate",
        json!({"TemplateBody": "Resources: [unclosed"}),
    )
    .unwrap_err();
    assert!(
        e.message
            .starts_with("Template format error: YAML not well-formed."),
        "{}",
        e.message
    );
}

#[test]
fn parameter_and_stack_errors() {
    let mut s = Sandbox::in_memory(7);
    let t = "Parameters:\n  Need:\n    Type: String\n  Env:\n    Type: String\n    AllowedValues: [a, b]\n    Default: a\nResources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: !Ref Need\n";
    for (params, message) in [
        (json!([]), "Parameters: [Need] must have values"),
        (
            json!([{"ParameterKey": "Need", "ParameterValue": "x"}, {"ParameterKey": "Nope", "ParameterValue": "x"}]),
            "Parameters: [Nope] do not exist in the template",
        ),
        (
            json!([{"ParameterKey": "Need", "ParameterValue": "x"}, {"ParameterKey": "Env", "ParameterValue": "c"}]),
            "Parameter 'Env' must be one of AllowedValues",
        ),
    ] {
        let e = cfn(
            &mut s,
            "CreateStack",
            json!({"StackName": "p", "TemplateBody": t, "Parameters": params}),
        )
        .unwrap_err();
        assert_eq!(
            (e.error_type.as_str(), e.message.as_str()),
            ("ValidationError", message)
        );
    }
    // Each operation words a stack it does not find its own way (AWS's answers, as users quote
    // them); a deleted stack asked by name is not found either.
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "gone", "TemplateBody": t, "Parameters": [{"ParameterKey": "Need", "ParameterValue": "x"}]}),
    )
    .unwrap();
    cfn(&mut s, "DeleteStack", json!({"StackName": "gone"})).unwrap();
    for name in ["nope", "gone"] {
        for (op, request, message) in [
            (
                "DescribeStacks",
                json!({}),
                "Stack with id {} does not exist",
            ),
            (
                "DescribeStackResources",
                json!({}),
                "Stack with id {} does not exist",
            ),
            (
                "ListStackResources",
                json!({}),
                "Stack with id {} does not exist",
            ),
            ("GetTemplate", json!({}), "Stack with id {} does not exist"),
            (
                "DescribeStackEvents",
                json!({}),
                "Stack [{}] does not exist",
            ),
            (
                "UpdateStack",
                json!({"UsePreviousTemplate": true}),
                "Stack [{}] does not exist",
            ),
            (
                "DescribeStackResource",
                json!({"LogicalResourceId": "K"}),
                "Stack '{}' does not exist",
            ),
        ] {
            let mut request = request;
            request["StackName"] = json!(name);
            let e = cfn(&mut s, op, request).unwrap_err();
            assert_eq!(
                (e.error_type.as_str(), e.message.as_str()),
                ("ValidationError", message.replace("{}", name).as_str()),
                "{op}"
            );
        }
    }
    let e = cfn(
        &mut s,
        "DescribeStackResources",
        json!({"PhysicalResourceId": "nope"}),
    )
    .unwrap_err();
    assert_eq!(e.message, "Stack for nope does not exist");
    // Deleting a stack that does not exist succeeds.
    cfn(&mut s, "DeleteStack", json!({"StackName": "nope"})).unwrap();
    let e = cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "1bad", "TemplateBody": t}),
    )
    .unwrap_err();
    assert!(
        e.message.contains("failed to satisfy constraint"),
        "{}",
        e.message
    );
    let e = cfn(&mut s, "CreateStack", json!({"TemplateBody": t})).unwrap_err();
    assert_eq!(e.error_type.as_str(), "ValidationError");
}

#[test]
fn access_control_applies_to_the_stack_s_kms_calls() {
    let mut s = Sandbox::in_memory(8);
    // A user with no KMS permission: the key's CreateKey is denied, the stack rolls back.
    s.call_service(Service::Iam, "CreateUser", json!({"UserName": "nobody"}))
        .unwrap();
    s.caller = s
        .engine
        .caller_for_principal("arn:aws:iam::111122223333:user/nobody", None)
        .unwrap();
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "denied", "TemplateBody": TEMPLATE, "Parameters": params()}),
    )
    .unwrap();
    let st = stack(&mut s, "denied");
    assert_eq!(st["StackStatus"], "ROLLBACK_COMPLETE");
    let events = cfn(
        &mut s,
        "DescribeStackEvents",
        json!({"StackName": "denied"}),
    )
    .unwrap();
    let failed = events["StackEvents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ResourceStatus"] == "CREATE_FAILED")
        .unwrap();
    assert!(failed["ResourceStatusReason"]
        .as_str()
        .unwrap()
        .contains("HandlerErrorCode: AccessDenied"));
}

#[test]
fn a_replica_key_stack_replicates_a_multi_region_primary() {
    let mut s = Sandbox::in_memory(9);
    let primary = s.call("CreateKey", json!({"MultiRegion": true})).unwrap()["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    s.region = "us-west-2".into();
    let t = r#"{
      "Parameters": {"Primary": {"Type": "String"}},
      "Resources": {"Replica": {"Type": "AWS::KMS::ReplicaKey", "Properties": {
        "PrimaryKeyArn": {"Ref": "Primary"}, "Description": "replica", "Enabled": false,
        "KeyPolicy": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
          "Principal": {"AWS": {"Fn::Sub": "arn:aws:iam::${AWS::AccountId}:root"}}, "Action": "kms:*", "Resource": "*"}]}}}},
      "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Replica", "Arn"]}}}}"#;
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "replica", "TemplateBody": t,
        "Parameters": [{"ParameterKey": "Primary", "ParameterValue": primary}]}),
    )
    .unwrap();
    let st = stack(&mut s, "replica");
    assert_eq!(st["StackStatus"], "CREATE_COMPLETE");
    let arn = output(&st, "Arn");
    assert_eq!(arn, primary.replace("ap-southeast-2", "us-west-2"));
    let meta = s.call("DescribeKey", json!({"KeyId": arn})).unwrap()["KeyMetadata"].clone();
    assert_eq!(
        meta["MultiRegionConfiguration"]["MultiRegionKeyType"],
        "REPLICA"
    );
    assert_eq!(meta["Enabled"], false);
    cfn(&mut s, "DeleteStack", json!({"StackName": "replica"})).unwrap();
    let meta = s.call("DescribeKey", json!({"KeyId": arn})).unwrap()["KeyMetadata"].clone();
    assert_eq!(meta["KeyState"], "PendingDeletion");
}

/// A resource and an output with a `Condition` exist only while it holds: made by an update
/// that makes it true, and removed by one that makes it false.
#[test]
fn a_resource_with_a_condition_exists_only_while_it_holds() {
    let template = r#"
Parameters:
  Environment:
    Type: String
    AllowedValues: [dev, prod]
Conditions:
  IsProd: !Equals [!Ref Environment, prod]
Resources:
  Key:
    Type: AWS::KMS::Key
  ProdAlias:
    Type: AWS::KMS::Alias
    Condition: IsProd
    Properties:
      AliasName: alias/prod-app
      TargetKeyId: !Ref Key
Outputs:
  KeyId:
    Value: !Ref Key
  AliasName:
    Condition: IsProd
    Value: !Ref ProdAlias
"#;
    let mut s = Sandbox::in_memory(7);
    let env = |v: &str| json!([{"ParameterKey": "Environment", "ParameterValue": v}]);
    let aliases = |s: &mut Sandbox| -> Vec<String> {
        s.call("ListAliases", json!({})).unwrap()["Aliases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["AliasName"].as_str().unwrap().to_string())
            .collect()
    };
    let resources = |s: &mut Sandbox| -> Vec<String> {
        let out = cfn(s, "DescribeStackResources", json!({"StackName": "cond"})).unwrap();
        out["StackResources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["LogicalResourceId"].as_str().unwrap().to_string())
            .collect()
    };
    let outputs = |st: &Value| -> Vec<String> {
        st["Outputs"]
            .as_array()
            .map(|o| {
                o.iter()
                    .map(|o| o["OutputKey"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };

    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "cond", "TemplateBody": template, "Parameters": env("dev")}),
    )
    .unwrap();
    let st = stack(&mut s, "cond");
    assert_eq!(st["StackStatus"], "CREATE_COMPLETE");
    assert_eq!(resources(&mut s), ["Key"]);
    assert_eq!(outputs(&st), ["KeyId"]);
    assert!(!aliases(&mut s).contains(&"alias/prod-app".to_string()));

    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "cond", "TemplateBody": template, "Parameters": env("prod")}),
    )
    .unwrap();
    let st = stack(&mut s, "cond");
    assert_eq!(st["StackStatus"], "UPDATE_COMPLETE");
    let mut made = resources(&mut s);
    made.sort();
    assert_eq!(made, ["Key", "ProdAlias"]);
    let mut shown = outputs(&st);
    shown.sort();
    assert_eq!(shown, ["AliasName", "KeyId"]);
    assert!(aliases(&mut s).contains(&"alias/prod-app".to_string()));

    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "cond", "TemplateBody": template, "Parameters": env("dev")}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "cond")["StackStatus"], "UPDATE_COMPLETE");
    assert_eq!(resources(&mut s), ["Key"]);
    assert!(!aliases(&mut s).contains(&"alias/prod-app".to_string()));
}

#[test]
fn stack_tags_retain_on_update_and_the_checks_before_any_resource() {
    let mut s = Sandbox::in_memory(9);
    let two_keys = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Tags:\n        - Key: team\n          Value: own\n  Kept:\n    Type: AWS::KMS::Key\n    DeletionPolicy: Retain\nOutputs:\n  K:\n    Value: !Ref K\n  Kept:\n    Value: !Ref Kept\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "tags", "TemplateBody": two_keys,
            "Tags": [{"Key": "team", "Value": "stack"}, {"Key": "cost", "Value": "a"}]}),
    )
    .unwrap();
    let st = stack(&mut s, "tags");
    let (k, kept) = (output(&st, "K"), output(&st, "Kept"));
    let tag = |s: &mut Sandbox, key: &str, name: &str| -> Option<String> {
        s.call("ListResourceTags", json!({"KeyId": key})).unwrap()["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["TagKey"] == name)
            .map(|t| t["TagValue"].as_str().unwrap().to_string())
    };
    // The stack's tags reach its keys; a resource's own tag of the same key wins.
    assert_eq!(tag(&mut s, &k, "cost").as_deref(), Some("a"));
    assert_eq!(tag(&mut s, &k, "team").as_deref(), Some("own"));
    assert_eq!(tag(&mut s, &kept, "team").as_deref(), Some("stack"));

    // New stack tags follow; the resource that leaves the template with DeletionPolicy Retain
    // is skipped, not deleted.
    let one_key = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Tags:\n        - Key: team\n          Value: own\n";
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "tags", "TemplateBody": one_key,
            "Tags": [{"Key": "cost", "Value": "b"}]}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "tags")["StackStatus"], "UPDATE_COMPLETE");
    assert_eq!(tag(&mut s, &k, "cost").as_deref(), Some("b"));
    assert_eq!(tag(&mut s, &k, "team").as_deref(), Some("own"));
    let kept_meta = s.call("DescribeKey", json!({"KeyId": kept})).unwrap();
    assert_eq!(kept_meta["KeyMetadata"]["KeyState"], "Enabled");
    assert!(statuses(&mut s, "tags")
        .iter()
        .any(|e| e.contains("DELETE_SKIPPED")));

    // The resource schema's ranges are checked before the key is made.
    let short = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      PendingWindowInDays: 3\n";
    let keys = s.call("ListKeys", json!({})).unwrap()["Keys"]
        .as_array()
        .unwrap()
        .len();
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "short", "TemplateBody": short}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "short")["StackStatus"], "ROLLBACK_COMPLETE");
    assert_eq!(
        s.call("ListKeys", json!({})).unwrap()["Keys"]
            .as_array()
            .unwrap()
            .len(),
        keys
    );

    // Members the model allows one of.
    for req in [
        json!({"StackName": "x", "TemplateBody": one_key, "OnFailure": "DELETE", "DisableRollback": true}),
        json!({"StackName": "x", "TemplateBody": one_key, "TemplateURL": "https://example.com/t.yaml"}),
    ] {
        let e = cfn(&mut s, "CreateStack", req).unwrap_err();
        assert_eq!(e.error_type.as_str(), "ValidationError", "{e}");
    }
    let e = cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "tags", "TemplateBody": one_key, "UsePreviousTemplate": true}),
    )
    .unwrap_err();
    assert_eq!(e.error_type.as_str(), "ValidationError", "{e}");
}

#[test]
fn template_errors_found_before_anything_is_made() {
    let mut s = Sandbox::in_memory(10);
    let keys = |s: &mut Sandbox| s.call("ListKeys", json!({})).unwrap()["Keys"].clone();
    let before = keys(&mut s);
    for (template, message) in [
        (
            "Resources:\n  My-Key:\n    Type: AWS::KMS::Key\n",
            "Template format error: Resource name My-Key is non alphanumeric.",
        ),
        (
            "Resources:\n  K:\n    Type: AWS::KMS::Key\nOutputs:\n  O:\n    Description: no value\n",
            "Template format error: Every Outputs member must contain a Value object",
        ),
        (
            "Resources:\n  K:\n    Type: AWS::KMS::Key\nOutputs:\n  O:\n    Value: !GetAtt K.Nope\n",
            "Template error: resource K does not support attribute type Nope in Fn::GetAtt",
        ),
        (
            "Resources:\n  K:\n    Type: AWS::KMS::Key\n  A:\n    Type: AWS::KMS::Alias\n    Properties:\n      AliasName: alias/a\n      TargetKeyId: !Ref K\nOutputs:\n  O:\n    Value: !GetAtt [A, Arn]\n",
            "Template error: resource A does not support attribute type Arn in Fn::GetAtt",
        ),
    ] {
        let e = cfn(
            &mut s,
            "CreateStack",
            json!({"StackName": "bad", "TemplateBody": template}),
        )
        .unwrap_err();
        assert_eq!(
            (e.error_type.as_str(), e.message.as_str()),
            ("ValidationError", message)
        );
    }
    assert_eq!(keys(&mut s), before, "nothing was made");
}

#[test]
fn retain_resources_finishes_a_deletion_that_failed() {
    let mut s = Sandbox::in_memory(12);
    // The key's policy denies its deletion to everyone: DeleteStack fails at it.
    let template = r#"{"Resources": {"K": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {
        "Version": "2012-10-17", "Statement": [
          {"Sid": "root", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:*", "Resource": "*"},
          {"Sid": "keep", "Effect": "Deny", "Principal": "*", "Action": "kms:ScheduleKeyDeletion", "Resource": "*"}]}}}}}"#;
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "stuck", "TemplateBody": template}),
    )
    .unwrap();
    // Not while the stack's deletion has not failed.
    let e = cfn(
        &mut s,
        "DeleteStack",
        json!({"StackName": "stuck", "RetainResources": ["K"]}),
    )
    .unwrap_err();
    assert_eq!(e.error_type.as_str(), "ValidationError", "{e}");
    cfn(&mut s, "DeleteStack", json!({"StackName": "stuck"})).unwrap();
    assert_eq!(stack(&mut s, "stuck")["StackStatus"], "DELETE_FAILED");
    let id = stack(&mut s, "stuck")["StackId"]
        .as_str()
        .unwrap()
        .to_string();
    cfn(
        &mut s,
        "DeleteStack",
        json!({"StackName": "stuck", "RetainResources": ["K"]}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, &id)["StackStatus"], "DELETE_COMPLETE");
    assert!(statuses(&mut s, &id)
        .iter()
        .any(|e| e == "K DELETE_SKIPPED"));
}

#[test]
fn a_metadata_change_is_an_update() {
    let mut s = Sandbox::in_memory(13);
    let with = |v: &str| {
        format!("Resources:\n  K:\n    Type: AWS::KMS::Key\n    Metadata:\n      Version: '{v}'\n")
    };
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "meta", "TemplateBody": with("1")}),
    )
    .unwrap();
    let e = cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "meta", "TemplateBody": with("1")}),
    )
    .unwrap_err();
    assert_eq!(e.message, "No updates are to be performed.");
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "meta", "TemplateBody": with("2")}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "meta")["StackStatus"], "UPDATE_COMPLETE");
}

#[test]
fn an_export_name_is_one_stack_s() {
    let mut s = Sandbox::in_memory(14);
    let template = "Resources:\n  K:\n    Type: AWS::KMS::Key\nOutputs:\n  Arn:\n    Value: !GetAtt K.Arn\n    Export:\n      Name: shared\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "first", "TemplateBody": template}),
    )
    .unwrap();
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "second", "TemplateBody": template}),
    )
    .unwrap();
    let second = stack(&mut s, "second");
    assert_eq!(second["StackStatus"], "ROLLBACK_COMPLETE");
    let events = cfn(
        &mut s,
        "DescribeStackEvents",
        json!({"StackName": "second"}),
    )
    .unwrap();
    assert!(events["StackEvents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["ResourceStatusReason"].as_str().is_some_and(
            |r| r == "Export with name shared is already exported by stack first. Rollback requested by user."
        )));
    // Once the first is gone, the name is free.
    cfn(&mut s, "DeleteStack", json!({"StackName": "first"})).unwrap();
    cfn(&mut s, "DeleteStack", json!({"StackName": "second"})).unwrap();
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "third", "TemplateBody": template}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "third")["StackStatus"], "CREATE_COMPLETE");
}

#[test]
fn an_output_of_a_resource_the_conditions_leave_out_is_a_template_error() {
    let mut s = Sandbox::in_memory(15);
    let template = |output_condition: &str| {
        format!("Parameters:\n  Env:\n    Type: String\n    Default: dev\nConditions:\n  IsProd: !Equals [!Ref Env, prod]\nResources:\n  K:\n    Type: AWS::KMS::Key\n  K2:\n    Type: AWS::KMS::Key\n    Condition: IsProd\nOutputs:\n  O:\n{output_condition}    Value: !Ref K2\n  P:\n    Value: !If [IsProd, !Ref K2, !Ref K]\n")
    };
    let e = cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "c1", "TemplateBody": template("")}),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Template format error: Unresolved resource dependencies [K2] in the Outputs block of the template"
    );
    // An output under the same condition, and a reference inside Fn::If, are fine.
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "c2", "TemplateBody": template("    Condition: IsProd\n")}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "c2")["StackStatus"], "CREATE_COMPLETE");

    // Fn::Select names the index it could not find.
    let select = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: !Select [5, [a, b]]\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "c3", "TemplateBody": select}),
    )
    .unwrap();
    let events = cfn(&mut s, "DescribeStackEvents", json!({"StackName": "c3"})).unwrap();
    assert!(events["StackEvents"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["ResourceStatusReason"]
            .as_str()
            .is_some_and(|r| r.contains("nonexistent value at index 5"))));
}

#[test]
fn a_failed_update_leaves_nothing_of_itself_behind() {
    let mut s = Sandbox::in_memory(16);
    let hmac = |extra: &str| {
        format!("Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      KeySpec: HMAC_256\n      KeyUsage: GENERATE_VERIFY_MAC\n{extra}Outputs:\n  Id:\n    Value: !Ref K\n")
    };
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "h", "TemplateBody": hmac("      Description: one\n")}),
    )
    .unwrap();
    let id = output(&stack(&mut s, "h"), "Id");
    // The handler refuses rotation on an HMAC key before it changes anything.
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "h", "TemplateBody": hmac("      Description: three\n      EnableKeyRotation: true\n")}),
    )
    .unwrap();
    assert_eq!(
        stack(&mut s, "h")["StackStatus"],
        "UPDATE_ROLLBACK_COMPLETE"
    );
    let meta = s.call("DescribeKey", json!({"KeyId": id})).unwrap();
    assert_eq!(meta["KeyMetadata"]["Description"], "one");
}

fn reasons(s: &mut Sandbox, name: &str) -> Vec<String> {
    cfn(s, "DescribeStackEvents", json!({"StackName": name})).unwrap()["StackEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["ResourceStatusReason"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn mappings_answer_fn_find_in_map() {
    let mut s = Sandbox::in_memory(21);
    let template = r#"
Parameters:
  Env:
    Type: String
    Default: prod
Mappings:
  Settings:
    prod:
      Rotation: 90
      Window: 7
    dev:
      Rotation: 365
      Window: 30
Resources:
  K:
    Type: AWS::KMS::Key
    Properties:
      EnableKeyRotation: true
      RotationPeriodInDays: !FindInMap [Settings, !Ref Env, Rotation]
      Description: !Sub
        - "window ${W}"
        - W: !FindInMap [Settings, !Ref Env, Window]
Outputs:
  Id:
    Value: !Ref K
"#;
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "mapped", "TemplateBody": template}),
    )
    .unwrap();
    let st = stack(&mut s, "mapped");
    assert_eq!(st["StackStatus"], "CREATE_COMPLETE");
    let key_id = output(&st, "Id");
    let rotation = s
        .call("GetKeyRotationStatus", json!({"KeyId": key_id}))
        .unwrap();
    assert_eq!(rotation["RotationPeriodInDays"], 90);
    let key = s.call("DescribeKey", json!({"KeyId": key_id})).unwrap();
    assert_eq!(key["KeyMetadata"]["Description"], "window 7");

    // A key the map does not have fails the resource, with CloudFormation's reason.
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "unmapped", "TemplateBody": template,
               "Parameters": [{"ParameterKey": "Env", "ParameterValue": "test"}]}),
    )
    .unwrap();
    assert_eq!(
        stack(&mut s, "unmapped")["StackStatus"],
        "ROLLBACK_COMPLETE"
    );
    assert!(reasons(&mut s, "unmapped")
        .iter()
        .any(|r| r.contains("Template error: Unable to get mapping for Settings::test::Window")));

    // A mapping that is not a map of maps is a template error.
    let bad = "Mappings:\n  M:\n    a: 1\nResources:\n  K:\n    Type: AWS::KMS::Key\n";
    let err = cfn(&mut s, "ValidateTemplate", json!({"TemplateBody": bad})).unwrap_err();
    assert_eq!(err.error_type.as_str(), "ValidationError");
    assert_eq!(
        err.message,
        "Template format error: [/Mappings/M] Every Mappings attribute must be a String or a List."
    );
}

const EXPORTER: &str = "Resources:\n  K:\n    Type: AWS::KMS::Key\nOutputs:\n  Arn:\n    Value: !GetAtt K.Arn\n    Export:\n      Name: shared-key-arn\n";

fn importer(extra: &str) -> String {
    format!("Resources:\n  A:\n    Type: AWS::KMS::Alias\n    Properties:\n      AliasName: alias/imported{extra}\n      TargetKeyId: !ImportValue shared-key-arn\n")
}

#[test]
fn import_value_reads_another_stack_s_export_and_holds_it() {
    let mut s = Sandbox::in_memory(22);
    // Nothing exports the name yet: the stack fails before it makes anything.
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "early", "TemplateBody": importer("")}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "early")["StackStatus"], "ROLLBACK_COMPLETE");
    assert_eq!(
        stack(&mut s, "early")["StackStatusReason"],
        json!(null),
        "ROLLBACK_COMPLETE carries no reason of its own"
    );
    assert!(reasons(&mut s, "early")
        .contains(&"No export named shared-key-arn found. Rollback requested by user.".into()));
    assert_eq!(
        cfn(&mut s, "ListStackResources", json!({"StackName": "early"})).unwrap()
            ["StackResourceSummaries"],
        json!([])
    );
    cfn(&mut s, "DeleteStack", json!({"StackName": "early"})).unwrap();

    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "exporter", "TemplateBody": EXPORTER}),
    )
    .unwrap();
    let arn = output(&stack(&mut s, "exporter"), "Arn");
    let exports = cfn(&mut s, "ListExports", json!({})).unwrap();
    assert_eq!(
        exports["Exports"],
        json!([{"ExportingStackId": stack(&mut s, "exporter")["StackId"], "Name": "shared-key-arn", "Value": arn}])
    );
    let err = cfn(
        &mut s,
        "ListImports",
        json!({"ExportName": "shared-key-arn"}),
    )
    .unwrap_err();
    assert_eq!(err.error_type.as_str(), "ValidationError");
    assert_eq!(
        err.message,
        "Export 'shared-key-arn' is not imported by any stack."
    );

    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "importer", "TemplateBody": importer("")}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "importer")["StackStatus"], "CREATE_COMPLETE");
    let alias = s.call("ListAliases", json!({})).unwrap()["Aliases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["AliasName"] == "alias/imported")
        .cloned()
        .unwrap();
    assert!(arn.ends_with(alias["TargetKeyId"].as_str().unwrap()));
    assert_eq!(
        cfn(
            &mut s,
            "ListImports",
            json!({"ExportName": "shared-key-arn"})
        )
        .unwrap(),
        json!({"Imports": ["importer"]})
    );

    // While it is imported the export can be neither deleted nor dropped by an update.
    cfn(&mut s, "DeleteStack", json!({"StackName": "exporter"})).unwrap();
    let st = stack(&mut s, "exporter");
    assert_eq!(st["StackStatus"], "DELETE_FAILED");
    assert_eq!(
        st["StackStatusReason"],
        "Cannot delete export shared-key-arn as it is in use by importer"
    );
    let key_id = arn.rsplit('/').next().unwrap();
    let key = s.call("DescribeKey", json!({"KeyId": key_id})).unwrap();
    assert_eq!(key["KeyMetadata"]["KeyState"], "Enabled");
    // DELETE_FAILED cannot be updated; a fresh exporter shows the update refused.
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "exporter2", "TemplateBody": EXPORTER.replace("shared-key-arn", "second-arn")}),
    )
    .unwrap();
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "importer2", "TemplateBody": importer("2").replace("shared-key-arn", "second-arn")}),
    )
    .unwrap();
    let dropped = "Resources:\n  K:\n    Type: AWS::KMS::Key\n";
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "exporter2", "TemplateBody": dropped}),
    )
    .unwrap();
    assert_eq!(
        stack(&mut s, "exporter2")["StackStatus"],
        "UPDATE_ROLLBACK_COMPLETE"
    );
    assert!(reasons(&mut s, "exporter2")
        .contains(&"Export second-arn cannot be deleted as it is in use by importer2".into()));
    assert_eq!(
        output(&stack(&mut s, "exporter2"), "Arn").len(),
        arn.len(),
        "the export is kept"
    );

    // Once the importer is gone, the exporter goes.
    cfn(&mut s, "DeleteStack", json!({"StackName": "importer"})).unwrap();
    cfn(&mut s, "DeleteStack", json!({"StackName": "exporter"})).unwrap();
    let deleted = cfn(
        &mut s,
        "ListStacks",
        json!({"StackStatusFilter": ["DELETE_COMPLETE"]}),
    )
    .unwrap();
    let names: Vec<&str> = deleted["StackSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["StackName"].as_str().unwrap())
        .collect();
    // All made at the same sandbox time: by name.
    assert_eq!(names, ["early", "exporter", "importer"]);
}

#[test]
fn list_and_summary_operations() {
    let mut s = Sandbox::in_memory(23);
    let stack_id = create(&mut s);
    s.advance_days(1);
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "other", "TemplateBody": EXPORTER}),
    )
    .unwrap();
    let all = cfn(&mut s, "ListStacks", json!({})).unwrap();
    let summaries = all["StackSummaries"].as_array().unwrap();
    assert_eq!(summaries.len(), 2);
    assert_eq!(summaries[0]["StackName"], "other", "newest first");
    assert_eq!(summaries[1]["StackId"], stack_id.as_str());
    assert_eq!(summaries[1]["StackStatus"], "CREATE_COMPLETE");
    assert_eq!(
        summaries[1]["TemplateDescription"],
        "A customer managed KMS key with rotation and an alias (the seed's hands-on)"
    );
    assert_eq!(
        summaries[1]["DriftInformation"],
        json!({"StackDriftStatus": "NOT_CHECKED"})
    );
    assert!(summaries[1].get("DeletionTime").is_none());

    let resources = cfn(
        &mut s,
        "ListStackResources",
        json!({"StackName": "MyKMSKeyStack"}),
    )
    .unwrap();
    let list = resources["StackResourceSummaries"].as_array().unwrap();
    let logical: Vec<&str> = list
        .iter()
        .map(|r| r["LogicalResourceId"].as_str().unwrap())
        .collect();
    assert_eq!(logical, ["MyKMSKey", "MyKMSKeyAlias"]);
    assert_eq!(list[0]["ResourceStatus"], "CREATE_COMPLETE");
    let key_id = list[0]["PhysicalResourceId"].as_str().unwrap().to_string();
    assert!(s.call("DescribeKey", json!({"KeyId": key_id})).is_ok());

    let one = cfn(
        &mut s,
        "DescribeStackResource",
        json!({"StackName": "MyKMSKeyStack", "LogicalResourceId": "MyKMSKey"}),
    )
    .unwrap();
    assert_eq!(
        one["StackResourceDetail"]["PhysicalResourceId"],
        key_id.as_str()
    );
    assert_eq!(one["StackResourceDetail"]["ResourceType"], "AWS::KMS::Key");
    assert_eq!(one["StackResourceDetail"]["StackId"], stack_id.as_str());
    let err = cfn(
        &mut s,
        "DescribeStackResource",
        json!({"StackName": "MyKMSKeyStack", "LogicalResourceId": "Nope"}),
    )
    .unwrap_err();
    assert_eq!(err.error_type.as_str(), "ValidationError");
    assert_eq!(
        err.message,
        "Resource Nope does not exist for stack MyKMSKeyStack"
    );
    let err = cfn(&mut s, "ListStackResources", json!({"StackName": "nope"})).unwrap_err();
    assert_eq!(err.message, "Stack with id nope does not exist");

    // The summary of a template given, and of a stack's.
    for req in [
        json!({"TemplateBody": TEMPLATE}),
        json!({"StackName": "MyKMSKeyStack"}),
    ] {
        let summary = cfn(&mut s, "GetTemplateSummary", req).unwrap();
        assert_eq!(
            summary["ResourceTypes"],
            json!(["AWS::KMS::Key", "AWS::KMS::Alias"])
        );
        assert_eq!(summary["Version"], "2010-09-09");
        let env = summary["Parameters"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["ParameterKey"] == "Environment")
            .unwrap()
            .clone();
        assert_eq!(
            env,
            json!({"ParameterKey": "Environment", "DefaultValue": "dev", "ParameterType": "String",
                   "NoEcho": false, "ParameterConstraints": {"AllowedValues": ["dev", "prod"]}})
        );
        assert_eq!(
            summary["ResourceIdentifierSummaries"][1],
            json!({"ResourceType": "AWS::KMS::Alias", "LogicalResourceIds": ["MyKMSKeyAlias"],
                   "ResourceIdentifiers": ["AliasName"]})
        );
    }
}

#[test]
fn termination_protection_refuses_delete_stack_until_turned_off() {
    let mut s = Sandbox::in_memory(24);
    let template = "Resources:\n  K:\n    Type: AWS::KMS::Key\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "prot", "TemplateBody": template, "EnableTerminationProtection": true}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "prot")["EnableTerminationProtection"], true);
    let err = cfn(&mut s, "DeleteStack", json!({"StackName": "prot"})).unwrap_err();
    assert_eq!(
        (err.error_type.as_str(), err.message.as_str()),
        (
            "ValidationError",
            "Stack [prot] cannot be deleted while TerminationProtection is enabled"
        )
    );
    assert_eq!(stack(&mut s, "prot")["StackStatus"], "CREATE_COMPLETE");
    let key_id = cfn(&mut s, "ListStackResources", json!({"StackName": "prot"})).unwrap()
        ["StackResourceSummaries"][0]["PhysicalResourceId"]
        .as_str()
        .unwrap()
        .to_string();
    let key = s.call("DescribeKey", json!({"KeyId": key_id})).unwrap();
    assert_eq!(key["KeyMetadata"]["KeyState"], "Enabled");

    let out = cfn(
        &mut s,
        "UpdateTerminationProtection",
        json!({"StackName": "prot", "EnableTerminationProtection": false}),
    )
    .unwrap();
    assert_eq!(out["StackId"], stack(&mut s, "prot")["StackId"]);
    assert_eq!(stack(&mut s, "prot")["EnableTerminationProtection"], false);
    cfn(&mut s, "DeleteStack", json!({"StackName": "prot"})).unwrap();
    let err = cfn(
        &mut s,
        "UpdateTerminationProtection",
        json!({"StackName": "prot", "EnableTerminationProtection": true}),
    )
    .unwrap_err();
    assert_eq!(err.message, "Stack with id prot does not exist");
}

#[test]
fn every_event_of_an_operation_carries_its_client_request_token() {
    let mut s = Sandbox::in_memory(25);
    let template = "Resources:\n  K:\n    Type: AWS::KMS::Key\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "tok", "TemplateBody": template, "ClientRequestToken": "create-1"}),
    )
    .unwrap();
    let with_alias = format!("{template}  A:\n    Type: AWS::KMS::Alias\n    Properties:\n      AliasName: alias/tok\n      TargetKeyId: !Ref K\n");
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "tok", "TemplateBody": with_alias, "ClientRequestToken": "update-1"}),
    )
    .unwrap();
    let events = cfn(&mut s, "DescribeStackEvents", json!({"StackName": "tok"})).unwrap();
    let tokens: Vec<(String, Option<String>)> = events["StackEvents"]
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .map(|e| {
            (
                format!(
                    "{} {}",
                    e["LogicalResourceId"].as_str().unwrap(),
                    e["ResourceStatus"].as_str().unwrap()
                ),
                e.get("ClientRequestToken")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            )
        })
        .collect();
    let create: Vec<_> = tokens
        .iter()
        .filter(|(_, t)| t.as_deref() == Some("create-1"))
        .collect();
    let update: Vec<_> = tokens
        .iter()
        .filter(|(_, t)| t.as_deref() == Some("update-1"))
        .collect();
    assert_eq!(create.len() + update.len(), tokens.len(), "{tokens:?}");
    assert_eq!(create.first().unwrap().0, "tok CREATE_IN_PROGRESS");
    assert_eq!(create.last().unwrap().0, "tok CREATE_COMPLETE");
    assert_eq!(update.first().unwrap().0, "tok UPDATE_IN_PROGRESS");
    assert_eq!(update.last().unwrap().0, "tok UPDATE_COMPLETE");
}

/// CreateStack's (and ValidateTemplate's) answer to a template CloudFormation refuses outright:
/// no stack is made.
fn refused(s: &mut Sandbox, body: &str) -> String {
    let e = cfn(
        s,
        "CreateStack",
        json!({"StackName": "refused", "TemplateBody": body}),
    )
    .unwrap_err();
    assert_eq!(e.error_type.as_str(), "ValidationError", "{body}");
    assert!(
        cfn(s, "DescribeStacks", json!({"StackName": "refused"})).is_err(),
        "no stack is left behind: {body}"
    );
    e.message
}

#[test]
fn templates_cloudformation_refuses_before_making_a_stack() {
    let mut s = Sandbox::in_memory(26);
    let key = "Resources:\n  K:\n    Type: AWS::KMS::Key\n";
    let m = refused(
        &mut s,
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: !Foo x\n",
    );
    assert!(
        m.starts_with("Template Error: Encountered unsupported function: Fn::Foo Supported functions are: [Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join"),
        "{m}"
    );
    assert_eq!(
        refused(&mut s, "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: !If [Nope, a, b]\n"),
        "Template error: unresolved condition dependency Nope in Fn::If"
    );
    assert!(refused(
        &mut s,
        "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: {\"Fn::Join\": x}\n"
    )
    .starts_with("Template error: every Fn::Join object requires two parameters"));
    assert_eq!(
        refused(&mut s, "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: {Ref: [a]}\n"),
        "Template format error: Every Ref object must have a single String value."
    );
    assert_eq!(
        refused(
            &mut s,
            "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Foo: bar\n"
        ),
        "Invalid template resource property 'Foo'"
    );
    assert_eq!(
        refused(
            &mut s,
            &format!("{key}    DependsOn: {{\"Fn::If\": [C, K, K]}}\n")
        ),
        "Template format error: DependsOn must be a string or list of strings."
    );
    assert_eq!(
        refused(&mut s, &format!("Conditions:\n  C: !Equals [!Ref K, x]\n{key}")),
        "Template format error: Unresolved dependencies [K]. Cannot reference resources in the Conditions block of the template"
    );
    // A resource the conditions keep refers to one they leave out (not through Fn::If).
    let conditional = "Conditions:\n  Never: !Equals [a, b]\nResources:\n  K:\n    Type: AWS::KMS::Key\n    Condition: Never\n  A:\n    Type: AWS::KMS::Alias\n    Properties:\n      AliasName: alias/c\n      TargetKeyId: !Ref K\n";
    assert_eq!(
        refused(&mut s, conditional),
        "Template format error: Unresolved resource dependencies [K] in the Resources block of the template"
    );
    // The limits.
    let long = format!("Description: {}\n{key}", "d".repeat(1025));
    assert_eq!(
        refused(&mut s, &long),
        "Template format error: 'Description' length is greater than 1024."
    );
    let many: String = (0..501)
        .map(|i| format!("  K{i}:\n    Type: AWS::KMS::Key\n"))
        .collect();
    assert_eq!(
        refused(&mut s, &format!("Resources:\n{many}")),
        "Template format error: Number of resources, 501, is greater than maximum allowed, 500"
    );
    let big = format!(
        "Description: x\nMetadata:\n  Pad: {}\n{key}",
        "p".repeat(51_200)
    );
    let m = refused(&mut s, &big);
    assert!(
        m.starts_with("1 validation error detected: Value '"),
        "{}",
        &m[..80]
    );
    assert!(m.ends_with("' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200"));
    // ValidateTemplate says the same.
    let e = cfn(
        &mut s,
        "ValidateTemplate",
        json!({"TemplateBody": conditional.replace("!Ref K", "!Foo K")}),
    )
    .unwrap_err();
    assert!(e
        .message
        .starts_with("Template Error: Encountered unsupported function: Fn::Foo"));
}

#[test]
fn property_types_are_checked_as_the_resource_schemas_say() {
    let mut s = Sandbox::in_memory(27);
    let body = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Enabled: notabool\n      Description: {a: 1}\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "typed", "TemplateBody": body}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "typed")["StackStatus"], "ROLLBACK_COMPLETE");
    assert!(reasons(&mut s, "typed").contains(
        &"Properties validation failed for resource K with message: [#/Description: expected type: String, found: JSONObject, #/Enabled: expected type: Boolean, found: String]".to_string()
    ), "{:?}", reasons(&mut s, "typed"));
    assert!(s.call("ListKeys", json!({})).unwrap()["Keys"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| { s_key_state(&mut s, k["KeyId"].as_str().unwrap()) != "Disabled" }));
    // The strings true and false, and numbers for strings, pass as CloudFormation converts them.
    let body = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Enabled: 'false'\n      Description: 42\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "converted", "TemplateBody": body}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "converted")["StackStatus"], "CREATE_COMPLETE");
}

fn s_key_state(s: &mut Sandbox, key_id: &str) -> String {
    s.call("DescribeKey", json!({"KeyId": key_id})).unwrap()["KeyMetadata"]["KeyState"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn get_azs_cidr_timeout_and_use_previous_value() {
    let mut s = Sandbox::in_memory(28);
    let body = "Parameters:\n  D:\n    Type: String\n    Default: one\nResources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: !Ref D\nOutputs:\n  Zones:\n    Value: !Join [',', !GetAZs '']\n  Blocks:\n    Value: !Join [' ', !Cidr ['10.0.0.0/16', 3, 8]]\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "fns", "TemplateBody": body, "TimeoutInMinutes": 15}),
    )
    .unwrap();
    let st = stack(&mut s, "fns");
    assert_eq!(st["StackStatus"], "CREATE_COMPLETE");
    assert_eq!(
        output(&st, "Zones"),
        "ap-southeast-2a,ap-southeast-2b,ap-southeast-2c"
    );
    assert_eq!(output(&st, "Blocks"), "10.0.0.0/24 10.0.1.0/24 10.0.2.0/24");
    assert_eq!(st["TimeoutInMinutes"], 15);
    let e = cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "fns", "UsePreviousTemplate": true,
               "Parameters": [{"ParameterKey": "D", "UsePreviousValue": true, "ParameterValue": "zz"}]}),
    )
    .unwrap_err();
    assert_eq!(
        e.message,
        "Invalid input for parameter key D. Cannot specify usePreviousValue as true and non empty value for a parameter"
    );
}

#[test]
fn a_creation_kept_at_create_failed_resumes_with_an_update_or_rolls_back() {
    let mut s = Sandbox::in_memory(29);
    let bad = "Resources:\n  K:\n    Type: AWS::KMS::Key\n  A:\n    Type: AWS::KMS::Alias\n    Properties:\n      AliasName: alias/aws/nope\n      TargetKeyId: !Ref K\n";
    for name in ["resumed", "rolled"] {
        cfn(
            &mut s,
            "CreateStack",
            json!({"StackName": name, "TemplateBody": bad, "DisableRollback": true}),
        )
        .unwrap();
        assert_eq!(stack(&mut s, name)["StackStatus"], "CREATE_FAILED");
    }
    // The fix-and-update flow: the key made before is kept, the alias is made now.
    let good = bad.replace("alias/aws/nope", "alias/resumed");
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "resumed", "TemplateBody": good}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "resumed")["StackStatus"], "UPDATE_COMPLETE");
    let resources = cfn(
        &mut s,
        "ListStackResources",
        json!({"StackName": "resumed"}),
    )
    .unwrap();
    let list = resources["StackResourceSummaries"].as_array().unwrap();
    assert!(
        list.iter().all(|r| r["ResourceStatus"] != "CREATE_FAILED"),
        "{list:?}"
    );
    let key_id = list.iter().find(|r| r["LogicalResourceId"] == "K").unwrap()["PhysicalResourceId"]
        .as_str()
        .unwrap()
        .to_string();
    let alias = s
        .call("DescribeKey", json!({"KeyId": "alias/resumed"}))
        .unwrap();
    assert_eq!(alias["KeyMetadata"]["KeyId"], key_id.as_str());

    // RollbackStack: what was made goes.
    let kept = cfn(&mut s, "ListStackResources", json!({"StackName": "rolled"})).unwrap()
        ["StackResourceSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["LogicalResourceId"] == "K")
        .unwrap()["PhysicalResourceId"]
        .as_str()
        .unwrap()
        .to_string();
    cfn(&mut s, "RollbackStack", json!({"StackName": "rolled"})).unwrap();
    assert_eq!(stack(&mut s, "rolled")["StackStatus"], "ROLLBACK_COMPLETE");
    let key = s.call("DescribeKey", json!({"KeyId": kept})).unwrap();
    assert_eq!(key["KeyMetadata"]["KeyState"], "PendingDeletion");
    // A stack that rolled back cannot be updated, nor rolled back again.
    let e = cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "rolled", "TemplateBody": good}),
    )
    .unwrap_err();
    assert!(e
        .message
        .ends_with("is in ROLLBACK_COMPLETE state and can not be updated."));
    assert!(cfn(&mut s, "RollbackStack", json!({"StackName": "rolled"})).is_err());
}

#[test]
fn a_create_stack_retried_with_its_token_answers_the_stack() {
    let mut s = Sandbox::in_memory(30);
    let body = "Resources:\n  K:\n    Type: AWS::KMS::Key\n";
    let req = json!({"StackName": "retry", "TemplateBody": body, "ClientRequestToken": "t-1"});
    let first = cfn(&mut s, "CreateStack", req.clone()).unwrap();
    let again = cfn(&mut s, "CreateStack", req).unwrap();
    assert_eq!(first, again);
    // One stack, one key.
    let keys = cfn(&mut s, "ListStackResources", json!({"StackName": "retry"})).unwrap();
    assert_eq!(keys["StackResourceSummaries"].as_array().unwrap().len(), 1);
    // Another token, or none, is another stack of the same name.
    for other in [json!("t-2"), Value::Null] {
        let mut req = json!({"StackName": "retry", "TemplateBody": body});
        if !other.is_null() {
            req["ClientRequestToken"] = other;
        }
        let e = cfn(&mut s, "CreateStack", req).unwrap_err();
        assert_eq!(e.error_type.as_str(), "AlreadyExistsException");
    }
}

#[test]
fn describe_stacks_and_event_ids_as_aws_answers_them() {
    let mut s = Sandbox::in_memory(31);
    create(&mut s);
    let body = "Resources:\n  K:\n    Type: AWS::KMS::Key\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "bare", "TemplateBody": body}),
    )
    .unwrap();
    // RollbackConfiguration is `{}` without rollback triggers; a stack without parameters has no
    // Parameters member.
    let st = stack(&mut s, "bare");
    assert_eq!(st["RollbackConfiguration"], json!({}));
    assert!(st.get("Parameters").is_none(), "{st}");
    let st = stack(&mut s, "MyKMSKeyStack");
    assert_eq!(st["RollbackConfiguration"], json!({}));
    assert_eq!(st["Parameters"].as_array().unwrap().len(), 3);

    // A resource's EventId is `<LogicalResourceId>-<ResourceStatus>-<its time, to the
    // millisecond>` (`MyKMSKey-CREATE_COMPLETE-2025-09-30T14:42:12.572Z`), a stack's a UUID; the
    // events of one operation are a millisecond apart, so the ids are unique.
    let events = cfn(
        &mut s,
        "DescribeStackEvents",
        json!({"StackName": "MyKMSKeyStack"}),
    )
    .unwrap();
    let events = events["StackEvents"].as_array().unwrap();
    let mut ids = std::collections::BTreeSet::new();
    for e in events {
        let id = e["EventId"].as_str().unwrap();
        assert!(ids.insert(id.to_string()), "{id} twice");
        if e["ResourceType"] == "AWS::CloudFormation::Stack" {
            assert_eq!((id.len(), id.matches('-').count()), (36, 4), "{id}");
            continue;
        }
        let ms = (e["Timestamp"].as_f64().unwrap() * 1000.0).round() as i64;
        let prefix =
            format!("{}-{}-", e["LogicalResourceId"], e["ResourceStatus"]).replace('"', "");
        let time = id.strip_prefix(&prefix).unwrap_or_else(|| panic!("{id}"));
        assert!(time.starts_with("2025-01-01T00:00:00."), "{id}");
        assert_eq!(time, format!("2025-01-01T00:00:00.{:03}Z", ms % 1000));
    }
    assert!(events.iter().any(|e| e["EventId"]
        .as_str()
        .unwrap()
        .starts_with("MyKMSKey-CREATE_COMPLETE-2025-01-01T00:00:00.")));
}

/// The reason a stack's one failed resource gives.
fn failure(s: &mut Sandbox, name: &str) -> String {
    let events = cfn(s, "DescribeStackEvents", json!({"StackName": name})).unwrap();
    events["StackEvents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["ResourceStatus"].as_str().unwrap().ends_with("_FAILED"))
        .and_then(|e| e["ResourceStatusReason"].as_str())
        .unwrap()
        .to_string()
}

#[test]
fn resource_schemas_constrain_property_values() {
    let mut s = Sandbox::in_memory(32);
    // The validator hides the value for enum, pattern, minimum and maximum and gives the
    // lengths, all in one bracketed list. Evidence: the Validator tests of
    // aws-cloudformation-resource-schema ("#/EnumProperty: failed validation constraint for
    // keyword [enum]", "[minimum]", "[maximum]", "[pattern]", "#/StringProperty: expected
    // maxLength: 20, actual: 31"), and the stack events users quote, most often as
    // "Properties validation failed for resource X with message: [#/Tags: expected type:
    // JSONArray, found: JSONObject]" or "[#/SamplingRule/RuleName: expected maxLength: 32,
    // actual: 33]", and "#/RetentionInDays: failed validation constraint for keyword [enum]".
    let key = |props: &str| {
        format!("Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n{props}")
    };
    let long = "d".repeat(8193);
    for (props, message) in [
        (
            "      KeyUsage: SIGN\n".to_string(),
            "#/KeyUsage: failed validation constraint for keyword [enum]",
        ),
        (
            format!("      Description: {long}\n      KeySpec: RSA_1024\n      Origin: AWS_CLOUDHSM\n      PendingWindowInDays: 3\n      RotationPeriodInDays: '3000'\n"),
            "#/Description: expected maxLength: 8192, actual: 8193, #/KeySpec: failed validation constraint for keyword [enum], #/Origin: failed validation constraint for keyword [enum], #/PendingWindowInDays: failed validation constraint for keyword [minimum], #/RotationPeriodInDays: failed validation constraint for keyword [maximum]",
        ),
    ] {
        cfn(
            &mut s,
            "CreateStack",
            json!({"StackName": "k", "TemplateBody": key(&props)}),
        )
        .unwrap();
        assert_eq!(stack(&mut s, "k")["StackStatus"], "ROLLBACK_COMPLETE");
        assert_eq!(
            failure(&mut s, "k"),
            format!("Properties validation failed for resource K with message: [{message}]")
        );
        cfn(&mut s, "DeleteStack", json!({"StackName": "k"})).unwrap();
    }
    // No key was made.
    assert!(s.call("ListKeys", json!({})).unwrap()["Keys"]
        .as_array()
        .unwrap()
        .iter()
        .all(|k| s_key_state(&mut s, k["KeyId"].as_str().unwrap()) != "PendingDeletion"));
    // Values the schemas allow pass (KEY_AGREEMENT, the model's key specs).
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "ok", "TemplateBody": key("      KeyUsage: KEY_AGREEMENT\n      KeySpec: ECC_NIST_P256\n      PendingWindowInDays: 30\n      Description: ''\n")}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "ok")["StackStatus"], "CREATE_COMPLETE");

    // AWS::KMS::Alias: AliasName's pattern and lengths; an update is checked too.
    let alias = |name: &str, target: &str| {
        format!("Resources:\n  K:\n    Type: AWS::KMS::Key\n  A:\n    Type: AWS::KMS::Alias\n    Properties:\n      AliasName: '{name}'\n      TargetKeyId: '{target}'\n")
    };
    let long = format!("alias/{}", "a".repeat(251));
    for (name, message) in [
        (
            "my-alias",
            "#/AliasName: failed validation constraint for keyword [pattern]",
        ),
        (
            "alias/a b",
            "#/AliasName: failed validation constraint for keyword [pattern]",
        ),
        (
            long.as_str(),
            "#/AliasName: expected maxLength: 256, actual: 257",
        ),
    ] {
        cfn(
            &mut s,
            "CreateStack",
            json!({"StackName": "a", "TemplateBody": alias(name, "x")}),
        )
        .unwrap();
        assert_eq!(stack(&mut s, "a")["StackStatus"], "ROLLBACK_COMPLETE");
        assert_eq!(
            failure(&mut s, "a"),
            format!("Properties validation failed for resource A with message: [{message}]")
        );
        cfn(&mut s, "DeleteStack", json!({"StackName": "a"})).unwrap();
    }
    let target = s.call("CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "a", "TemplateBody": alias("alias/ok_1/x", &target)}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "a")["StackStatus"], "CREATE_COMPLETE");
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "a", "TemplateBody": alias("alias/ok_1/x", "")}),
    )
    .unwrap();
    assert_eq!(
        stack(&mut s, "a")["StackStatus"],
        "UPDATE_ROLLBACK_COMPLETE"
    );
    assert_eq!(
        failure(&mut s, "a"),
        "Properties validation failed for resource A with message: [#/TargetKeyId: expected minLength: 1, actual: 0]"
    );
}

#[test]
fn a_template_that_is_not_well_formed_says_where() {
    let mut s = Sandbox::in_memory(33);
    // "Template format error: YAML not well-formed. (line 23, column 5)" and "JSON not
    // well-formed. (line 11, column 8)", as CloudFormation answers (quoted in public repositories:
    // tests, a CLI transcript, a troubleshooting guide); lines and columns from 1, where the
    // parser stopped (yaml-rust2's place, which is SnakeYAML's for these, not for every error).
    for (body, message) in [
        (
            "Resources: [unclosed",
            "Template format error: YAML not well-formed. (line 1, column 21)",
        ),
        (
            "Resources:\n  K: [a\n",
            "Template format error: YAML not well-formed. (line 3, column 1)",
        ),
        (
            "{\n  \"Resources\": {\n    \"K\": x\n  }\n}",
            "Template format error: JSON not well-formed. (line 3, column 10)",
        ),
    ] {
        assert_eq!(refused(&mut s, body), message, "{body}");
        let e = cfn(&mut s, "ValidateTemplate", json!({"TemplateBody": body})).unwrap_err();
        assert_eq!(e.message, message);
    }
}

#[test]
fn an_update_whose_new_resource_fails_deletes_the_new_resources_in_the_cleanup() {
    let mut s = Sandbox::in_memory(34);
    let one = "Resources:\n  A:\n    Type: AWS::KMS::Key\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "u", "TemplateBody": one}),
    )
    .unwrap();
    let two = format!("{one}  C:\n    Type: AWS::KMS::Key\n  B:\n    Type: AWS::KMS::Alias\n    DependsOn: C\n    Properties:\n      AliasName: alias/b\n      TargetKeyId: nope\n");
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "u", "TemplateBody": two}),
    )
    .unwrap();
    assert_eq!(
        stack(&mut s, "u")["StackStatus"],
        "UPDATE_ROLLBACK_COMPLETE"
    );
    let all = statuses(&mut s, "u");
    let from = all
        .iter()
        .position(|e| e == "u UPDATE_IN_PROGRESS")
        .unwrap();
    assert_eq!(
        all[from..],
        [
            "u UPDATE_IN_PROGRESS",
            "C CREATE_IN_PROGRESS",
            "C CREATE_IN_PROGRESS",
            "C CREATE_COMPLETE",
            "B CREATE_IN_PROGRESS",
            "B CREATE_FAILED",
            "u UPDATE_ROLLBACK_IN_PROGRESS",
            "u UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
            "B DELETE_IN_PROGRESS",
            "B DELETE_COMPLETE",
            "C DELETE_IN_PROGRESS",
            "C DELETE_COMPLETE",
            "u UPDATE_ROLLBACK_COMPLETE",
        ]
    );
    assert!(reasons(&mut s, "u")
        .contains(&"The following resource(s) failed to create: [B]. ".to_string()));
    // C's key is scheduled for deletion; the stack is back to A alone.
    let res = cfn(&mut s, "DescribeStackResources", json!({"StackName": "u"})).unwrap();
    assert_eq!(res["StackResources"].as_array().unwrap().len(), 1);
    let pending = s.call("ListKeys", json!({})).unwrap()["Keys"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| s_key_state(&mut s, k["KeyId"].as_str().unwrap()) == "PendingDeletion")
        .count();
    assert_eq!(pending, 1);
}

/// The CloudTrail records of the calls named `name`, newest first.
fn trail_records(s: &Sandbox, name: &str) -> Vec<Value> {
    let found = s
        .lookup_events(
            &json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}]}),
        )
        .unwrap();
    found["Events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap())
        .collect()
}

#[test]
fn a_stack_s_kms_calls_are_recorded_as_the_caller_s_invoked_by_cloudformation() {
    let mut s = Sandbox::in_memory(35);
    s.region = "ap-southeast-2".into();
    create(&mut s);
    cfn(&mut s, "DeleteStack", json!({"StackName": "MyKMSKeyStack"})).unwrap();
    for name in [
        "CreateKey",
        "EnableKeyRotation",
        "CreateAlias",
        "DeleteAlias",
        "ScheduleKeyDeletion",
    ] {
        let records = trail_records(&s, name);
        assert_eq!(records.len(), 1, "{name}");
        let r = &records[0];
        assert_eq!(r["eventSource"], "kms.amazonaws.com");
        assert_eq!(r["awsRegion"], "ap-southeast-2");
        assert_eq!(r["sourceIPAddress"], "cloudformation.amazonaws.com");
        assert_eq!(r["userAgent"], "cloudformation.amazonaws.com");
        assert_eq!(r["eventType"], "AwsApiCall");
        assert_eq!(
            r["userIdentity"],
            json!({"type": "Root", "principalId": "111122223333",
                "arn": "arn:aws:iam::111122223333:root", "accountId": "111122223333",
                "invokedBy": "cloudformation.amazonaws.com"})
        );
        assert_eq!(r["requestID"].as_str().unwrap().len(), 36);
        assert_ne!(r["eventID"], r["requestID"]);
    }
    let create_key = &trail_records(&s, "CreateKey")[0];
    assert_eq!(
        create_key["requestParameters"]["description"],
        "My KMS key for the hands-on"
    );
    // The CloudFormation calls themselves stay the caller's own.
    assert_eq!(
        trail_records(&s, "CreateStack")[0]["sourceIPAddress"],
        "192.0.2.0"
    );

    // A call the caller may not make is recorded with its error, as the caller's.
    s.call_service(Service::Iam, "CreateUser", json!({"UserName": "nobody"}))
        .unwrap();
    s.caller = s
        .engine
        .caller_for_principal("arn:aws:iam::111122223333:user/nobody", None)
        .unwrap();
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "denied", "TemplateBody": "Resources:\n  K:\n    Type: AWS::KMS::Key\n"}),
    )
    .unwrap();
    let denied = &trail_records(&s, "CreateKey")[0];
    assert_eq!(denied["errorCode"], "AccessDeniedException");
    assert_eq!(denied["userIdentity"]["userName"], "nobody");
    assert_eq!(
        denied["userIdentity"]["invokedBy"],
        "cloudformation.amazonaws.com"
    );
}

/// A null anywhere in a template is refused with where it is (LocalStack's test_validations
/// snapshot for an output's `Value`; real refusals for properties, whose path goes through
/// `Type`): JSON `null` and YAML's empty value alike.
#[test]
fn null_values_are_not_allowed_in_templates() {
    let mut s = Sandbox::in_memory(27);
    let key = r#""Resources": {"K": {"Type": "AWS::KMS::Key"}}"#;
    for (body, message) in [
        (
            format!(r#"{{{key}, "Outputs": {{"MyOutput": {{"Value": null}}}}}}"#),
            "[/Outputs/MyOutput/Value] 'null' values are not allowed in templates",
        ),
        (
            format!(r#"{{{key}, "Outputs": {{"MyOutput": {{"Value": null, "AnotherValue": null}}}}}}"#),
            "[/Outputs/MyOutput/Value] 'null' values are not allowed in templates",
        ),
        (
            "Resources:\n  K:\n    Type: AWS::KMS::Key\nOutputs:\n  MyOutput:\n    Value:\n"
                .to_string(),
            "[/Outputs/MyOutput/Value] 'null' values are not allowed in templates",
        ),
        (
            format!(r#"{{{key}, "Outputs": {{"MyOutput": {{}}}}}}"#),
            "Template format error: Every Outputs member must contain a Value object",
        ),
        (
            "Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n      Description:\n"
                .to_string(),
            "[/Resources/K/Type/Description] 'null' values are not allowed in templates",
        ),
        (
            "Resources:\n  K:\n    Type: AWS::KMS::Key\nOutputs:\n  O:\n    Value: x\n    Export:\n"
                .to_string(),
            "[/Outputs/O/Export] 'null' values are not allowed in templates",
        ),
    ] {
        assert_eq!(refused(&mut s, &body), message, "{body}");
        let e = cfn(&mut s, "ValidateTemplate", json!({"TemplateBody": body})).unwrap_err();
        assert_eq!(e.message, message);
    }
}

/// A handler's own failure, as the stack event words it: the CloudFormation exception's
/// message, a request token and the handler error code.
fn assert_handler_failure(reason: &str, message: &str, code: &str) {
    let head = format!("Resource handler returned message: \"{message}\" (RequestToken: ");
    assert!(reason.starts_with(&head), "{reason}");
    let token = &reason[head.len()..];
    assert_eq!(
        token.len(),
        36 + format!(", HandlerErrorCode: {code})").len(),
        "{reason}"
    );
    assert!(
        token.ends_with(&format!(", HandlerErrorCode: {code})")),
        "{reason}"
    );
}

fn key_template(props: &str) -> String {
    format!("Resources:\n  K:\n    Type: AWS::KMS::Key\n    Properties:\n{props}Outputs:\n  Id:\n    Value: !Ref K\n")
}

fn customer_keys(s: &mut Sandbox) -> usize {
    let keys = s.call("ListKeys", json!({})).unwrap()["Keys"].clone();
    keys.as_array()
        .unwrap()
        .iter()
        .filter(|k| {
            let m = s.call("DescribeKey", json!({"KeyId": k["KeyId"]})).unwrap();
            m["KeyMetadata"]["KeyManager"] == "CUSTOMER"
        })
        .count()
}

/// The key handler turns rotation on and then disables the key (KMS refuses rotation on a
/// disabled key): on create, and on an update that disables the key and turns rotation on.
#[test]
fn rotation_is_turned_on_before_the_key_is_disabled() {
    let mut s = Sandbox::in_memory(40);
    let both = key_template("      Enabled: false\n      EnableKeyRotation: true\n");
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "made", "TemplateBody": both}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "made")["StackStatus"], "CREATE_COMPLETE");
    let id = output(&stack(&mut s, "made"), "Id");
    assert_eq!(s_key_state(&mut s, &id), "Disabled");
    let rot = s
        .call("GetKeyRotationStatus", json!({"KeyId": id}))
        .unwrap();
    assert_eq!(rot["KeyRotationEnabled"], true);

    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "updated", "TemplateBody": key_template("      Enabled: true\n")}),
    )
    .unwrap();
    let id = output(&stack(&mut s, "updated"), "Id");
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "updated", "TemplateBody": both}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "updated")["StackStatus"], "UPDATE_COMPLETE");
    assert_eq!(s_key_state(&mut s, &id), "Disabled");
    let rot = s
        .call("GetKeyRotationStatus", json!({"KeyId": id}))
        .unwrap();
    assert_eq!(rot["KeyRotationEnabled"], true);
}

/// EnableKeyRotation cannot change on a key that is and stays disabled: the handler's
/// InvalidRequest, before any change.
#[test]
fn rotation_cannot_change_while_the_key_stays_disabled() {
    let mut s = Sandbox::in_memory(41);
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "off", "TemplateBody": key_template("      Enabled: false\n      Description: one\n")}),
    )
    .unwrap();
    let id = output(&stack(&mut s, "off"), "Id");
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "off", "TemplateBody": key_template("      Enabled: false\n      Description: two\n      EnableKeyRotation: true\n")}),
    )
    .unwrap();
    assert_eq!(
        stack(&mut s, "off")["StackStatus"],
        "UPDATE_ROLLBACK_COMPLETE"
    );
    assert_handler_failure(
        &failure(&mut s, "off"),
        "Invalid request provided: You cannot change the EnableKeyRotation property while the Enabled property is false.",
        "InvalidRequest",
    );
    let meta = s.call("DescribeKey", json!({"KeyId": id})).unwrap();
    assert_eq!(meta["KeyMetadata"]["Description"], "one");
}

/// Rotation on an asymmetric, HMAC or imported-material key is refused before CreateKey: no
/// key is made.
#[test]
fn rotation_on_asymmetric_hmac_or_external_keys_is_refused_before_any_key() {
    let mut s = Sandbox::in_memory(42);
    for (i, props) in [
        "      KeySpec: RSA_2048\n      KeyUsage: SIGN_VERIFY\n",
        "      KeySpec: HMAC_256\n      KeyUsage: GENERATE_VERIFY_MAC\n",
        "      Origin: EXTERNAL\n",
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("r{i}");
        let body = key_template(&format!("{props}      EnableKeyRotation: true\n"));
        cfn(
            &mut s,
            "CreateStack",
            json!({"StackName": name, "TemplateBody": body}),
        )
        .unwrap();
        assert_eq!(stack(&mut s, &name)["StackStatus"], "ROLLBACK_COMPLETE");
        assert_handler_failure(
            &failure(&mut s, &name),
            "Invalid request provided: You cannot set the EnableKeyRotation property to true on asymmetric or external keys.",
            "InvalidRequest",
        );
        assert_eq!(customer_keys(&mut s), 0, "{props}");
        assert!(trail_records(&s, "CreateKey").is_empty());
    }
    // Without rotation they are made.
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "ext", "TemplateBody": key_template("      Origin: EXTERNAL\n      EnableKeyRotation: false\n")}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "ext")["StackStatus"], "CREATE_COMPLETE");
}

/// KeySpec, KeyUsage, Origin and MultiRegion are compared with their defaults applied: naming a
/// default is no change. A real change is refused by the handler (the schema has no
/// createOnlyProperties, so CloudFormation does not replace the key).
#[test]
fn fixed_key_properties_compare_with_their_defaults() {
    let mut s = Sandbox::in_memory(43);
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "d", "TemplateBody": key_template("      Description: one\n")}),
    )
    .unwrap();
    let id = output(&stack(&mut s, "d"), "Id");
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "d", "TemplateBody": key_template("      Description: two\n      KeySpec: SYMMETRIC_DEFAULT\n      KeyUsage: ENCRYPT_DECRYPT\n      Origin: AWS_KMS\n      MultiRegion: false\n")}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "d")["StackStatus"], "UPDATE_COMPLETE");
    assert_eq!(output(&stack(&mut s, "d"), "Id"), id);
    let meta = s.call("DescribeKey", json!({"KeyId": id})).unwrap();
    assert_eq!(meta["KeyMetadata"]["Description"], "two");

    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "d", "TemplateBody": key_template("      Description: two\n      MultiRegion: true\n")}),
    )
    .unwrap();
    assert_eq!(
        stack(&mut s, "d")["StackStatus"],
        "UPDATE_ROLLBACK_COMPLETE"
    );
    assert_handler_failure(
        &failure(&mut s, "d"),
        "Invalid request provided: You cannot change the values of the KeySpec, KeyUsage, Origin, or MultiRegion properties of an AWS::KMS::Key resource.",
        "InvalidRequest",
    );
    assert_eq!(output(&stack(&mut s, "d"), "Id"), id);
    assert_eq!(customer_keys(&mut s), 1);
}

/// An alias name already in use outside the stack: the alias handler looks it up first and
/// fails with AlreadyExists; the other alias is left alone.
#[test]
fn an_alias_name_taken_outside_the_stack_already_exists() {
    let mut s = Sandbox::in_memory(44);
    let outside = s.call("CreateKey", json!({})).unwrap()["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    s.call(
        "CreateAlias",
        json!({"AliasName": "alias/taken", "TargetKeyId": outside}),
    )
    .unwrap();
    let body = "Resources:\n  K:\n    Type: AWS::KMS::Key\n  A:\n    Type: AWS::KMS::Alias\n    Properties:\n      AliasName: alias/taken\n      TargetKeyId: !Ref K\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "taken", "TemplateBody": body}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "taken")["StackStatus"], "ROLLBACK_COMPLETE");
    assert_handler_failure(
        &failure(&mut s, "taken"),
        "Resource of type 'AWS::KMS::Alias' with identifier 'alias/taken' already exists.",
        "AlreadyExists",
    );
    let meta = s
        .call("DescribeKey", json!({"KeyId": "alias/taken"}))
        .unwrap();
    assert_eq!(meta["KeyMetadata"]["KeyId"], outside.as_str());
    assert!(trail_records(&s, "CreateAlias")
        .iter()
        .all(|r| r["sourceIPAddress"] != "cloudformation.amazonaws.com"));
}

/// Tags items follow the schemas' Tag definition (AWS::KMS::Key and AWS::KMS::ReplicaKey):
/// required Key and Value, their lengths, no other member, no item twice.
#[test]
fn tags_are_checked_against_the_schemas_tag_definition() {
    let mut s = Sandbox::in_memory(45);
    let long = "v".repeat(257);
    for (tags, message) in [
        ("[{Key: a}]", "#/Tags/0: required key [Value] not found"),
        (
            "[{Key: a, Value: b}, {Key: '', Value: c}]",
            "#/Tags/1/Key: expected minLength: 1, actual: 0",
        ),
        (
            &format!("[{{Key: a, Value: {long}}}]"),
            "#/Tags/0/Value: expected maxLength: 256, actual: 257",
        ),
        (
            "[{Key: a, Value: b, Extra: c}]",
            "#/Tags/0: extraneous key [Extra] is not permitted",
        ),
        (
            "[{Key: a, Value: b}, {Key: a, Value: b}]",
            "#/Tags: array items are not unique",
        ),
        ("[x]", "#/Tags/0: expected type: JSONObject, found: String"),
    ] {
        let body = key_template(&format!("      Tags: {tags}\n"));
        cfn(
            &mut s,
            "CreateStack",
            json!({"StackName": "t", "TemplateBody": body}),
        )
        .unwrap();
        assert_eq!(stack(&mut s, "t")["StackStatus"], "ROLLBACK_COMPLETE");
        assert_eq!(
            failure(&mut s, "t"),
            format!("Properties validation failed for resource K with message: [{message}]")
        );
        cfn(&mut s, "DeleteStack", json!({"StackName": "t"})).unwrap();
    }
    assert_eq!(customer_keys(&mut s), 0);
    let replica = "Resources:\n  R:\n    Type: AWS::KMS::ReplicaKey\n    Properties:\n      PrimaryKeyArn: arn:aws:kms:us-east-1:111122223333:key/mrk-1234abcd12ab34cd56ef1234567890ab\n      KeyPolicy: {}\n      Tags:\n        - Value: x\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "rt", "TemplateBody": replica}),
    )
    .unwrap();
    assert_eq!(
        failure(&mut s, "rt"),
        "Properties validation failed for resource R with message: [#/Tags/0: required key [Key] not found]"
    );
}

/// UpdateReplacePolicy Retain keeps the old physical resource when an update replaces it.
#[test]
fn update_replace_policy_retain_keeps_the_replaced_resource() {
    let mut s = Sandbox::in_memory(46);
    let body = |name: &str| {
        format!("Resources:\n  K:\n    Type: AWS::KMS::Key\n  A:\n    Type: AWS::KMS::Alias\n    UpdateReplacePolicy: Retain\n    Properties:\n      AliasName: {name}\n      TargetKeyId: !Ref K\n")
    };
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "rp", "TemplateBody": body("alias/first")}),
    )
    .unwrap();
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "rp", "TemplateBody": body("alias/second")}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "rp")["StackStatus"], "UPDATE_COMPLETE");
    let first = s
        .call("DescribeKey", json!({"KeyId": "alias/first"}))
        .unwrap();
    let second = s
        .call("DescribeKey", json!({"KeyId": "alias/second"}))
        .unwrap();
    assert_eq!(
        first["KeyMetadata"]["KeyId"],
        second["KeyMetadata"]["KeyId"]
    );
    let events = statuses(&mut s, "rp");
    assert!(
        events.contains(&"A DELETE_SKIPPED".to_string()),
        "{events:?}"
    );
    assert!(
        !events.contains(&"A DELETE_COMPLETE".to_string()),
        "{events:?}"
    );
}

/// DeletionPolicy RetainExceptOnCreate keeps a resource on DeleteStack, but not on the
/// rollback of the creation that made it; Retain keeps it there too, unless the request says
/// RetainExceptOnCreate. Values other than the policies are template errors.
#[test]
fn deletion_policy_retain_except_on_create() {
    let mut s = Sandbox::in_memory(47);
    let body = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    DeletionPolicy: RetainExceptOnCreate\nOutputs:\n  Id:\n    Value: !Ref K\n";
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "keep", "TemplateBody": body}),
    )
    .unwrap();
    let id = output(&stack(&mut s, "keep"), "Id");
    cfn(&mut s, "DeleteStack", json!({"StackName": "keep"})).unwrap();
    assert_eq!(s_key_state(&mut s, &id), "Enabled");
    let deleted = id_of(&mut s, "keep");
    assert!(statuses(&mut s, &deleted).contains(&"K DELETE_SKIPPED".to_string()));

    // A creation that fails: K (RetainExceptOnCreate) goes, R (Retain) stays.
    let failing = "Resources:\n  K:\n    Type: AWS::KMS::Key\n    DeletionPolicy: RetainExceptOnCreate\n  R:\n    Type: AWS::KMS::Key\n    DeletionPolicy: Retain\n  Bad:\n    Type: AWS::KMS::Alias\n    DependsOn: [K, R]\n    Properties:\n      AliasName: alias/aws/nope\n      TargetKeyId: !Ref K\n";
    for (name, except_on_create) in [("f1", false), ("f2", true)] {
        cfn(
            &mut s,
            "CreateStack",
            json!({"StackName": name, "TemplateBody": failing, "RetainExceptOnCreate": except_on_create}),
        )
        .unwrap();
        assert_eq!(stack(&mut s, name)["StackStatus"], "ROLLBACK_COMPLETE");
        let resources = cfn(&mut s, "DescribeStackResources", json!({"StackName": name})).unwrap()
            ["StackResources"]
            .clone();
        let physical = |logical: &str| {
            resources
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["LogicalResourceId"] == logical)
                .unwrap()["PhysicalResourceId"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let (k, r) = (physical("K"), physical("R"));
        assert_eq!(s_key_state(&mut s, &k), "PendingDeletion");
        let r_state = if except_on_create {
            "PendingDeletion"
        } else {
            "Enabled"
        };
        assert_eq!(s_key_state(&mut s, &r), r_state, "{name}");
    }

    let key = "Resources:\n  K:\n    Type: AWS::KMS::Key\n";
    assert_eq!(
        refused(&mut s, &format!("{key}    DeletionPolicy: Keep\n")),
        "Template format error: Unrecognized DeletionPolicy Keep for resource K"
    );
    assert_eq!(
        refused(
            &mut s,
            &format!("{key}    UpdateReplacePolicy: RetainExceptOnCreate\n")
        ),
        "Template format error: Unrecognized UpdateReplacePolicy RetainExceptOnCreate for resource K"
    );
    assert_eq!(
        refused(&mut s, &format!("{key}    DeletionPolicy: [Retain]\n")),
        "Template format error: Every DeletionPolicy member must be a string."
    );
}

/// A deleted stack's id, by which DescribeStackEvents still finds it.
fn id_of(s: &mut Sandbox, name: &str) -> String {
    let list = cfn(s, "ListStacks", json!({})).unwrap();
    list["StackSummaries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["StackName"] == name)
        .unwrap()["StackId"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Updating a key deleted outside the stack (pending deletion): the handler describes it first
/// and answers NotFound.
#[test]
fn updating_a_key_pending_deletion_outside_the_stack_is_not_found() {
    let mut s = Sandbox::in_memory(48);
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "gone", "TemplateBody": key_template("      Description: one\n")}),
    )
    .unwrap();
    let id = output(&stack(&mut s, "gone"), "Id");
    s.call(
        "ScheduleKeyDeletion",
        json!({"KeyId": id, "PendingWindowInDays": 7}),
    )
    .unwrap();
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "gone", "TemplateBody": key_template("      Description: two\n")}),
    )
    .unwrap();
    assert_eq!(
        stack(&mut s, "gone")["StackStatus"],
        "UPDATE_ROLLBACK_COMPLETE"
    );
    assert_handler_failure(
        &failure(&mut s, "gone"),
        &format!("Resource of type 'AWS::KMS::Key' with identifier '{id}' was not found."),
        "NotFound",
    );
}

/// A ReplicaKey's tags follow the stack's tags and its own; a PrimaryKeyArn the handler cannot
/// read a Region of fails as the handler says (the schema has no pattern for it).
#[test]
fn replica_key_tags_follow_and_a_primary_key_arn_that_is_not_an_arn() {
    let mut s = Sandbox::in_memory(49);
    let primary = s.call("CreateKey", json!({"MultiRegion": true})).unwrap()["KeyMetadata"]["Arn"]
        .as_str()
        .unwrap()
        .to_string();
    s.region = "us-west-2".into();
    let body = |tag: &str, primary: &str| {
        format!("Resources:\n  R:\n    Type: AWS::KMS::ReplicaKey\n    Properties:\n      PrimaryKeyArn: '{primary}'\n      KeyPolicy: {{Version: '2012-10-17', Statement: [{{Effect: Allow, Principal: {{AWS: 'arn:aws:iam::111122223333:root'}}, Action: 'kms:*', Resource: '*'}}]}}\n      Tags:\n        - Key: own\n          Value: {tag}\nOutputs:\n  Id:\n    Value: !Ref R\n")
    };
    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "rep", "TemplateBody": body("a", &primary),
               "Tags": [{"Key": "cost", "Value": "1"}]}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "rep")["StackStatus"], "CREATE_COMPLETE");
    let id = output(&stack(&mut s, "rep"), "Id");
    let tags = |s: &mut Sandbox| -> Vec<(String, String)> {
        s.call("ListResourceTags", json!({"KeyId": id})).unwrap()["Tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["TagKey"].as_str().unwrap().to_string(),
                    t["TagValue"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert!(tags(&mut s).contains(&("cost".into(), "1".into())));
    cfn(
        &mut s,
        "UpdateStack",
        json!({"StackName": "rep", "TemplateBody": body("b", &primary),
               "Tags": [{"Key": "cost", "Value": "2"}]}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "rep")["StackStatus"], "UPDATE_COMPLETE");
    let now = tags(&mut s);
    assert!(now.contains(&("cost".into(), "2".into())), "{now:?}");
    assert!(now.contains(&("own".into(), "b".into())), "{now:?}");

    cfn(
        &mut s,
        "CreateStack",
        json!({"StackName": "bad", "TemplateBody": body("a", "not-an-arn")}),
    )
    .unwrap();
    assert_eq!(stack(&mut s, "bad")["StackStatus"], "ROLLBACK_COMPLETE");
    assert_handler_failure(
        &failure(&mut s, "bad"),
        "Invalid Arn Provided. Unable to determine the region of the supplied arn.",
        "InvalidRequest",
    );
}
