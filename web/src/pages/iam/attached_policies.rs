//! A user's or role's attached customer managed policies: attach one of the account's policies,
//! or detach one.

use super::common::{send_iam, Entity};
use super::inline_policies::EntityProps;
use crate::components::{ErrorAlert, Spinner};
use crate::hooks::{use_kms, use_loader, Load};
use crate::iam::{read, AttachedPolicy, ManagedPolicy};
use crate::kms::ApiError;
use crate::route::Route;
use crate::util;
use serde_json::json;
use yew::prelude::*;
use yew_router::prelude::*;

fn bad(e: String) -> ApiError {
    ApiError::local("SerializationException", e)
}

#[function_component]
pub fn AttachedPolicies(p: &EntityProps) -> Html {
    let kms = use_kms();
    let entity: Entity = p.entity;
    let (data, reload) = use_loader(
        (kms.clone(), entity, p.name.to_string()),
        |(kms, entity, name)| async move {
            let who = json!({ entity.name_member(): name });
            let attached = kms.iam(&entity.op("ListAttached{}Policies"), who).await?;
            let all = kms.iam("ListPolicies", json!({ "Scope": "Local" })).await?;
            Ok::<_, ApiError>((
                read::<Vec<AttachedPolicy>>(&attached, "AttachedPolicies").map_err(bad)?,
                read::<Vec<ManagedPolicy>>(&all, "Policies").map_err(bad)?,
            ))
        },
    );
    let pick = use_state(String::new);
    let error = use_state(|| None::<ApiError>);
    let call = |op: &'static str, arn: String| {
        let (kms, error, reload, who, pick) = (
            kms.clone(),
            error.clone(),
            reload.clone(),
            p.name.to_string(),
            pick.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            if arn.is_empty() {
                return;
            }
            let body = json!({ entity.name_member(): who, "PolicyArn": arn });
            let (reload, pick) = (reload.clone(), pick.clone());
            send_iam(&kms, entity.op(op), body, &error, move |_| {
                pick.set(String::new());
                reload.emit(());
            });
        })
    };
    let body = match &*data {
        Load::Loading => html! { <Spinner /> },
        Load::Failed(e) => html! { <ErrorAlert error={e.clone()} /> },
        Load::Ready((attached, all)) => {
            let available: Vec<&ManagedPolicy> = all
                .iter()
                .filter(|m| !attached.iter().any(|a| a.policy_arn == m.arn))
                .collect();
            html! {
                <>
                if attached.is_empty() {
                    <p class="empty">{ format!("No managed policies are attached to this {}.", entity.word()) }</p>
                } else {
                    <table class="table compact" data-iam-table="attached">
                        <thead><tr><th scope="col">{"Policy name"}</th><th scope="col">{"ARN"}</th><th scope="col"><span class="visually-hidden">{"Actions"}</span></th></tr></thead>
                        <tbody>
                            { for attached.iter().map(|a| html! {
                                <tr data-name={a.policy_name.clone()}>
                                    <td><Link<Route> to={Route::IamPolicy { name: a.policy_name.clone() }}>{ &a.policy_name }</Link<Route>></td>
                                    <td class="mono small">{ &a.policy_arn }</td>
                                    <td><button type="button" class="btn btn-small" aria-label={format!("Detach {}", a.policy_name)}
                                        onclick={call("Detach{}Policy", a.policy_arn.clone())}>{"Detach"}</button></td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                }
                if all.is_empty() {
                    <p class="hint">{"The account has no customer managed policies yet: create one on the Policies tab."}</p>
                } else if !available.is_empty() {
                    <div class="field inline">
                        <label for={format!("attach-{}", entity.word())}>{"Attach a managed policy"}</label>
                        <select id={format!("attach-{}", entity.word())} onchange={ let p = pick.clone(); Callback::from(move |e: Event| p.set(util::select_value(&e))) }>
                            <option value="" selected={pick.is_empty()}>{"Choose a policy"}</option>
                            { for available.iter().map(|m| html! {
                                <option value={m.arn.clone()} selected={*pick == m.arn}>{ &m.policy_name }</option>
                            }) }
                        </select>
                        <button type="button" class="btn" disabled={pick.is_empty()} onclick={call("Attach{}Policy", (*pick).clone())}>{"Attach policy"}</button>
                    </div>
                }
                </>
            }
        }
    };
    html! {
        <div class="panel" data-panel="attached-policies">
            <div class="panel-header"><h2>{"Attached managed policies"}</h2></div>
            <div class="panel-body">
                { body }
                if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
            </div>
        </div>
    }
}
