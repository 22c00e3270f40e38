//! The CloudTrail event history in the browser: every request from every entry point (`send`,
//! `as(...)`, `service(...)`, the SDK's request handler, the Rust API) recorded once, looked up
//! with the official `@aws-sdk/client-cloudtrail` through the request handler and with
//! `sandbox.service('cloudtrail')`; kept in IndexedDB across reopening, with no secret in it;
//! the sandbox clock's deletions recorded as KMS's own events; retention.

use crate::common::*;
use js_sys::{Array, Date, Uint8Array};
use kms_web::Sandbox;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

const REGION: &str = "eu-west-1";
const ACCOUNT: &str = "111122223333";
const DAY: f64 = 86_400.0;

/// A client of `service` over `sandbox`'s request handler in `REGION`, signing with `creds`
/// (placeholders, the account root, when `None`).
fn client(sandbox: &Sandbox, service: &str, creds: Option<(&str, &str)>) -> JsValue {
    let handler = get(&sandbox.to_js(), "requestHandler");
    service_client(
        service,
        REGION,
        &handler,
        creds.map(|c| c.0.to_string()),
        creds.map(|c| c.1.to_string()),
        None,
    )
}

/// Every event LookupEvents returns for `input` through the official CloudTrail client, page by
/// page (`MaxResults` per page), newest first; also the number of pages.
async fn lookup_all(cloudtrail: &JsValue, input: Value) -> (Vec<JsValue>, usize) {
    let mut events = Vec::new();
    let mut pages = 0;
    let mut token: Option<String> = None;
    loop {
        let mut request = input.clone();
        if let Some(t) = &token {
            request["NextToken"] = json!(t);
        }
        let page = sdk_ok(cloudtrail, "LookupEvents", js(request)).await;
        pages += 1;
        let list: Array = get(&page, "Events").dyn_into().unwrap();
        events.extend(list.iter());
        token = get(&page, "NextToken").as_string();
        if token.is_none() {
            return (events, pages);
        }
        assert!(pages < 100, "paging does not end");
    }
}

/// An event's `CloudTrailEvent`, parsed.
fn record_of(event: &JsValue) -> Value {
    serde_json::from_str(&path_str(event, "CloudTrailEvent")).unwrap()
}

/// Events of the history as the Rust API's LookupEvents returns them (newest first).
async fn lookup(kms: &Sandbox, request: Value) -> Vec<Value> {
    let out = kms
        .call_service(
            kms_web_service("cloudtrail"),
            REGION,
            "LookupEvents",
            request,
        )
        .await
        .unwrap();
    out["Events"].as_array().unwrap().clone()
}

fn kms_web_service(name: &str) -> kms_core::Service {
    kms_core::Service::from_name(name).unwrap()
}

fn ids(events: &[Value]) -> Vec<String> {
    events
        .iter()
        .map(|e| e["EventName"].as_str().unwrap().to_string())
        .collect()
}

#[wasm_bindgen_test]
async fn calls_through_send_as_and_the_sdk_are_recorded_and_looked_up_with_the_official_client() {
    let name = unique("trail");
    let sandbox = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let kms = sandbox.to_js();

    // Through `send`: CreateKey, Encrypt, Decrypt.
    let created = js_ok(&kms, "CreateKey", js(json!({"Description": "trail"}))).await;
    let key_id = path_str(&created, "KeyMetadata.KeyId");
    let key_arn = path_str(&created, "KeyMetadata.Arn");
    let plaintext_send = b"the first plaintext, sent with send()".to_vec();
    let enc = js_ok(
        &kms,
        "Encrypt",
        input(
            json!({"KeyId": key_id, "EncryptionContext": {"purpose": "trail-test"}}),
            &[("Plaintext", &plaintext_send)],
        ),
    )
    .await;
    let encrypt_request_id = path_str(&enc, "$metadata.requestId");
    let blob = bytes(&get(&enc, "CiphertextBlob"));
    js_ok(
        &kms,
        "Decrypt",
        input(
            json!({"EncryptionContext": {"purpose": "trail-test"}}),
            &[("CiphertextBlob", &blob)],
        ),
    )
    .await;

    // A user with no permission, through `as(...)` and `service('iam')`.
    let iam = call_method(&kms, "service", &Array::of1(&"iam".into())).unwrap();
    JsFuture::from(
        call_method(
            &iam,
            "send",
            &Array::of2(&"CreateUser".into(), &js(json!({"UserName": "dev"}))),
        )
        .unwrap()
        .unchecked_into::<js_sys::Promise>(),
    )
    .await
    .unwrap();
    let dev_arn = format!("arn:aws:iam::{ACCOUNT}:user/dev");
    let dev = call_method(&kms, "as", &Array::of1(&dev_arn.as_str().into())).unwrap();
    let plaintext_denied = b"a plaintext the user may not encrypt".to_vec();
    let denied = js_call(
        &dev,
        "Encrypt",
        input(
            json!({"KeyId": key_id}),
            &[("Plaintext", &plaintext_denied)],
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&denied).0, "AccessDeniedException");
    let denied_request_id = path_str(&denied, "$metadata.requestId");
    // An operation KMS does not have is refused before the engine, and recorded too.
    let (unknown, _) = js_fails(&kms, "EncryptEverything", js(json!({}))).await;
    assert_eq!(unknown, "UnknownOperationException");

    // Through the SDK: GenerateDataKey and Encrypt as root, then an access key for the user and
    // an Encrypt it is denied.
    let root_kms = client(&sandbox, "kms", None);
    let dk = sdk_ok(
        &root_kms,
        "GenerateDataKey",
        js(json!({"KeyId": key_id, "KeySpec": "AES_256"})),
    )
    .await;
    let data_key = bytes(&get(&dk, "Plaintext"));
    let dk_request_id = path_str(&dk, "$metadata.requestId");
    let plaintext_sdk = b"the second plaintext, sent by the SDK".to_vec();
    sdk_ok(
        &root_kms,
        "Encrypt",
        input(json!({"KeyId": key_id}), &[("Plaintext", &plaintext_sdk)]),
    )
    .await;
    let iam_sdk = client(&sandbox, "iam", None);
    let access_key = sdk_ok(&iam_sdk, "CreateAccessKey", js(json!({"UserName": "dev"}))).await;
    let access_key_id = path_str(&access_key, "AccessKey.AccessKeyId");
    let secret_access_key = path_str(&access_key, "AccessKey.SecretAccessKey");
    let dev_kms = client(&sandbox, "kms", Some((&access_key_id, &secret_access_key)));
    let e = sdk(
        &dev_kms,
        "Encrypt",
        input(
            json!({"KeyId": key_id}),
            &[("Plaintext", &plaintext_denied)],
        ),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "AccessDeniedException");
    // A body that is not JSON, straight to the handler: SerializationException, recorded with
    // the request id the answer carries.
    let handler = get(&kms, "requestHandler");
    let raw = obj(&[
        ("hostname", "kms.eu-west-1.amazonaws.com".into()),
        (
            "headers",
            js(
                json!({"x-amz-target": "TrentService.Encrypt", "content-type": "application/x-amz-json-1.1"}),
            ),
        ),
        ("body", "{not json".into()),
    ]);
    let handled = wait(
        call_method(&handler, "handle", &Array::of1(&raw))
            .unwrap()
            .unchecked_into(),
    )
    .await;
    assert_eq!(path(&handled, "response.statusCode").as_f64(), Some(400.0));
    let bad_json_request_id = path_str(&get(&handled, "response"), "headers.x-amzn-requestid");

    // LookupEvents with the official CloudTrail client: Encrypt events, two per page.
    let cloudtrail = client(&sandbox, "cloudtrail", None);
    let (encrypts, pages) = lookup_all(
        &cloudtrail,
        json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "Encrypt"}], "MaxResults": 2}),
    )
    .await;
    // send, as(dev) denied, SDK, SDK as dev denied, and the body that was not JSON.
    assert_eq!(encrypts.len(), 5, "every Encrypt, answered or refused");
    assert_eq!(pages, 3);
    let records: Vec<Value> = encrypts.iter().map(record_of).collect();
    for (event, record) in encrypts.iter().zip(&records) {
        assert_eq!(path_str(event, "EventName"), "Encrypt");
        assert!(get(event, "EventTime").is_instance_of::<Date>());
        assert_eq!(path_str(event, "EventSource"), "kms.amazonaws.com");
        assert_eq!(record["eventSource"], "kms.amazonaws.com");
        assert_eq!(record["awsRegion"], REGION);
        assert_eq!(record["eventType"], "AwsApiCall");
        assert_eq!(record["recipientAccountId"], ACCOUNT);
        assert_eq!(record["readOnly"], true);
    }
    // Newest first: the refused body, the SDK's denied call, the SDK's call, as(dev), send.
    let request_ids: Vec<&str> = records
        .iter()
        .map(|r| r["requestID"].as_str().unwrap())
        .collect();
    assert_eq!(request_ids[0], bad_json_request_id);
    assert_eq!(request_ids[3], denied_request_id);
    assert_eq!(request_ids[4], encrypt_request_id);
    assert_eq!(records[0]["errorCode"], "SerializationException");
    assert_eq!(records[1]["errorCode"], "AccessDeniedException");
    assert_eq!(records[1]["userIdentity"]["type"], "IAMUser");
    assert_eq!(records[1]["userIdentity"]["accessKeyId"], access_key_id);
    assert!(records[2].get("errorCode").is_none());
    assert_eq!(records[3]["errorCode"], "AccessDeniedException");
    assert_eq!(records[3]["userIdentity"]["userName"], "dev");
    assert!(records[3]["errorMessage"]
        .as_str()
        .unwrap()
        .contains("is not authorized to perform: kms:Encrypt"));
    assert_eq!(records[4]["userIdentity"]["type"], "Root");
    assert_eq!(
        records[4]["requestParameters"],
        json!({"keyId": key_id, "encryptionAlgorithm": "SYMMETRIC_DEFAULT",
               "encryptionContext": {"purpose": "trail-test"}})
    );
    assert_eq!(records[4]["resources"][0]["ARN"], key_arn);
    assert_eq!(
        records[2]["userAgent"].as_str().unwrap().split('/').next(),
        Some("aws-sdk-js"),
        "the SDK's user agent"
    );
    // Event ids are unique.
    let mut event_ids: Vec<String> = encrypts.iter().map(|e| path_str(e, "EventId")).collect();
    event_ids.sort();
    event_ids.dedup();
    assert_eq!(event_ids.len(), 5);

    // By user name: dev's two denied calls (the IAM calls were the root's).
    let (by_dev, _) = lookup_all(
        &cloudtrail,
        json!({"LookupAttributes": [{"AttributeKey": "Username", "AttributeValue": "dev"}]}),
    )
    .await;
    assert_eq!(by_dev.len(), 2);
    // By resource: the key's events (CreateKey, Encrypt x4 with a key, Decrypt, GenerateDataKey).
    let (by_key, _) = lookup_all(
        &cloudtrail,
        json!({"LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": key_arn}]}),
    )
    .await;
    let names: Vec<String> = by_key.iter().map(|e| path_str(e, "EventName")).collect();
    assert_eq!(
        names,
        [
            "Encrypt",
            "Encrypt",
            "GenerateDataKey",
            "Encrypt",
            "Decrypt",
            "Encrypt",
            "CreateKey"
        ]
    );
    let gdk = record_of(&by_key[2]);
    assert_eq!(gdk["requestID"], dk_request_id.as_str());
    // IAM calls are recorded in us-east-1, as AWS records them: not in this Region's history.
    let (iam_here, _) = lookup_all(
        &cloudtrail,
        json!({"LookupAttributes": [{"AttributeKey": "EventSource", "AttributeValue": "iam.amazonaws.com"}]}),
    )
    .await;
    assert!(iam_here.is_empty());
    let iam_events = sandbox
        .call_service(
            kms_web_service("cloudtrail"),
            "us-east-1",
            "LookupEvents",
            json!({"LookupAttributes": [{"AttributeKey": "EventSource", "AttributeValue": "iam.amazonaws.com"}]}),
        )
        .await
        .unwrap();
    assert_eq!(
        ids(iam_events["Events"].as_array().unwrap()),
        ["CreateAccessKey", "CreateUser"]
    );
    // The unknown operation, under the name it was sent with.
    let unknown = lookup(
        &sandbox,
        json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "EncryptEverything"}]}),
    )
    .await;
    assert_eq!(unknown.len(), 1);
    assert_eq!(
        record_of(&js(unknown[0].clone()))["errorCode"],
        "UnknownOperationException"
    );
    // CloudTrail's own errors, as the SDK's exceptions.
    let e = sdk(&cloudtrail, "LookupEvents", js(json!({"MaxResults": 51})))
        .await
        .unwrap_err();
    assert_eq!(error_parts(&e).0, "InvalidMaxResultsException");
    let e = sdk(
        &cloudtrail,
        "LookupEvents",
        js(json!({"NextToken": "bogus"})),
    )
    .await
    .unwrap_err();
    assert_eq!(error_parts(&e).0, "InvalidNextTokenException");

    // The same history through `sandbox.service('cloudtrail')`, with SDK shapes (Dates), and the
    // LookupEvents calls themselves are recorded.
    let ct = call_method(&kms, "service", &Array::of1(&"cloudtrail".into())).unwrap();
    let out = wait(
        call_method(
            &ct,
            "send",
            &Array::of2(
                &"LookupEvents".into(),
                &js(json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "LookupEvents"}]})),
            ),
        )
        .unwrap()
        .unchecked_into(),
    )
    .await;
    let lookups: Array = get(&out, "Events").dyn_into().unwrap();
    assert!(lookups.length() >= 6, "{}", lookups.length());
    let first = lookups.get(0);
    assert!(get(&first, "EventTime").is_instance_of::<Date>());
    assert_eq!(path_str(&first, "EventSource"), "cloudtrail.amazonaws.com");

    // Nothing secret was stored: no plaintext, data key or secret access key, in any encoding.
    sandbox.flush_events().await.unwrap();
    let stored = wait(raw_events(&db_name(&name))).await;
    let events: Array = get(&stored, "events").dyn_into().unwrap();
    assert!(events.length() >= 20, "{}", events.length());
    assert_eq!(get(&stored, "count").as_f64(), Some(events.length() as f64));
    // What IndexedDB holds, as it holds it.
    let chunks: Array = get(&stored, "chunks").dyn_into().unwrap();
    let mut sequences: Vec<Vec<u8>> = Vec::new();
    for v in chunks.iter() {
        for s in byte_sequences(&v).iter() {
            sequences.push(s.dyn_into::<Uint8Array>().unwrap().to_vec());
        }
    }
    let all = sequences.concat();
    assert!(contains(&all, key_arn.as_bytes()), "the scan reads events");
    assert!(
        contains(&all, access_key_id.as_bytes()),
        "access key ids are recorded"
    );
    let mut needles: Vec<Vec<u8>> = vec![secret_access_key.clone().into_bytes()];
    for secret in [
        &plaintext_send,
        &plaintext_denied,
        &plaintext_sdk,
        &data_key,
        &blob,
    ] {
        needles.push(secret.clone());
        needles.push(b64(secret).into_bytes());
        needles.push(
            secret
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
                .into_bytes(),
        );
    }
    for (i, needle) in needles.iter().enumerate() {
        assert!(
            !sequences.iter().any(|s| contains(s, needle)),
            "secret #{i} is in a stored event"
        );
    }
    drop((kms, dev, iam, ct, handler));
    drop(sandbox);
    kms_web::delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_sandbox_dropped_while_its_history_waits_to_be_written_leaves_no_error_behind() {
    let name = unique("trail-drop");
    let kms = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    // The Region's first call makes its AWS managed keys: a change, whose event is written
    // before it answers. A read's event waits for the write timer.
    ok(&kms, "ListKeys", json!({})).await;
    assert_eq!(kms.test_events_queued(), 0);
    let stop_watching = watch_errors();
    // The sandbox goes before the timer fires.
    ok(&kms, "ListKeys", json!({})).await;
    assert_eq!(kms.test_events_queued(), 1);
    drop(kms);
    // Past the timer's delay (100 ms), and the write the drop started is done.
    wait(sleep(400)).await;
    let seen: Array = stop_watching
        .call0(&JsValue::NULL)
        .unwrap()
        .dyn_into()
        .unwrap();
    assert_eq!(seen.length(), 0, "{:?}", seen.to_vec());
    let stored = wait(raw_events(&db_name(&name))).await;
    let keys: Array = get(&stored, "eventKeys").dyn_into().unwrap();
    // A chunk for the first call (written before it answered), one for the second.
    assert_eq!(
        keys.length(),
        2,
        "the dropped sandbox's ListKeys event was written"
    );
}

#[wasm_bindgen_test]
async fn events_survive_reopening_the_sandbox_and_reach_indexeddb_on_pagehide() {
    let name = unique("trail-reopen");
    let kms = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let key = ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    for _ in 0..3 {
        ok(
            &kms,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": b64(b"x")}),
        )
        .await;
    }
    // A read answers without yielding to the event loop: its event waits in memory, and
    // `pagehide` starts its write at once.
    ok(&kms, "DescribeKey", json!({"KeyId": key})).await;
    assert!(kms.test_events_queued() >= 1);
    let window = web_sys::window().unwrap();
    let event = web_sys::Event::new("pagehide").unwrap();
    window.dispatch_event(&event).unwrap();
    assert_eq!(kms.test_events_queued(), 0, "pagehide started the write");
    let stored = wait(raw_events(&db_name(&name))).await;
    let keys: Array = get(&stored, "eventKeys").dyn_into().unwrap();
    assert_eq!(keys.length(), 5, "CreateKey, 3 Encrypt, DescribeKey");
    // Keys are in time order: zero-padded time first.
    let keys: Vec<String> = keys.iter().map(|k| k.as_string().unwrap()).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let first_time: i64 = keys[0][..15].parse().unwrap();
    assert!((first_time as f64 - now_ms()).abs() < 60_000.0);
    let values: Array = get(&stored, "events").dyn_into().unwrap();
    assert_eq!(path_str(&values.get(4), "eventName"), "DescribeKey");
    // Repeated calls are stored as the record before plus their ids: each reads back whole.
    for (record, key) in values.iter().zip(&keys) {
        assert_eq!(path_str(&record, "eventID"), key[35..]);
    }

    // A call whose event is still in memory when the last handle goes: dropping writes it.
    ok(&kms, "ListKeys", json!({})).await;
    drop(kms);
    let again = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let events = lookup(&again, json!({})).await;
    assert_eq!(
        ids(&events),
        [
            "ListKeys",
            "DescribeKey",
            "Encrypt",
            "Encrypt",
            "Encrypt",
            "CreateKey"
        ]
    );
    let mut request_ids = Vec::new();
    for event in &events[2..5] {
        let record: Value =
            serde_json::from_str(event["CloudTrailEvent"].as_str().unwrap()).unwrap();
        assert_eq!(record["eventID"], event["EventId"]);
        assert_eq!(record["requestParameters"]["keyId"], key.as_str());
        let time = event["EventTime"].as_f64().unwrap() * 1000.0;
        let iso = Date::new(&time.into()).to_iso_string();
        assert_eq!(
            record["eventTime"].as_str().unwrap(),
            String::from(iso).replace(".000Z", "Z")
        );
        request_ids.push(record["requestID"].as_str().unwrap().to_string());
    }
    request_ids.sort();
    request_ids.dedup();
    assert_eq!(request_ids.len(), 3);
    // New events sort after the old ones (the LookupEvents just made among them), and a page
    // boundary holds across both.
    ok(&again, "GetKeyPolicy", json!({"KeyId": key})).await;
    let page = again
        .call_service(
            kms_web_service("cloudtrail"),
            REGION,
            "LookupEvents",
            json!({"MaxResults": 4}),
        )
        .await
        .unwrap();
    assert_eq!(
        ids(page["Events"].as_array().unwrap()),
        ["GetKeyPolicy", "LookupEvents", "ListKeys", "DescribeKey"]
    );
    let rest = again
        .call_service(
            kms_web_service("cloudtrail"),
            REGION,
            "LookupEvents",
            json!({"MaxResults": 4, "NextToken": page["NextToken"]}),
        )
        .await
        .unwrap();
    // The LookupEvents of the first page is newer than the page's end: not on the next one.
    assert_eq!(
        ids(rest["Events"].as_array().unwrap()),
        ["Encrypt", "Encrypt", "Encrypt", "CreateKey"]
    );
    assert!(rest.get("NextToken").is_none());
    drop(again);
    kms_web::delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn advancing_the_clock_deletes_a_pending_key_records_kms_deletekey_and_retention_applies() {
    let name = unique("trail-clock");
    let kms = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let created = ok(&kms, "CreateKey", json!({})).await;
    let key = created["KeyMetadata"]["KeyId"]
        .as_str()
        .unwrap()
        .to_string();
    let arn = created["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    let scheduled = ok(
        &kms,
        "ScheduleKeyDeletion",
        json!({"KeyId": key, "PendingWindowInDays": 7}),
    )
    .await;
    let deletion_date = scheduled["DeletionDate"].as_f64().unwrap();

    let js = kms.to_js();
    let clock = get(&js, "clock");
    let advance = |seconds: f64| {
        let clock = clock.clone();
        async move {
            wait(
                call_method(&clock, "advance", &Array::of1(&seconds.into()))
                    .unwrap()
                    .unchecked_into(),
            )
            .await
        }
    };
    advance(8.0 * DAY).await;
    let e = kms
        .call("DescribeKey", json!({"KeyId": key}))
        .await
        .unwrap_err();
    assert_eq!(e.error_type.as_str(), "NotFoundException");

    // KMS's own DeleteKey, dated when the window ended, by "AWS Internal".
    let deletes = lookup(
        &kms,
        json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "DeleteKey"}]}),
    )
    .await;
    assert_eq!(deletes.len(), 1);
    let record = record_of(&js_value(&deletes[0]));
    assert_eq!(record["eventType"], "AwsServiceEvent");
    assert_eq!(record["userIdentity"]["invokedBy"], "AWS Internal");
    assert_eq!(record["resources"][0]["ARN"], arn);
    assert_eq!(record["awsRegion"], REGION);
    assert!((deletes[0]["EventTime"].as_f64().unwrap() - deletion_date).abs() < 1.0);
    // It is stored: a reopened sandbox finds it. (The JS objects hold the sandbox until freed.)
    kms.flush_events().await.unwrap();
    free(clock);
    free(js);
    drop(kms);
    let kms = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let all = lookup(&kms, json!({})).await;
    assert_eq!(
        ids(&all),
        [
            "LookupEvents",
            "DescribeKey",
            "DeleteKey",
            "ScheduleKeyDeletion",
            "CreateKey"
        ]
    );

    // 91 days on, the history no longer holds those events, and writing prunes them.
    let js = kms.to_js();
    let clock = get(&js, "clock");
    wait(
        call_method(&clock, "advance", &Array::of1(&(91.0 * DAY).into()))
            .unwrap()
            .unchecked_into(),
    )
    .await;
    ok(&kms, "ListKeys", json!({})).await;
    assert_eq!(ids(&lookup(&kms, json!({})).await), ["ListKeys"]);
    kms.flush_events().await.unwrap();
    let stored = wait(raw_events(&db_name(&name))).await;
    let values: Array = get(&stored, "events").dyn_into().unwrap();
    let names: Vec<String> = values.iter().map(|v| path_str(&v, "eventName")).collect();
    assert_eq!(names, ["ListKeys", "LookupEvents"]);
    assert_eq!(get(&stored, "count").as_f64(), Some(2.0));
    free(clock);
    free(js);
    drop(kms);
    kms_web::delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn the_history_keeps_the_newest_events_up_to_its_cap() {
    let name = unique("trail-cap");
    let kms = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    kms.test_set_event_cap(5);
    // Repeated calls are stored as the record before them plus their ids: trimming the front of
    // a chunk must leave its first event whole.
    let limits = [1, 2, 2, 3, 4, 5, 6, 7];
    let stored_limits = |stored: &JsValue| -> Vec<f64> {
        let events: Array = get(stored, "events").dyn_into().unwrap();
        let keys: Array = get(stored, "eventKeys").dyn_into().unwrap();
        events
            .iter()
            .zip(keys.iter())
            .map(|(record, key)| {
                let key = key.as_string().unwrap();
                assert_eq!(path_str(&record, "eventID"), key[35..], "{key}");
                path(&record, "requestParameters.limit").as_f64().unwrap()
            })
            .collect()
    };
    for (i, limit) in limits.into_iter().enumerate() {
        ok(&kms, "ListAliases", json!({"Limit": limit})).await;
        if i % 3 == 0 {
            kms.flush_events().await.unwrap();
        }
        if i == 6 {
            let stored = wait(raw_events(&db_name(&name))).await;
            assert_eq!(stored_limits(&stored), [2.0, 3.0, 4.0, 5.0, 6.0]);
        }
    }
    kms.flush_events().await.unwrap();
    let stored = wait(raw_events(&db_name(&name))).await;
    let values: Array = get(&stored, "events").dyn_into().unwrap();
    assert_eq!(values.length(), 5);
    assert_eq!(get(&stored, "count").as_f64(), Some(5.0));
    // The newest five, oldest first.
    assert_eq!(stored_limits(&stored), [3.0, 4.0, 5.0, 6.0, 7.0]);
    let events = lookup(&kms, json!({})).await;
    assert_eq!(ids(&events), ["ListAliases"; 5]);

    // In memory too.
    let mem = Sandbox::memory(Some(REGION.into()), None);
    mem.test_set_event_cap(3);
    for _ in 0..5 {
        ok(&mem, "ListKeys", json!({})).await;
    }
    // The LookupEvents call itself is recorded after it answers.
    assert_eq!(lookup(&mem, json!({})).await.len(), 3);
    assert_eq!(ids(&lookup(&mem, json!({})).await)[0], "LookupEvents");
    drop(kms);
    kms_web::delete_sandbox(&name).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_handle_whose_principal_is_gone_is_refused_and_recorded_as_unknown() {
    let kms = Sandbox::memory(Some(REGION.into()), None);
    let ghost = format!("arn:aws:iam::{ACCOUNT}:user/ghost");
    let e = kms
        .acting_as(&ghost, None)
        .call("ListKeys", json!({}))
        .await
        .unwrap_err();
    assert_eq!(e.error_type.as_str(), "NoSuchEntity");
    let events = lookup(&kms, json!({})).await;
    assert_eq!(ids(&events), ["ListKeys"]);
    let record = record_of(&js_value(&events[0]));
    assert_eq!(record["userIdentity"]["type"], "Unknown");
    assert_eq!(record["userIdentity"]["arn"], ghost);
    assert_eq!(record["errorCode"], "NoSuchEntity");
    // Switched off, nothing is recorded (the benchmark's baseline).
    kms.set_trail_enabled(false);
    ok(&kms, "ListKeys", json!({})).await;
    kms.set_trail_enabled(true);
    assert_eq!(
        ids(&lookup(&kms, json!({})).await),
        ["LookupEvents", "ListKeys"]
    );
}

#[wasm_bindgen_test]
async fn a_role_session_handle_is_recorded_with_its_creation_date() {
    let kms = Sandbox::memory(Some(REGION.into()), None);
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": format!("arn:aws:iam::{ACCOUNT}:root")}, "Action": "sts:AssumeRole"}]});
    kms.call_service(
        kms_web_service("iam"),
        REGION,
        "CreateRole",
        json!({"RoleName": "auditor", "AssumeRolePolicyDocument": trust.to_string()}),
    )
    .await
    .unwrap();
    let role = format!("arn:aws:iam::{ACCOUNT}:role/auditor");
    let handle = kms.acting_as(&role, Some("s1"));
    let _ = handle.call("ListKeys", json!({})).await;
    let events = lookup(
        &kms,
        json!({"LookupAttributes": [
        {"AttributeKey": "EventName", "AttributeValue": "ListKeys"}]}),
    )
    .await;
    let record = record_of(&js_value(&events[0]));
    let identity = &record["userIdentity"];
    assert_eq!(identity["type"], "AssumedRole");
    let created = identity["sessionContext"]["attributes"]["creationDate"]
        .as_str()
        .unwrap_or_else(|| panic!("no creationDate: {identity}"));
    // The handle's making, to the second, at or before the call's own time.
    assert!(created.len() == 20 && created.ends_with('Z'), "{created}");
    assert!(
        created <= record["eventTime"].as_str().unwrap(),
        "{created}"
    );
}

/// Frees a wasm-bindgen object (a `KmsSandbox`, its clock) now rather than when collected.
fn free(object: JsValue) {
    call_method(&object, "free", &Array::new()).unwrap();
}

/// A JSON value as a JavaScript value.
fn js_value(v: &Value) -> JsValue {
    js(v.clone())
}

#[wasm_bindgen_test]
async fn key_last_usage_and_the_bill_survive_reopening_the_sandbox() {
    let name = unique("trail-usage");
    let key;
    let decrypt_event;
    {
        let kms = Sandbox::open(&name, Some(REGION.into()), None)
            .await
            .unwrap();
        key = ok(&kms, "CreateKey", json!({})).await["KeyMetadata"]["KeyId"]
            .as_str()
            .unwrap()
            .to_string();
        let blob = ok(
            &kms,
            "Encrypt",
            json!({"KeyId": key, "Plaintext": b64(b"x")}),
        )
        .await["CiphertextBlob"]
            .clone();
        ok(&kms, "Decrypt", json!({"CiphertextBlob": blob})).await;
        ok(&kms, "DescribeKey", json!({"KeyId": key})).await;
        let last = ok(&kms, "GetKeyLastUsage", json!({"KeyId": key})).await;
        assert_eq!(last["KeyLastUsage"]["Operation"], "Decrypt", "{last}");
        decrypt_event = last["KeyLastUsage"]["CloudTrailEventId"].clone();
        let decrypts = lookup(
            &kms,
            json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "Decrypt"}]}),
        )
        .await;
        assert_eq!(
            decrypts[0]["EventId"], decrypt_event,
            "the use names its event"
        );
        kms.flush_events().await.unwrap();
    }
    let kms = Sandbox::open(&name, Some(REGION.into()), None)
        .await
        .unwrap();
    let last = ok(&kms, "GetKeyLastUsage", json!({"KeyId": key})).await;
    assert_eq!(last["KeyLastUsage"]["Operation"], "Decrypt");
    assert_eq!(last["KeyLastUsage"]["CloudTrailEventId"], decrypt_event);

    // The JS API's bill: this month's requests (CreateKey, Encrypt, Decrypt, DescribeKey,
    // GetKeyLastUsage twice) and the key's hours so far.
    let bill = call_method(&kms.to_js(), "bill", &Array::new()).unwrap();
    let bill: Value = serde_wasm_bindgen::from_value(bill).unwrap();
    let region = bill["regions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["region"] == REGION)
        .unwrap_or_else(|| panic!("no {REGION} in {bill}"));
    let requests = region["lineItems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["kind"] == "Requests" && l["priceClass"] == "Symmetric")
        .unwrap();
    assert!(requests["quantity"].as_f64().unwrap() >= 6.0, "{requests}");
    assert_eq!(
        requests["free"], requests["quantity"],
        "within the free tier"
    );
    assert!(region["lineItems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["kind"] == "Keys"));
    assert_eq!(bill["freeRequests"], 20_000);
}

/// An in-memory history keeps a repeated call as its template and what varies (its record is made
/// when it is read): each event still reads whole and on its own, with its own request and event
/// ids, and lookup filters see every field.
#[wasm_bindgen_test]
async fn an_in_memory_history_answers_repeated_calls_whole() {
    let kms = Sandbox::memory(Some(REGION.into()), None);
    let key = ok(&kms, "CreateKey", json!({})).await;
    let arn = key["KeyMetadata"]["Arn"].as_str().unwrap().to_string();
    for _ in 0..3 {
        ok(&kms, "Encrypt", json!({"KeyId": arn, "Plaintext": "AAAA"})).await;
    }
    ok(&kms, "ListKeys", json!({})).await;

    let encrypts = lookup(
        &kms,
        json!({"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "Encrypt"}]}),
    )
    .await;
    assert_eq!(ids(&encrypts), ["Encrypt"; 3]);
    let records: Vec<Value> = encrypts
        .iter()
        .map(|e| serde_json::from_str(e["CloudTrailEvent"].as_str().unwrap()).unwrap())
        .collect();
    for (event, record) in encrypts.iter().zip(&records) {
        assert_eq!(record["eventName"], "Encrypt");
        assert_eq!(record["eventID"], event["EventId"]);
        assert_eq!(record["resources"][0]["ARN"], arn.as_str());
    }
    let distinct = |field: &str| {
        let mut v: Vec<String> = records.iter().map(|r| r[field].to_string()).collect();
        v.sort();
        v.dedup();
        v.len()
    };
    assert_eq!(distinct("requestID"), 3);
    assert_eq!(distinct("eventID"), 3);

    // By the key's ARN: its CreateKey and the three Encrypts, not ListKeys.
    let by_key = lookup(
        &kms,
        json!({"LookupAttributes": [{"AttributeKey": "ResourceName", "AttributeValue": arn}]}),
    )
    .await;
    assert_eq!(ids(&by_key), ["Encrypt", "Encrypt", "Encrypt", "CreateKey"]);
    // Pages of one walk the same events.
    let mut token: Option<String> = None;
    let mut walked = Vec::new();
    loop {
        let mut req = json!({"MaxResults": 1, "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": "Encrypt"}]});
        if let Some(t) = &token {
            req["NextToken"] = json!(t);
        }
        let out = kms
            .call_service(kms_web_service("cloudtrail"), REGION, "LookupEvents", req)
            .await
            .unwrap();
        walked.extend(
            out["Events"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["EventId"].clone()),
        );
        match out["NextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    let all: Vec<Value> = encrypts.iter().map(|e| e["EventId"].clone()).collect();
    assert_eq!(walked, all);
}
