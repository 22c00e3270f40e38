//! A stack's page (`#/cloudformation/stacks/<name>`): its info, Update, termination protection and
//! Delete, and the Events, Resources, Outputs, Parameters and Template tabs.

use super::stack_tables::{events_table, pairs_table, resources_table};
use super::update::UpdateStack;
use super::{cfn, kv, list, s, status, time};
use crate::components::{ErrorAlert, Modal, Spinner, Tabs};
use crate::hooks::{use_kms, use_loader, Load};
use crate::kms::ApiError;
use crate::pages::breadcrumbs;
use crate::route::Route;
use serde_json::{json, Value};
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StackProps {
    pub name: AttrValue,
}

/// A value, or "-" where the console shows that nothing is set.
fn or_dash(v: String) -> String {
    if v.is_empty() {
        "-".to_string()
    } else {
        v
    }
}

/// Everything a stack's page shows, loaded together.
#[derive(Clone, PartialEq)]
struct StackData {
    stack: Value,
    events: Vec<Value>,
    resources: Vec<Value>,
    template: String,
}

#[function_component]
pub fn StackPage(p: &StackProps) -> Html {
    let kms = use_kms();
    let (data, reload) = use_loader((kms.clone(), p.name.clone()), |(kms, name)| async move {
        let stacks = cfn(&kms, "DescribeStacks", json!({"StackName": name.as_str()})).await?;
        let stack = list(&stacks, "Stacks")
            .into_iter()
            .next()
            .unwrap_or(Value::Null);
        // A deleted stack is described by its id only.
        let id = s(&stack, "StackId");
        let events = cfn(&kms, "DescribeStackEvents", json!({"StackName": id})).await?;
        let resources = cfn(&kms, "DescribeStackResources", json!({"StackName": id})).await?;
        let template = cfn(&kms, "GetTemplate", json!({"StackName": id})).await?;
        Ok(StackData {
            events: list(&events, "StackEvents"),
            resources: list(&resources, "StackResources"),
            template: s(&template, "TemplateBody"),
            stack,
        })
    });
    let tab = use_state(|| AttrValue::Static("events"));
    let updating = use_state(|| false);
    // Delete asks first, as the console does: it deletes the stack's keys too.
    let confirming = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let navigator = use_navigator();
    // A deleted stack is no longer found by name: back to the list, as the console does.
    let delete = {
        let (kms, error, name, navigator, confirming) = (
            kms.clone(),
            error.clone(),
            p.name.clone(),
            navigator.clone(),
            confirming.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            confirming.set(false);
            let (kms, error, name, navigator) =
                (kms.clone(), error.clone(), name.clone(), navigator.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match cfn(&kms, "DeleteStack", json!({"StackName": name.as_str()})).await {
                    Ok(_) => {
                        if let Some(n) = navigator {
                            n.push(&Route::CloudFormation);
                        }
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    // Stack actions > Edit termination protection: the flip of what the stack has.
    let protect = {
        let (kms, error, name, reload) =
            (kms.clone(), error.clone(), p.name.clone(), reload.clone());
        Callback::from(move |enable: bool| {
            let (kms, error, name, reload) =
                (kms.clone(), error.clone(), name.clone(), reload.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let body =
                    json!({"StackName": name.as_str(), "EnableTerminationProtection": enable});
                match cfn(&kms, "UpdateTerminationProtection", body).await {
                    Ok(_) => {
                        error.set(None);
                        reload.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let body = match &*data {
        Load::Loading => html! { <Spinner /> },
        Load::Failed(e) => html! { <ErrorAlert error={e.clone()} /> },
        Load::Ready(d) => {
            let st = s(&d.stack, "StackStatus");
            let deleted = st == "DELETE_COMPLETE";
            let protected = d.stack.get("EnableTerminationProtection") == Some(&Value::Bool(true));
            let tabs: Vec<(AttrValue, AttrValue)> =
                ["events", "resources", "outputs", "parameters", "template"]
                    .iter()
                    .map(|t| {
                        (
                            AttrValue::Static(t),
                            AttrValue::from(format!("{}{}", t[..1].to_uppercase(), &t[1..])),
                        )
                    })
                    .collect();
            html! { <>
                <div class="panel">
                    <div class="panel-header">
                        <h2>{"Stack info"}</h2>
                        <div class="panel-actions">
                            <button type="button" class="btn" onclick={reload.reform(|_| ())} aria-label="Refresh stack">{"Refresh"}</button>
                            <button type="button" class="btn" disabled={deleted} onclick={ let u = updating.clone(); Callback::from(move |_| u.set(!*u)) }>{"Update"}</button>
                            <button type="button" class="btn" data-cfn="protect" disabled={deleted}
                                onclick={protect.reform(move |_| !protected)}>
                                { if protected { "Deactivate termination protection" } else { "Activate termination protection" } }
                            </button>
                            <button type="button" class="btn" data-cfn="delete" disabled={deleted}
                                onclick={ let c = confirming.clone(); Callback::from(move |_| c.set(true)) }>{"Delete"}</button>
                        </div>
                    </div>
                    <div class="panel-body grid-2">
                        { kv("Stack ID", html! { <span class="mono small">{ s(&d.stack, "StackId") }</span> }) }
                        { kv("Status", status(&st)) }
                        { kv("Description", html! { or_dash(s(&d.stack, "Description")) }) }
                        { kv("Status reason", html! { or_dash(s(&d.stack, "StackStatusReason")) }) }
                        { kv("Created time", html! { time(&d.stack, "CreationTime") }) }
                        { kv("Updated time", html! { or_dash(time(&d.stack, "LastUpdatedTime")) }) }
                        if deleted { { kv("Deleted time", html! { time(&d.stack, "DeletionTime") }) } }
                        { kv("Termination protection", html! {
                            <span data-cfn-protection={if protected { "on" } else { "off" }}>
                                { if protected { "Activated" } else { "Deactivated" } }
                            </span>
                        }) }
                    </div>
                </div>
                if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                if *confirming {
                    <Modal title="Delete stack?" on_close={ let c = confirming.clone(); Callback::from(move |_| c.set(false)) }
                        footer={html! { <>
                            <button type="button" class="btn" onclick={ let c = confirming.clone(); Callback::from(move |_| c.set(false)) }>{"Cancel"}</button>
                            <button type="button" class="btn btn-primary" data-cfn="confirm-delete" onclick={delete.clone()}>{"Delete"}</button>
                        </> }}>
                        <p>{ format!("Deleting stack {} deletes all of its resources: its KMS keys are scheduled for deletion and its aliases are deleted.", p.name) }</p>
                    </Modal>
                }
                if *updating && !deleted {
                    <UpdateStack name={p.name.clone()} template={d.template.clone()}
                        params={serde_json::to_string_pretty(&Value::Array(list(&d.stack, "Parameters").into_iter().map(|x| json!({"ParameterKey": s(&x, "ParameterKey"), "ParameterValue": s(&x, "ParameterValue")})).collect())).unwrap_or_default()}
                        on_done={ let (u, r) = (updating.clone(), reload.clone()); Callback::from(move |_| { u.set(false); r.emit(()) }) } />
                }
                <Tabs tabs={tabs} active={(*tab).clone()} on_select={ let t = tab.clone(); Callback::from(move |v| t.set(v)) } />
                <div class="panel table-panel" role="tabpanel">
                    { match tab.as_str() {
                        "resources" => resources_table(&d.resources),
                        "outputs" => pairs_table("Outputs", &list(&d.stack, "Outputs"), "OutputKey", "OutputValue", Some("Description")),
                        "parameters" => pairs_table("Parameters", &list(&d.stack, "Parameters"), "ParameterKey", "ParameterValue", None),
                        "template" => html! { <pre class="code-block" data-cfn-template="">{ &d.template }</pre> },
                        _ => events_table(&d.events),
                    } }
                </div>
            </> }
        }
    };
    html! {
        <div class="page cfn-stack-page">
            { breadcrumbs(&[("CloudFormation", Some(Route::CloudFormation)), (p.name.as_str(), None)]) }
            <h1>{ p.name.to_string() }</h1>
            { body }
        </div>
    }
}
