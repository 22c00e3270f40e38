//! One IAM role: summary, trust policy (view and edit), permissions, deletion.

use super::attached_policies::AttachedPolicies;
use super::common::{date, send_iam, DeleteEntityButton, Entity};
use super::iam_breadcrumbs;
use super::inline_policies::InlinePolicies;
use super::user_detail::NameProps;
use crate::app::Route;
use crate::components::{CopyButton, ErrorAlert, PolicyEditor, Spinner};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::iam::{show_document, Role};
use crate::kms::ApiError;
use crate::state::{Action, FlashKind};
use serde_json::json;
use yew::prelude::*;

#[function_component]
pub fn IamRolePage(p: &NameProps) -> Html {
    let kms = use_kms();
    let (role, reload) = use_loader((kms.clone(), p.name.clone()), |(kms, name)| async move {
        let v = kms.iam("GetRole", json!({ "RoleName": name })).await?;
        serde_json::from_value::<Role>(v["Role"].clone())
            .map_err(|e| ApiError::local("SerializationException", e.to_string()))
    });
    let crumbs = iam_breadcrumbs(&[
        (
            "Roles",
            Some(Route::IamTab {
                tab: "roles".into(),
            }),
        ),
        (p.name.as_str(), None),
    ]);
    let r = match &*role {
        Load::Loading => return html! { <div class="page">{ crumbs }<Spinner /></div> },
        Load::Failed(e) => {
            return html! { <div class="page">{ crumbs }<h1>{ &p.name }</h1><ErrorAlert error={e.clone()} /></div> }
        }
        Load::Ready(r) => r.clone(),
    };
    let kv = |k: &str, v: Html| html! { <div class="kv"><div class="kv-key">{ k.to_string() }</div><div class="kv-value">{ v }</div></div> };
    html! {
        <div class="page">
            { crumbs }
            <div class="page-header">
                <h1 data-testid="iam-title">{ &r.role_name }</h1>
                <div class="panel-actions"><DeleteEntityButton entity={Entity::Role} name={r.role_name.clone()} /></div>
            </div>
            <div class="panel">
                <div class="panel-header"><h2>{"Summary"}</h2></div>
                <div class="panel-body grid-3">
                    { kv("ARN", html! { <span class="arn"><span class="mono small" data-testid="iam-arn">{ &r.arn }</span><CopyButton text={r.arn.clone()} label="Copy ARN" /></span> }) }
                    { kv("Description", html! { { r.description.clone().unwrap_or_else(|| "-".into()) } }) }
                    { kv("Created", html! { { date(r.create_date) } }) }
                    { kv("Path", html! { <span class="mono">{ &r.path }</span> }) }
                    { kv("Console session", html! { <span class="mono small">{ format!("arn:aws:sts::{}:assumed-role/{}/console", kms.account_id(), r.role_name) }</span> }) }
                </div>
            </div>
            <TrustPolicy role={r.role_name.clone()} document={show_document(&r.assume_role_policy_document)} reload={reload} />
            <InlinePolicies entity={Entity::Role} name={r.role_name.clone()} />
            <AttachedPolicies entity={Entity::Role} name={r.role_name.clone()} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct TrustProps {
    role: AttrValue,
    document: AttrValue,
    reload: Callback<()>,
}

/// The role's trust policy: who may assume it (UpdateAssumeRolePolicy to change it).
#[function_component]
fn TrustPolicy(p: &TrustProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let draft = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let save = {
        let (kms, console, draft, error, reload, role) = (
            kms.clone(),
            console.clone(),
            draft.clone(),
            error.clone(),
            p.reload.clone(),
            p.role.to_string(),
        );
        Callback::from(move |_| {
            let Some(doc) = (*draft).clone() else { return };
            let (console, draft, reload) = (console.clone(), draft.clone(), reload.clone());
            let body = json!({ "RoleName": role, "PolicyDocument": doc });
            send_iam(
                &kms,
                "UpdateAssumeRolePolicy".into(),
                body,
                &error,
                move |_| {
                    console.dispatch(Action::Flash(
                        FlashKind::Success,
                        "The trust policy was updated.".into(),
                        None,
                    ));
                    draft.set(None);
                    reload.emit(());
                },
            );
        })
    };
    html! {
        <div class="panel" data-panel="trust-policy">
            <div class="panel-header">
                <h2>{"Trust policy"}</h2>
                if draft.is_none() {
                    <button type="button" class="btn" onclick={ let d = draft.clone(); let doc = p.document.to_string(); Callback::from(move |_| d.set(Some(doc.clone()))) }>{"Edit trust policy"}</button>
                }
            </div>
            <div class="panel-body">
                <p class="hint">{"Who can assume this role (sts:AssumeRole). The console acts as a session of the role without assuming it; the SDK's AssumeRole is decided by this policy."}</p>
                { match &*draft {
                    None => html! { <pre class="code" data-testid="trust-policy">{ &p.document }</pre> },
                    Some(doc) => html! {
                        <>
                            <PolicyEditor id="trust-policy-editor" label="Trust policy" value={doc.clone()} rows={14}
                                on_change={ let d = draft.clone(); Callback::from(move |v| d.set(Some(v))) } />
                            if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                            <div class="button-row">
                                <button type="button" class="btn" onclick={ let d = draft.clone(); let e = error.clone(); Callback::from(move |_| { d.set(None); e.set(None) }) }>{"Cancel"}</button>
                                <button type="button" class="btn btn-primary" onclick={save}>{"Update policy"}</button>
                            </div>
                        </>
                    },
                } }
            </div>
        </div>
    }
}
