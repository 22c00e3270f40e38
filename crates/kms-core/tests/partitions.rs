//! Every ARN in the partition of the sandbox's Region, as AWS writes them: `arn:aws-cn:` in
//! Beijing, `arn:aws-us-gov:` in GovCloud, `arn:aws:` elsewhere; key, alias, IAM and STS ARNs,
//! key policies, CloudTrail records and CloudFormation stacks alike.

use kms_core::{json, Caller, Clock, ErrorType, KmsError, Sandbox, Service, Value};

const ACCOUNT: &str = "111122223333";

/// The Regions the tests open a sandbox in, with their partitions.
const REGIONS: [(&str, &str); 3] = [
    ("cn-north-1", "aws-cn"),
    ("us-gov-west-1", "aws-us-gov"),
    ("us-east-1", "aws"),
];

fn sandbox(region: &str) -> Sandbox {
    let mut sb = Sandbox::in_memory(3);
    sb.region = region.into();
    sb
}

fn call(sb: &mut Sandbox, caller: &Caller, service: Service, op: &str, req: Value) -> Value {
    try_call(sb, caller, service, op, req.clone())
        .unwrap_or_else(|e| panic!("{op} {req} in {} failed: {e}", sb.region))
}

fn try_call(
    sb: &mut Sandbox,
    caller: &Caller,
    service: Service,
    op: &str,
    req: Value,
) -> Result<Value, KmsError> {
    let saved = std::mem::replace(&mut sb.caller, caller.clone());
    let out = sb.call_service(service, op, req);
    sb.caller = saved;
    out
}

fn kms(sb: &mut Sandbox, op: &str, req: Value) -> Value {
    let root = sb.root();
    call(sb, &root, Service::Kms, op, req)
}

fn iam(sb: &mut Sandbox, op: &str, req: Value) -> Value {
    let root = sb.root();
    call(sb, &root, Service::Iam, op, req)
}

/// The statements' `AWS` principals of a key policy.
fn policy_principals(sb: &mut Sandbox, key_id: &str) -> Vec<Value> {
    let p = kms(sb, "GetKeyPolicy", json!({"KeyId": key_id}));
    let doc: Value = serde_json::from_str(p["Policy"].as_str().unwrap()).unwrap();
    doc["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Principal"]["AWS"].clone())
        .collect()
}

/// The newest CloudTrail record named `name`.
fn last(sb: &Sandbox, name: &str) -> Value {
    sb.trail
        .iter()
        .rev()
        .find(|e| e.event_name == name)
        .unwrap_or_else(|| panic!("no {name} event"))
        .record()
}

#[test]
fn keys_aliases_and_key_policies_are_in_the_regions_partition() {
    for (region, p) in REGIONS {
        let mut sb = sandbox(region);
        let made = kms(&mut sb, "CreateKey", json!({}));
        let id = made["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
        let arn = format!("arn:{p}:kms:{region}:{ACCOUNT}:key/{id}");
        assert_eq!(made["KeyMetadata"]["Arn"], arn);
        // The default key policy delegates to the account's root in the partition.
        let root = format!("arn:{p}:iam::{ACCOUNT}:root");
        assert_eq!(policy_principals(&mut sb, &id), vec![json!(root)]);

        // A key ARN names the key in its own partition only.
        let described = kms(&mut sb, "DescribeKey", json!({"KeyId": arn}));
        assert_eq!(described["KeyMetadata"]["Arn"], arn);
        let elsewhere = arn.replacen(&format!("arn:{p}:"), "arn:aws-iso:", 1);
        let root_caller = sb.root();
        let e = try_call(
            &mut sb,
            &root_caller,
            Service::Kms,
            "DescribeKey",
            json!({"KeyId": elsewhere}),
        )
        .unwrap_err();
        assert_eq!(e.error_type, ErrorType::NotFound, "{region}");
        // Nor does a missing key's error name it in another partition.
        let missing = "1234abcd-12ab-34cd-56ef-1234567890ab";
        let e = try_call(
            &mut sb,
            &root_caller,
            Service::Kms,
            "DescribeKey",
            json!({"KeyId": missing}),
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            format!("Key 'arn:{p}:kms:{region}:{ACCOUNT}:key/{missing}' does not exist")
        );

        kms(
            &mut sb,
            "CreateAlias",
            json!({"AliasName": "alias/app", "TargetKeyId": id}),
        );
        let aliases = kms(&mut sb, "ListAliases", json!({}));
        let aliases = aliases["Aliases"].as_array().unwrap();
        let app = aliases.iter().find(|a| a["AliasName"] == "alias/app");
        let alias_arn = format!("arn:{p}:kms:{region}:{ACCOUNT}:alias/app");
        assert_eq!(app.unwrap()["AliasArn"], alias_arn);
        let by_alias = kms(&mut sb, "DescribeKey", json!({"KeyId": alias_arn}));
        assert_eq!(by_alias["KeyMetadata"]["KeyId"], id);

        // The AWS managed keys' policies name the root of the partition too.
        let ebs = aliases
            .iter()
            .find(|a| a["AliasName"] == "alias/aws/ebs")
            .unwrap();
        assert!(ebs["AliasArn"]
            .as_str()
            .unwrap()
            .starts_with(&format!("arn:{p}:kms:{region}:")));
        let managed = ebs["TargetKeyId"].as_str().unwrap().to_string();
        assert_eq!(
            policy_principals(&mut sb, &managed),
            vec![json!("*"), json!(root)]
        );
    }
}

#[test]
fn iam_sts_and_cloudtrail_name_principals_in_the_regions_partition() {
    for (region, p) in REGIONS {
        let mut sb = sandbox(region);
        let key = kms(&mut sb, "CreateKey", json!({}));
        let key_arn = key["KeyMetadata"]["Arn"].as_str().unwrap().to_string();

        let user = iam(&mut sb, "CreateUser", json!({"UserName": "alice"}));
        let user_arn = format!("arn:{p}:iam::{ACCOUNT}:user/alice");
        assert_eq!(user["User"]["Arn"], user_arn);
        // IAM is global: CloudTrail records it in its partition's home Region.
        let home = match p {
            "aws-cn" => "cn-north-1",
            "aws-us-gov" => "us-gov-west-1",
            _ => "us-east-1",
        };
        assert_eq!(last(&sb, "CreateUser")["awsRegion"], home, "{region}");
        let allow = |actions: Value| {
            json!({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": actions, "Resource": "*"}]})
            .to_string()
        };
        iam(
            &mut sb,
            "PutUserPolicy",
            json!({"UserName": "alice", "PolicyName": "p", "PolicyDocument": allow(json!("sts:AssumeRole"))}),
        );
        let access_key = iam(&mut sb, "CreateAccessKey", json!({"UserName": "alice"}));
        let access_key = access_key["AccessKey"]["AccessKeyId"].as_str().unwrap();
        let alice = sb
            .engine
            .caller_for_access_key(access_key, sb.clock.now())
            .unwrap();
        let me = call(
            &mut sb,
            &alice,
            Service::Sts,
            "GetCallerIdentity",
            json!({}),
        );
        assert_eq!(me["Arn"], user_arn);

        // The role trusts the account's root, named in the partition.
        let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": {"AWS": format!("arn:{p}:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"}]});
        let role = iam(
            &mut sb,
            "CreateRole",
            json!({"RoleName": "reader", "AssumeRolePolicyDocument": trust.to_string()}),
        );
        let role_arn = format!("arn:{p}:iam::{ACCOUNT}:role/reader");
        assert_eq!(role["Role"]["Arn"], role_arn);
        iam(
            &mut sb,
            "PutRolePolicy",
            json!({"RoleName": "reader", "PolicyName": "p", "PolicyDocument": allow(json!("kms:DescribeKey"))}),
        );
        let assumed = call(
            &mut sb,
            &alice,
            Service::Sts,
            "AssumeRole",
            json!({"RoleArn": role_arn, "RoleSessionName": "s1"}),
        );
        let session_arn = format!("arn:{p}:sts::{ACCOUNT}:assumed-role/reader/s1");
        assert_eq!(assumed["AssumedRoleUser"]["Arn"], session_arn);
        let session_key = assumed["Credentials"]["AccessKeyId"].as_str().unwrap();
        let session = sb
            .engine
            .caller_for_access_key(session_key, sb.clock.now())
            .unwrap();
        let me = call(
            &mut sb,
            &session,
            Service::Sts,
            "GetCallerIdentity",
            json!({}),
        );
        assert_eq!(me["Arn"], session_arn);

        // CloudTrail names the session, its role and the key in the partition.
        call(
            &mut sb,
            &session,
            Service::Kms,
            "DescribeKey",
            json!({"KeyId": key_arn}),
        );
        let record = last(&sb, "DescribeKey");
        assert_eq!(record["userIdentity"]["arn"], session_arn);
        assert_eq!(
            record["userIdentity"]["sessionContext"]["sessionIssuer"]["arn"],
            role_arn
        );
        assert_eq!(record["resources"][0]["ARN"], key_arn);
        let record = last(&sb, "CreateUser");
        assert_eq!(
            record["userIdentity"]["arn"],
            format!("arn:{p}:iam::{ACCOUNT}:root")
        );

        // So do AWS's refusals.
        let e = try_call(
            &mut sb,
            &session,
            Service::Kms,
            "Encrypt",
            json!({"KeyId": key_arn, "Plaintext": "eA=="}),
        )
        .unwrap_err();
        assert_eq!(e.error_type, ErrorType::AccessDenied);
        assert!(
            e.message.starts_with(&format!(
                "User: {session_arn} is not authorized to perform: kms:Encrypt on resource: {key_arn}"
            )),
            "{}",
            e.message
        );
    }
}

#[test]
fn cloudformation_stacks_and_pseudo_parameters_are_in_the_regions_partition() {
    let template = "Resources:\n  K:\n    Type: AWS::KMS::Key\nOutputs:\n  Partition:\n    Value: !Ref AWS::Partition\n  Suffix:\n    Value: !Ref AWS::URLSuffix\n  Arn:\n    Value: !GetAtt K.Arn\n";
    for (region, p, suffix) in [
        ("cn-north-1", "aws-cn", "amazonaws.com.cn"),
        ("us-gov-west-1", "aws-us-gov", "amazonaws.com"),
        ("us-east-1", "aws", "amazonaws.com"),
    ] {
        let mut sb = sandbox(region);
        let root = sb.root();
        let made = call(
            &mut sb,
            &root,
            Service::CloudFormation,
            "CreateStack",
            json!({"StackName": "s", "TemplateBody": template}),
        );
        let stack_id = made["StackId"].as_str().unwrap();
        assert!(
            stack_id.starts_with(&format!(
                "arn:{p}:cloudformation:{region}:{ACCOUNT}:stack/s/"
            )),
            "{stack_id}"
        );
        let described = call(
            &mut sb,
            &root,
            Service::CloudFormation,
            "DescribeStacks",
            json!({"StackName": stack_id}),
        );
        let outputs = described["Stacks"][0]["Outputs"]
            .as_array()
            .unwrap()
            .clone();
        let output = |key: &str| {
            outputs.iter().find(|o| o["OutputKey"] == key).unwrap()["OutputValue"].clone()
        };
        assert_eq!(output("Partition"), p);
        assert_eq!(output("Suffix"), suffix);
        assert!(output("Arn")
            .as_str()
            .unwrap()
            .starts_with(&format!("arn:{p}:kms:{region}:{ACCOUNT}:key/")));
    }
}
