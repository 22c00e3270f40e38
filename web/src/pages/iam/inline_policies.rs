//! A user's or role's inline policies: each shown, edited or deleted in place; new ones added in
//! the JSON editor (PutUserPolicy / PutRolePolicy, which IAM validates).

use super::common::{send_iam, Confirm, Entity};
use crate::components::{ErrorAlert, PolicyEditor, Spinner};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::iam::{show_document, starter_identity_policy};
use crate::kms::ApiError;
use crate::state::{Action, FlashKind};
use crate::util;
use serde_json::json;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EntityProps {
    pub entity: Entity,
    pub name: AttrValue,
}

/// The editor's state: the policy's name, its text, and whether it is a new policy.
#[derive(Clone, PartialEq)]
struct Draft {
    name: String,
    document: String,
    new: bool,
}

#[function_component]
pub fn InlinePolicies(p: &EntityProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let entity = p.entity;
    let (policies, reload) = use_loader(
        (kms.clone(), entity, p.name.to_string()),
        |(kms, entity, name)| async move {
            let who = json!({ entity.name_member(): name });
            let list = kms.iam(&entity.op("List{}Policies"), who.clone()).await?;
            let mut out = Vec::new();
            for n in list["PolicyNames"].as_array().into_iter().flatten() {
                let mut body = who.clone();
                body["PolicyName"] = n.clone();
                let doc = kms.iam(&entity.op("Get{}Policy"), body).await?;
                out.push((
                    n.as_str().unwrap_or_default().to_string(),
                    show_document(doc["PolicyDocument"].as_str().unwrap_or_default()),
                ));
            }
            Ok::<_, ApiError>(out)
        },
    );
    let draft = use_state(|| None::<Draft>);
    let deleting = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);

    let start = |d: Option<Draft>| {
        let (draft, error) = (draft.clone(), error.clone());
        Callback::from(move |_: MouseEvent| {
            error.set(None);
            draft.set(d.clone())
        })
    };
    let save = {
        let (kms, console, draft, error, reload, who) = (
            kms.clone(),
            console.clone(),
            draft.clone(),
            error.clone(),
            reload.clone(),
            p.name.to_string(),
        );
        Callback::from(move |_| {
            let Some(d) = (*draft).clone() else { return };
            let body = json!({ entity.name_member(): who, "PolicyName": d.name.trim(), "PolicyDocument": d.document });
            let (console, draft, reload) = (console.clone(), draft.clone(), reload.clone());
            send_iam(&kms, entity.op("Put{}Policy"), body, &error, move |_| {
                console.dispatch(Action::Flash(
                    FlashKind::Success,
                    format!("The inline policy {} was saved.", d.name.trim()),
                    None,
                ));
                draft.set(None);
                reload.emit(());
            });
        })
    };
    let delete = {
        let (kms, deleting, error, reload, who) = (
            kms.clone(),
            deleting.clone(),
            error.clone(),
            reload.clone(),
            p.name.to_string(),
        );
        Callback::from(move |_| {
            let Some(policy) = (*deleting).clone() else {
                return;
            };
            let body = json!({ entity.name_member(): who, "PolicyName": policy });
            let (deleting, reload) = (deleting.clone(), reload.clone());
            send_iam(&kms, entity.op("Delete{}Policy"), body, &error, move |_| {
                deleting.set(None);
                reload.emit(());
            });
        })
    };

    let editor = match &*draft {
        None => html! {},
        Some(d) => {
            let set_name = {
                let draft = draft.clone();
                Callback::from(move |e: InputEvent| {
                    if let Some(mut d) = (*draft).clone() {
                        d.name = util::input_value(&e);
                        draft.set(Some(d));
                    }
                })
            };
            let set_doc = {
                let draft = draft.clone();
                Callback::from(move |v: String| {
                    if let Some(mut d) = (*draft).clone() {
                        d.document = v;
                        draft.set(Some(d));
                    }
                })
            };
            html! {
                <div class="inline-form" data-testid="inline-policy-editor">
                    <div class="field">
                        <label for="inline-policy-name">{"Policy name"}</label>
                        <input id="inline-policy-name" type="text" value={d.name.clone()} disabled={!d.new} oninput={set_name} />
                    </div>
                    <PolicyEditor id="inline-policy-document" label="Policy editor" value={d.document.clone()} on_change={set_doc} rows={14} />
                    if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                    <div class="button-row">
                        <button type="button" class="btn" onclick={start(None)}>{"Cancel"}</button>
                        <button type="button" class="btn btn-primary" onclick={save}>{"Save policy"}</button>
                    </div>
                </div>
            }
        }
    };
    let word = entity.word();
    html! {
        <div class="panel" data-panel="inline-policies">
            <div class="panel-header">
                <h2>{"Inline policies"}</h2>
                <button type="button" class="btn" onclick={start(Some(Draft { name: String::new(), document: starter_identity_policy(), new: true }))}>
                    {"Add inline policy"}
                </button>
            </div>
            <div class="panel-body">
                <p class="hint">{ format!("Policies embedded in this {word} alone. They decide together with key policies: a key policy that allows the account (\"Enable IAM User Permissions\") lets them allow KMS actions on the key.") }</p>
                { editor }
                { match &*policies {
                    Load::Loading => html! { <Spinner /> },
                    Load::Failed(e) => html! { <ErrorAlert error={e.clone()} /> },
                    Load::Ready(list) if list.is_empty() => html! { <p class="empty">{ format!("This {word} has no inline policies.") }</p> },
                    Load::Ready(list) => html! {
                        <ul class="policy-list">
                            { for list.iter().map(|(name, doc)| html! {
                                <li data-policy={name.clone()}>
                                    <details>
                                        <summary><strong>{ name }</strong></summary>
                                        <pre class="code">{ doc }</pre>
                                    </details>
                                    <div class="button-row inline">
                                        <button type="button" class="btn btn-small" aria-label={format!("Edit {name}")}
                                            onclick={start(Some(Draft { name: name.clone(), document: doc.clone(), new: false }))}>{"Edit"}</button>
                                        <button type="button" class="btn btn-small" aria-label={format!("Delete {name}")}
                                            onclick={ let d = deleting.clone(); let n = name.clone(); Callback::from(move |_| d.set(Some(n.clone()))) }>{"Delete"}</button>
                                    </div>
                                </li>
                            }) }
                        </ul>
                    },
                } }
            </div>
            if let Some(name) = &*deleting {
                <Confirm title={format!("Delete inline policy {name}?")} action="Delete" on_confirm={delete}
                    on_close={ let d = deleting.clone(); Callback::from(move |_| d.set(None)) } error={(*error).clone()}>
                    <p>{ format!("The {word} loses the permissions this policy gives.") }</p>
                </Confirm>
            }
        </div>
    }
}
