//! `#/cloudformation`: the sandbox's CloudFormation stacks as the AWS CloudFormation console
//! shows them: the stack list with statuses, Create stack (a template pasted or uploaded, and a
//! parameters file in the CLI's JSON list form or a form read from the template's Parameters),
//! and a stack's page with Events, Resources, Outputs, Parameters and Template tabs, Update and
//! Delete.
//!
//! One module per component; here, what they share: the CloudFormation calls and how a stack's
//! values show.

mod create;
mod stack;
mod stack_tables;
mod stacks;
mod template;
mod update;

pub use stack::StackPage;
pub use stacks::CloudFormationPage;

use crate::kms::{ApiError, Kms};
use crate::util;
use kms_web::types::Service;
use serde_json::Value;
use yew::prelude::*;

/// Calls CloudFormation's `op` in the console's Region, as the console's caller.
pub(super) async fn cfn(kms: &Kms, op: &str, body: Value) -> Result<Value, ApiError> {
    Ok(kms
        .call_service(Service::CloudFormation, kms.region(), op, body)
        .await?)
}

/// The string `k` of `v`, empty if there is none.
pub(super) fn s(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The list `k` of `v`, empty if there is none.
pub(super) fn list(v: &Value, k: &str) -> Vec<Value> {
    v.get(k)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

/// The time `k` of `v` (epoch seconds) as the console writes dates, empty if there is none.
pub(super) fn time(v: &Value, k: &str) -> String {
    v.get(k)
        .and_then(Value::as_f64)
        .map(util::format_date)
        .unwrap_or_default()
}

/// A CloudFormation status with the console's colour.
pub(super) fn status(st: &str) -> Html {
    let class = if st.ends_with("_FAILED") || st.contains("ROLLBACK") {
        "status status-warn"
    } else if st.ends_with("_COMPLETE") {
        "status status-ok"
    } else {
        "status status-info"
    };
    html! { <span class={class} data-status={st.to_string()}>{ st }</span> }
}

/// A label over its value, as the key pages show them.
pub(super) fn kv(k: &str, v: Html) -> Html {
    html! { <div class="kv"><div class="kv-key">{ k.to_string() }</div><div class="kv-value">{ v }</div></div> }
}
