//! The Policies tab: the account's customer managed policies, and creating one in the JSON
//! editor.

use super::common::{date, send_iam, text_field};
use crate::app::Route;
use crate::components::{ErrorAlert, Modal, PolicyEditor, Spinner};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::iam::{read, starter_identity_policy, ManagedPolicy};
use crate::kms::ApiError;
use crate::state::{Action, FlashKind};
use crate::util;
use serde_json::json;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component]
pub fn PoliciesPanel() -> Html {
    let kms = use_kms();
    let (policies, reload) = use_loader(kms.clone(), |kms| async move {
        let v = kms.iam("ListPolicies", json!({ "Scope": "Local" })).await?;
        read::<Vec<ManagedPolicy>>(&v, "Policies")
            .map_err(|e| ApiError::local("SerializationException", e))
    });
    let creating = use_state(|| false);
    let set_creating = |on: bool| {
        let c = creating.clone();
        Callback::from(move |_: ()| c.set(on))
    };
    let created = {
        let (c, reload) = (creating.clone(), reload.clone());
        Callback::from(move |_| {
            c.set(false);
            reload.emit(())
        })
    };
    let count = match &*policies {
        Load::Ready(p) => format!("({})", p.len()),
        _ => String::new(),
    };
    html! {
        <div class="panel table-panel">
            <div class="panel-header">
                <h2>{"Customer managed policies "}<span class="count">{ count }</span></h2>
                <div class="panel-actions">
                    <button type="button" class="btn" onclick={reload.reform(|_| ())} aria-label="Refresh policies">{"Refresh"}</button>
                    <button type="button" class="btn btn-primary" onclick={set_creating(true).reform(|_: MouseEvent| ())}>{"Create policy"}</button>
                </div>
            </div>
            { match &*policies {
                Load::Loading => html! { <Spinner /> },
                Load::Failed(e) => html! { <div class="panel-body"><ErrorAlert error={e.clone()} /></div> },
                Load::Ready(list) if list.is_empty() => html! {
                    <div class="panel-body empty"><strong>{"No customer managed policies"}</strong><p>{"A managed policy can be attached to several users and roles."}</p></div>
                },
                Load::Ready(list) => html! {
                    <div class="table-scroll">
                        <table class="table" data-iam-table="policies">
                            <thead><tr><th scope="col">{"Policy name"}</th><th scope="col">{"Attached entities"}</th><th scope="col">{"Description"}</th><th scope="col">{"Created"}</th></tr></thead>
                            <tbody>
                                { for list.iter().map(|p| html! {
                                    <tr data-name={p.policy_name.clone()}>
                                        <td><Link<Route> to={Route::IamPolicy { name: p.policy_name.clone() }}>{ &p.policy_name }</Link<Route>></td>
                                        <td class="num">{ p.attachment_count }</td>
                                        <td>{ p.description.clone().unwrap_or_else(|| "-".into()) }</td>
                                        <td>{ date(p.create_date) }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                },
            } }
            if *creating { <CreatePolicyDialog on_close={set_creating(false)} on_created={created} /> }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CreateProps {
    on_close: Callback<()>,
    on_created: Callback<()>,
}

#[function_component]
fn CreatePolicyDialog(p: &CreateProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let name = use_state(String::new);
    let description = use_state(String::new);
    let document = use_state(starter_identity_policy);
    let error = use_state(|| None::<ApiError>);
    let create = {
        let (kms, name, description, document, error, done) = (
            kms.clone(),
            name.clone(),
            description.clone(),
            document.clone(),
            error.clone(),
            p.on_created.clone(),
        );
        Callback::from(move |_| {
            let mut body = json!({ "PolicyName": name.trim(), "PolicyDocument": *document });
            if !description.trim().is_empty() {
                body["Description"] = json!(description.trim());
            }
            let (done, console, policy) = (done.clone(), console.clone(), name.trim().to_string());
            send_iam(&kms, "CreatePolicy".into(), body, &error, move |_| {
                console.dispatch(Action::Flash(
                    FlashKind::Success,
                    format!("Policy {policy} was created."),
                    None,
                ));
                done.emit(())
            });
        })
    };
    let footer = html! { <>
        <button type="button" class="btn" onclick={p.on_close.reform(|_| ())}>{"Cancel"}</button>
        <button type="button" class="btn btn-primary" onclick={create}>{"Create policy"}</button>
    </> };
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.set(util::input_value(&e)))
    };
    html! {
        <Modal title="Create policy" on_close={p.on_close.clone()} {footer} wide=true>
            { text_field("policy-name", "Policy name", &name, "Up to 128 letters, digits and +=,.@_-", set(&name)) }
            { text_field("policy-description", "Description - optional", &description, "", set(&description)) }
            <PolicyEditor id="policy-document" label="Policy editor" value={(*document).clone()} rows={16}
                on_change={ let d = document.clone(); Callback::from(move |v| d.set(v)) } />
            if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
        </Modal>
    }
}
