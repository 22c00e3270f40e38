//! Plumbing the IAM pages share: users and roles under one name, sending an IAM request with
//! its outcome on screen, and a confirmation dialog.

use crate::components::Modal;
use crate::kms::{ApiError, Kms};
use serde_json::Value;
use yew::prelude::*;

/// Users and roles have the same policy operations under different names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Entity {
    User,
    Role,
}

impl Entity {
    pub fn word(self) -> &'static str {
        match self {
            Entity::User => "user",
            Entity::Role => "role",
        }
    }
    /// `UserName` or `RoleName`.
    pub fn name_member(self) -> &'static str {
        match self {
            Entity::User => "UserName",
            Entity::Role => "RoleName",
        }
    }
    /// The operation for this entity: `op("Put{}Policy")` is `PutUserPolicy` or `PutRolePolicy`.
    pub fn op(self, template: &str) -> String {
        template.replace(
            "{}",
            match self {
                Entity::User => "User",
                Entity::Role => "Role",
            },
        )
    }
}

/// Sends one IAM request as the console's caller; on success clears `error` and hands the
/// answer to `done`, on failure shows the error (AWS's message) in `error`.
pub fn send_iam(
    kms: &Kms,
    operation: String,
    body: Value,
    error: &UseStateHandle<Option<ApiError>>,
    done: impl FnOnce(Value) + 'static,
) {
    let (kms, error) = (kms.clone(), error.clone());
    wasm_bindgen_futures::spawn_local(async move {
        match kms.iam(&operation, body).await {
            Ok(v) => {
                error.set(None);
                done(v);
            }
            Err(e) => error.set(Some(e)),
        }
    });
}

#[derive(Properties, PartialEq)]
pub struct ConfirmProps {
    pub title: AttrValue,
    pub action: AttrValue,
    pub on_confirm: Callback<()>,
    pub on_close: Callback<()>,
    pub children: Html,
    #[prop_or_default]
    pub error: Option<ApiError>,
}

/// "Are you sure?" with the action's own button, and the error if the action failed.
#[function_component]
pub fn Confirm(p: &ConfirmProps) -> Html {
    let footer = html! { <>
        <button type="button" class="btn" onclick={p.on_close.reform(|_| ())}>{"Cancel"}</button>
        <button type="button" class="btn btn-primary" onclick={p.on_confirm.reform(|_| ())}>{ &p.action }</button>
    </> };
    html! {
        <Modal title={p.title.clone()} on_close={p.on_close.clone()} {footer}>
            { p.children.clone() }
            if let Some(e) = &p.error { <crate::components::ErrorAlert error={e.clone()} /> }
        </Modal>
    }
}

/// A labelled text input.
pub fn text_field(
    id: &str,
    label: &str,
    value: &str,
    hint: &str,
    oninput: Callback<InputEvent>,
) -> Html {
    html! {
        <div class="field">
            <label for={id.to_string()}>{ label.to_string() }</label>
            <input id={id.to_string()} type="text" value={value.to_string()} {oninput} />
            if !hint.is_empty() { <div class="field-hint">{ hint.to_string() }</div> }
        </div>
    }
}

/// Keeps a text input's value in `state`.
pub fn bind(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| state.set(crate::util::input_value(&e)))
}

/// The console's date for IAM's epoch seconds, or "-".
pub fn date(epoch: f64) -> String {
    if epoch > 0.0 {
        crate::util::format_date(epoch)
    } else {
        "-".into()
    }
}

/// Deletes a user or role as the IAM console does: its access keys (users), inline policies and
/// managed policy attachments first, then the entity.
pub async fn delete_entity(kms: &Kms, entity: Entity, name: &str) -> Result<(), ApiError> {
    use serde_json::json;
    let who = json!({ entity.name_member(): name });
    if entity == Entity::User {
        let keys = kms.iam("ListAccessKeys", who.clone()).await?;
        for k in keys["AccessKeyMetadata"].as_array().into_iter().flatten() {
            let mut body = who.clone();
            body["AccessKeyId"] = k["AccessKeyId"].clone();
            kms.iam("DeleteAccessKey", body).await?;
        }
    }
    let inline = kms.iam(&entity.op("List{}Policies"), who.clone()).await?;
    for n in inline["PolicyNames"].as_array().into_iter().flatten() {
        let mut body = who.clone();
        body["PolicyName"] = n.clone();
        kms.iam(&entity.op("Delete{}Policy"), body).await?;
    }
    let attached = kms
        .iam(&entity.op("ListAttached{}Policies"), who.clone())
        .await?;
    for a in attached["AttachedPolicies"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let mut body = who.clone();
        body["PolicyArn"] = a["PolicyArn"].clone();
        kms.iam(&entity.op("Detach{}Policy"), body).await?;
    }
    kms.iam(&entity.op("Delete{}"), who).await?;
    Ok(())
}

#[derive(Properties, PartialEq)]
pub struct DeleteEntityProps {
    pub entity: Entity,
    pub name: AttrValue,
}

/// "Delete user" / "Delete role": a button, its confirmation, and back to the list.
#[function_component]
pub fn DeleteEntityButton(p: &DeleteEntityProps) -> Html {
    use crate::hooks::{use_console, use_kms};
    use crate::route::Route;
    use crate::state::{Action, FlashKind};
    use yew_router::prelude::*;
    let kms = use_kms();
    let console = use_console();
    let navigator = use_navigator().expect("router");
    let open = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let word = p.entity.word();
    let confirm = {
        let (kms, console, navigator, error, entity, name) = (
            kms.clone(),
            console.clone(),
            navigator.clone(),
            error.clone(),
            p.entity,
            p.name.to_string(),
        );
        Callback::from(move |_| {
            let (kms, console, navigator, error, name) = (
                kms.clone(),
                console.clone(),
                navigator.clone(),
                error.clone(),
                name.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match delete_entity(&kms, entity, &name).await {
                    Ok(()) => {
                        console.dispatch(Action::FlashNextPage(
                            FlashKind::Success,
                            format!("The {} {name} was deleted.", entity.word()),
                            None,
                        ));
                        navigator.push(&Route::IamTab {
                            tab: format!("{}s", entity.word()),
                        });
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let set_open = |on: bool| {
        let (open, error) = (open.clone(), error.clone());
        Callback::from(move |_: ()| {
            open.set(on);
            error.set(None)
        })
    };
    html! {
        <>
            <button type="button" class="btn" onclick={set_open(true).reform(|_: MouseEvent| ())}>{ format!("Delete {word}") }</button>
            if *open {
                <Confirm title={format!("Delete {word} {}?", p.name)} action={format!("Delete {word}")}
                    on_confirm={confirm} on_close={set_open(false)} error={(*error).clone()}>
                    <p>{ format!("Deleting the {word} also deletes its {}inline policies and detaches its managed policies, as the IAM console does. \
                        Key policies that name it stop matching it.", if p.entity == Entity::User { "access keys, " } else { "" }) }</p>
                </Confirm>
            }
        </>
    }
}
