//! The Roles tab: the account's IAM roles, and creating one with a trust policy (prefilled to
//! trust this account, as the AWS console's "AWS account: this account" choice does).

use super::common::{date, send_iam, text_field};
use crate::app::Route;
use crate::components::{ErrorAlert, Modal, PolicyEditor, Spinner};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::iam::{default_trust_policy, read, Role};
use crate::kms::ApiError;
use crate::state::{Action, FlashKind};
use crate::util;
use serde_json::json;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component]
pub fn RolesPanel() -> Html {
    let kms = use_kms();
    let (roles, reload) = use_loader(kms.clone(), |kms| async move {
        let v = kms.iam("ListRoles", json!({})).await?;
        read::<Vec<Role>>(&v, "Roles").map_err(|e| ApiError::local("SerializationException", e))
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
    let count = match &*roles {
        Load::Ready(r) => format!("({})", r.len()),
        _ => String::new(),
    };
    html! {
        <div class="panel table-panel">
            <div class="panel-header">
                <h2>{"Roles "}<span class="count">{ count }</span></h2>
                <div class="panel-actions">
                    <button type="button" class="btn" onclick={reload.reform(|_| ())} aria-label="Refresh roles">{"Refresh"}</button>
                    <button type="button" class="btn btn-primary" onclick={set_creating(true).reform(|_: MouseEvent| ())}>{"Create role"}</button>
                </div>
            </div>
            { match &*roles {
                Load::Loading => html! { <Spinner /> },
                Load::Failed(e) => html! { <div class="panel-body"><ErrorAlert error={e.clone()} /></div> },
                Load::Ready(list) if list.is_empty() => html! {
                    <div class="panel-body empty"><strong>{"No roles"}</strong><p>{"A role is an identity that principals it trusts assume for a session."}</p></div>
                },
                Load::Ready(list) => html! {
                    <div class="table-scroll">
                        <table class="table" data-iam-table="roles">
                            <thead><tr><th scope="col">{"Role name"}</th><th scope="col">{"Description"}</th><th scope="col">{"ARN"}</th><th scope="col">{"Created"}</th></tr></thead>
                            <tbody>
                                { for list.iter().map(|r| html! {
                                    <tr data-name={r.role_name.clone()}>
                                        <td><Link<Route> to={Route::IamRole { name: r.role_name.clone() }}>{ &r.role_name }</Link<Route>></td>
                                        <td>{ r.description.clone().unwrap_or_else(|| "-".into()) }</td>
                                        <td class="mono small">{ &r.arn }</td>
                                        <td>{ date(r.create_date) }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                },
            } }
            if *creating { <CreateRoleDialog on_close={set_creating(false)} on_created={created} /> }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CreateProps {
    on_close: Callback<()>,
    on_created: Callback<()>,
}

#[function_component]
fn CreateRoleDialog(p: &CreateProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let name = use_state(String::new);
    let description = use_state(String::new);
    let trust = use_state(|| default_trust_policy(&kms.account_id()));
    let error = use_state(|| None::<ApiError>);
    let create = {
        let (kms, name, description, trust, error, done) = (
            kms.clone(),
            name.clone(),
            description.clone(),
            trust.clone(),
            error.clone(),
            p.on_created.clone(),
        );
        Callback::from(move |_| {
            let mut body = json!({ "RoleName": name.trim(), "AssumeRolePolicyDocument": *trust });
            if !description.trim().is_empty() {
                body["Description"] = json!(description.trim());
            }
            let (done, console, role) = (done.clone(), console.clone(), name.trim().to_string());
            send_iam(&kms, "CreateRole".into(), body, &error, move |_| {
                console.dispatch(Action::Flash(
                    FlashKind::Success,
                    format!("Role {role} was created."),
                    None,
                ));
                done.emit(())
            });
        })
    };
    let footer = html! { <>
        <button type="button" class="btn" onclick={p.on_close.reform(|_| ())}>{"Cancel"}</button>
        <button type="button" class="btn btn-primary" onclick={create}>{"Create role"}</button>
    </> };
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.set(util::input_value(&e)))
    };
    html! {
        <Modal title="Create role" on_close={p.on_close.clone()} {footer} wide=true>
            { text_field("role-name", "Role name", &name, "Up to 64 letters, digits and +=,.@_-", set(&name)) }
            { text_field("role-description", "Description - optional", &description, "", set(&description)) }
            <PolicyEditor id="trust-policy" label="Trust policy" value={(*trust).clone()} rows={12}
                hint="Who can assume this role. By default, any principal of this account whose IAM policies allow sts:AssumeRole on it."
                on_change={ let t = trust.clone(); Callback::from(move |v| t.set(v)) } />
            if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
        </Modal>
    }
}
