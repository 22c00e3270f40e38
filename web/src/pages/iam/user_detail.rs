//! One IAM user: summary, permissions (inline and managed policies), access keys, deletion.

use super::access_keys::AccessKeys;
use super::attached_policies::AttachedPolicies;
use super::common::{date, DeleteEntityButton, Entity};
use super::iam_breadcrumbs;
use super::inline_policies::InlinePolicies;
use crate::app::Route;
use crate::components::{CopyButton, ErrorAlert, Spinner};
use crate::hooks::{use_kms, use_loader, Load};
use crate::iam::User;
use crate::kms::ApiError;
use serde_json::json;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NameProps {
    pub name: String,
}

#[function_component]
pub fn IamUserPage(p: &NameProps) -> Html {
    let kms = use_kms();
    let (user, _) = use_loader((kms.clone(), p.name.clone()), |(kms, name)| async move {
        let v = kms.iam("GetUser", json!({ "UserName": name })).await?;
        serde_json::from_value::<User>(v["User"].clone())
            .map_err(|e| ApiError::local("SerializationException", e.to_string()))
    });
    let crumbs = iam_breadcrumbs(&[
        (
            "Users",
            Some(Route::IamTab {
                tab: "users".into(),
            }),
        ),
        (p.name.as_str(), None),
    ]);
    let u = match &*user {
        Load::Loading => return html! { <div class="page">{ crumbs }<Spinner /></div> },
        Load::Failed(e) => {
            return html! { <div class="page">{ crumbs }<h1>{ &p.name }</h1><ErrorAlert error={e.clone()} /></div> }
        }
        Load::Ready(u) => u.clone(),
    };
    let kv = |k: &str, v: Html| html! { <div class="kv"><div class="kv-key">{ k.to_string() }</div><div class="kv-value">{ v }</div></div> };
    html! {
        <div class="page">
            { crumbs }
            <div class="page-header">
                <h1 data-testid="iam-title">{ &u.user_name }</h1>
                <div class="panel-actions"><DeleteEntityButton entity={Entity::User} name={u.user_name.clone()} /></div>
            </div>
            <div class="panel">
                <div class="panel-header"><h2>{"Summary"}</h2></div>
                <div class="panel-body grid-3">
                    { kv("ARN", html! { <span class="arn"><span class="mono small" data-testid="iam-arn">{ &u.arn }</span><CopyButton text={u.arn.clone()} label="Copy ARN" /></span> }) }
                    { kv("Path", html! { <span class="mono">{ &u.path }</span> }) }
                    { kv("Created", html! { { date(u.create_date) } }) }
                    { kv("Tags", html! { { if u.tags.is_empty() { "-".to_string() } else {
                        u.tags.iter().map(|t| format!("{}={}", t.key, t.value)).collect::<Vec<_>>().join(", ") } } }) }
                </div>
            </div>
            <InlinePolicies entity={Entity::User} name={u.user_name.clone()} />
            <AttachedPolicies entity={Entity::User} name={u.user_name.clone()} />
            <AccessKeys user={u.user_name.clone()} />
        </div>
    }
}
