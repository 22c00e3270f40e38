//! CloudFormation through the official `@aws-sdk/client-cloudformation` (query protocol) and the
//! sandbox's `requestHandler`: the seed's hands-on stack is created, its key and alias are real
//! KMS resources, and the stack survives reopening the sandbox.

use crate::common::*;
use kms_core::Service;
use kms_web::Sandbox;
use serde_json::json;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

const TEMPLATE: &str = include_str!("../../../kms-core/tests/data/create-kms-cf.yaml");
const PARAMS: &str = include_str!("../../../kms-core/tests/data/create-kms-params.json");

async fn sdk(client: &JsValue, op: &str, input: serde_json::Value) -> Result<JsValue, JsValue> {
    JsFuture::from(sdk_send(client, op, &js(input))).await
}

#[wasm_bindgen_test]
async fn the_hands_on_stack_through_the_sdk_survives_a_reopen() {
    let name = unique("cfn");
    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let handler = get(&kms.to_js(), "requestHandler");
    let cfn = service_client(
        "cloudformation",
        "ap-southeast-2",
        &handler,
        None,
        None,
        None,
    );
    let params: serde_json::Value = serde_json::from_str(PARAMS).unwrap();
    let out = sdk(
        &cfn,
        "CreateStack",
        json!({"StackName": "MyKMSKeyStack", "TemplateBody": TEMPLATE, "Parameters": params}),
    )
    .await
    .unwrap_or_else(|e| panic!("CreateStack: {:?}", error_parts(&e)));
    let stack_id = get(&out, "StackId").as_string().unwrap();
    assert!(stack_id
        .starts_with("arn:aws:cloudformation:ap-southeast-2:111122223333:stack/MyKMSKeyStack/"));

    let described = sdk(
        &cfn,
        "DescribeStacks",
        json!({"StackName": "MyKMSKeyStack"}),
    )
    .await
    .unwrap();
    let stacks: js_sys::Array = get(&described, "Stacks").into();
    let stack = stacks.get(0);
    assert_eq!(
        get(&stack, "StackStatus").as_string().unwrap(),
        "CREATE_COMPLETE"
    );
    let outputs: js_sys::Array = get(&stack, "Outputs").into();
    let key_id = outputs
        .iter()
        .find(|o| get(o, "OutputKey").as_string().as_deref() == Some("KeyId"))
        .map(|o| get(&o, "OutputValue").as_string().unwrap())
        .unwrap();
    let meta = ok(&kms, "DescribeKey", json!({"KeyId": "alias/hands-on"})).await;
    assert_eq!(meta["KeyMetadata"]["KeyId"], key_id.as_str());

    // Errors come back as the SDK's named exceptions.
    let e = sdk(&cfn, "DescribeStacks", json!({"StackName": "nope"}))
        .await
        .unwrap_err();
    assert_eq!(
        error_parts(&e),
        (
            "ValidationError".to_string(),
            "Stack with id nope does not exist".to_string()
        )
    );

    // The list operations through the SDK: lists of structures and of strings, timestamps.
    let listed = sdk(
        &cfn,
        "ListStacks",
        json!({"StackStatusFilter": ["CREATE_COMPLETE"]}),
    )
    .await
    .unwrap();
    let summaries: js_sys::Array = get(&listed, "StackSummaries").into();
    assert_eq!(summaries.length(), 1);
    assert_eq!(
        get(&summaries.get(0), "StackId").as_string().unwrap(),
        stack_id
    );
    assert!(get(&summaries.get(0), "CreationTime").is_instance_of::<js_sys::Date>());
    let resources = sdk(
        &cfn,
        "ListStackResources",
        json!({"StackName": "MyKMSKeyStack"}),
    )
    .await
    .unwrap();
    let resources: js_sys::Array = get(&resources, "StackResourceSummaries").into();
    assert_eq!(
        get(&resources.get(0), "PhysicalResourceId")
            .as_string()
            .unwrap(),
        key_id
    );
    let summary = sdk(
        &cfn,
        "GetTemplateSummary",
        json!({"StackName": "MyKMSKeyStack"}),
    )
    .await
    .unwrap();
    let types: js_sys::Array = get(&summary, "ResourceTypes").into();
    assert_eq!(types.get(1).as_string().unwrap(), "AWS::KMS::Alias");
    let e = sdk(&cfn, "ListImports", json!({"ExportName": "none"}))
        .await
        .unwrap_err();
    assert_eq!(
        error_parts(&e),
        (
            "ValidationError".to_string(),
            "Export 'none' is not imported by any stack.".to_string()
        )
    );
    drop(kms);

    let kms = Sandbox::open(&name, None, None).await.unwrap();
    let v = kms
        .call_service(
            Service::CloudFormation,
            "ap-southeast-2",
            "DescribeStacks",
            json!({"StackName": "MyKMSKeyStack"}),
        )
        .await
        .unwrap();
    assert_eq!(v["Stacks"][0]["StackId"], stack_id.as_str());
    assert_eq!(v["Stacks"][0]["StackStatus"], "CREATE_COMPLETE");
    kms.call_service(
        Service::CloudFormation,
        "ap-southeast-2",
        "DeleteStack",
        json!({"StackName": "MyKMSKeyStack"}),
    )
    .await
    .unwrap();
    let meta = ok(&kms, "DescribeKey", json!({"KeyId": key_id})).await;
    assert_eq!(meta["KeyMetadata"]["KeyState"], "PendingDeletion");
}
