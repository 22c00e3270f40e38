//! One customer managed policy: its document (edit = a new default version, as the IAM console
//! saves), where it is attached, deletion.

use super::common::{send_iam, Confirm};
use super::detail::{document_panel, kv, loaded, DocumentPanel, NameProps};
use crate::components::CopyButton;
use crate::hooks::{use_console, use_kms, use_loader};
use crate::iam::{read, show_document, ManagedPolicy};
use crate::kms::{ApiError, Kms};
use crate::route::Route;
use crate::state::{Action, FlashKind};
use serde_json::{json, Value};
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Clone, PartialEq)]
struct Loaded {
    policy: ManagedPolicy,
    document: String,
    users: Vec<String>,
    roles: Vec<String>,
}

fn names(v: &Value, list: &str, member: &str) -> Vec<String> {
    v[list]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e[member].as_str().map(str::to_string))
        .collect()
}

async fn load(kms: Kms, name: String) -> Result<Loaded, ApiError> {
    let list = kms.iam("ListPolicies", json!({ "Scope": "Local" })).await?;
    let policy = read::<Vec<ManagedPolicy>>(&list, "Policies")
        .map_err(|e| ApiError::local("SerializationException", e))?
        .into_iter()
        .find(|p| p.policy_name == name)
        .ok_or_else(|| {
            ApiError::local(
                "NoSuchEntity",
                format!("Policy {name} was not found in this account."),
            )
        })?;
    let version = kms
        .iam(
            "GetPolicyVersion",
            json!({ "PolicyArn": policy.arn, "VersionId": policy.default_version_id }),
        )
        .await?;
    let entities = kms
        .iam("ListEntitiesForPolicy", json!({ "PolicyArn": policy.arn }))
        .await?;
    Ok(Loaded {
        document: show_document(
            version["PolicyVersion"]["Document"]
                .as_str()
                .unwrap_or_default(),
        ),
        users: names(&entities, "PolicyUsers", "UserName"),
        roles: names(&entities, "PolicyRoles", "RoleName"),
        policy,
    })
}

/// Old versions in the way: IAM keeps at most five, and a policy goes only once it has one.
async fn non_default_versions(kms: &Kms, arn: &str) -> Result<Vec<String>, ApiError> {
    let v = kms
        .iam("ListPolicyVersions", json!({ "PolicyArn": arn }))
        .await?;
    Ok(v["Versions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| !v["IsDefaultVersion"].as_bool().unwrap_or(false))
        .filter_map(|v| v["VersionId"].as_str().map(str::to_string))
        .collect())
}

const POLICY_DOCUMENT: DocumentPanel = DocumentPanel {
    panel: "policy-document",
    title: "Permissions defined in this policy",
    edit: "Edit",
    hint: None,
    testid: "policy-document",
    editor_id: "managed-policy-editor",
    editor_label: "Policy editor",
    rows: 16,
    save: "Save changes",
};

#[function_component]
pub fn IamPolicyPage(p: &NameProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let navigator = use_navigator().expect("router");
    let (data, reload) = use_loader((kms.clone(), p.name.clone()), |(kms, name)| load(kms, name));
    let draft = use_state(|| None::<String>);
    let deleting = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let (crumbs, d) = match loaded(&data, ("Policies", "policies"), &p.name) {
        Ok(ready) => ready,
        Err(page) => return page,
    };
    let arn = d.policy.arn.clone();
    let save = {
        let captured = (
            kms.clone(),
            console.clone(),
            draft.clone(),
            error.clone(),
            reload.clone(),
            arn.clone(),
        );
        Callback::from(move |_| {
            let (kms, console, draft, error, reload, arn) = captured.clone();
            let Some(doc) = (*draft).clone() else { return };
            wasm_bindgen_futures::spawn_local(async move {
                // IAM keeps five versions: drop the oldest non-default one first, as the console offers.
                if let Ok(old) = non_default_versions(&kms, &arn).await {
                    if old.len() >= 4 {
                        if let Some(oldest) = old.last() {
                            let _ = kms
                                .iam(
                                    "DeletePolicyVersion",
                                    json!({ "PolicyArn": arn, "VersionId": oldest }),
                                )
                                .await;
                        }
                    }
                }
                let body = json!({ "PolicyArn": arn, "PolicyDocument": doc, "SetAsDefault": true });
                send_iam(&kms, "CreatePolicyVersion".into(), body, &error, move |v| {
                    console.dispatch(Action::Flash(
                        FlashKind::Success,
                        format!(
                            "The policy was saved as version {}.",
                            v["PolicyVersion"]["VersionId"].as_str().unwrap_or("?")
                        ),
                        None,
                    ));
                    draft.set(None);
                    reload.emit(());
                });
            });
        })
    };
    let delete = {
        let captured = (
            kms.clone(),
            console.clone(),
            navigator.clone(),
            error.clone(),
            arn.clone(),
            d.policy.policy_name.clone(),
        );
        Callback::from(move |_| {
            let (kms, console, navigator, error, arn, name) = captured.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let result = async {
                    for v in non_default_versions(&kms, &arn).await? {
                        kms.iam(
                            "DeletePolicyVersion",
                            json!({ "PolicyArn": arn, "VersionId": v }),
                        )
                        .await?;
                    }
                    kms.iam("DeletePolicy", json!({ "PolicyArn": arn })).await
                };
                match result.await {
                    Ok(_) => {
                        console.dispatch(Action::FlashNextPage(
                            FlashKind::Success,
                            format!("Policy {name} was deleted."),
                            None,
                        ));
                        navigator.push(&Route::IamTab {
                            tab: "policies".into(),
                        });
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let attached: Vec<Html> = d
        .users
        .iter()
        .map(|u| html! { <li>{"User "}<Link<Route> to={Route::IamUser { name: u.clone() }}>{ u }</Link<Route>></li> })
        .chain(d.roles.iter().map(|r| html! { <li>{"Role "}<Link<Route> to={Route::IamRole { name: r.clone() }}>{ r }</Link<Route>></li> }))
        .collect();
    html! {
        <div class="page">
            { crumbs }
            <div class="page-header">
                <h1 data-testid="iam-title">{ &d.policy.policy_name }</h1>
                <div class="panel-actions">
                    <button type="button" class="btn" onclick={ let x = deleting.clone(); let e = error.clone(); Callback::from(move |_| { e.set(None); x.set(true) }) }>{"Delete policy"}</button>
                </div>
            </div>
            <div class="panel">
                <div class="panel-header"><h2>{"Policy details"}</h2></div>
                <div class="panel-body grid-3">
                    { kv("ARN", html! { <span class="arn"><span class="mono small">{ &arn }</span><CopyButton text={arn.clone()} label="Copy ARN" /></span> }) }
                    { kv("Default version", html! { { &d.policy.default_version_id } }) }
                    { kv("Description", html! { { d.policy.description.clone().unwrap_or_else(|| "-".into()) } }) }
                </div>
            </div>
            { document_panel(&POLICY_DOCUMENT, &d.document, &draft, &error, save) }
            <div class="panel">
                <div class="panel-header"><h2>{"Entities attached"}</h2></div>
                <div class="panel-body">
                    if attached.is_empty() { <p class="empty">{"This policy is not attached to any user or role."}</p> }
                    else { <ul>{ for attached }</ul> }
                </div>
            </div>
            if *deleting {
                <Confirm title={format!("Delete policy {}?", d.policy.policy_name)} action="Delete policy" on_confirm={delete}
                    on_close={ let x = deleting.clone(); Callback::from(move |_| x.set(false)) } error={(*error).clone()}>
                    <p>{"IAM refuses to delete a policy that is still attached: detach it from its users and roles first."}</p>
                </Confirm>
            }
        </div>
    }
}
