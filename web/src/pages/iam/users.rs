//! The Users tab: the account's IAM users, and creating one (name, path, tags).

use super::common::{date, send_iam, text_field};
use crate::app::Route;
use crate::components::{ErrorAlert, KvEditor, Modal, Spinner};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::iam::{read, tags_value, User};
use crate::kms::ApiError;
use crate::state::{Action, FlashKind};
use crate::util;
use serde_json::json;
use yew::prelude::*;
use yew_router::prelude::*;

#[function_component]
pub fn UsersPanel() -> Html {
    let kms = use_kms();
    let (users, reload) = use_loader(kms.clone(), |kms| async move {
        let v = kms.iam("ListUsers", json!({})).await?;
        read::<Vec<User>>(&v, "Users").map_err(|e| ApiError::local("SerializationException", e))
    });
    let creating = use_state(|| false);
    let open = {
        let c = creating.clone();
        Callback::from(move |_| c.set(true))
    };
    let close = {
        let c = creating.clone();
        Callback::from(move |_| c.set(false))
    };
    let created = {
        let (c, reload) = (creating.clone(), reload.clone());
        Callback::from(move |_| {
            c.set(false);
            reload.emit(())
        })
    };
    let count = match &*users {
        Load::Ready(u) => format!("({})", u.len()),
        _ => String::new(),
    };
    html! {
        <div class="panel table-panel">
            <div class="panel-header">
                <h2>{"Users "}<span class="count">{ count }</span></h2>
                <div class="panel-actions">
                    <button type="button" class="btn" onclick={reload.reform(|_| ())} aria-label="Refresh users">{"Refresh"}</button>
                    <button type="button" class="btn btn-primary" onclick={open}>{"Create user"}</button>
                </div>
            </div>
            { match &*users {
                Load::Loading => html! { <Spinner /> },
                Load::Failed(e) => html! { <div class="panel-body"><ErrorAlert error={e.clone()} /></div> },
                Load::Ready(list) if list.is_empty() => html! {
                    <div class="panel-body empty"><strong>{"No users"}</strong><p>{"Create a user to act as it, or to name it in key policies."}</p></div>
                },
                Load::Ready(list) => html! {
                    <div class="table-scroll">
                        <table class="table" data-iam-table="users">
                            <thead><tr><th scope="col">{"User name"}</th><th scope="col">{"Path"}</th><th scope="col">{"ARN"}</th><th scope="col">{"Created"}</th></tr></thead>
                            <tbody>
                                { for list.iter().map(|u| html! {
                                    <tr data-name={u.user_name.clone()}>
                                        <td><Link<Route> to={Route::IamUser { name: u.user_name.clone() }}>{ &u.user_name }</Link<Route>></td>
                                        <td class="mono small">{ &u.path }</td>
                                        <td class="mono small">{ &u.arn }</td>
                                        <td>{ date(u.create_date) }</td>
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                },
            } }
            if *creating { <CreateUserDialog on_close={close} on_created={created} /> }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CreateProps {
    on_close: Callback<()>,
    on_created: Callback<()>,
}

#[function_component]
fn CreateUserDialog(p: &CreateProps) -> Html {
    let kms = use_kms();
    let name = use_state(String::new);
    let path = use_state(|| "/".to_string());
    let tags = use_state(Vec::<(String, String)>::new);
    let error = use_state(|| None::<ApiError>);
    let create = {
        let (kms, console, name, path, tags, error, done) = (
            kms.clone(),
            use_console(),
            name.clone(),
            path.clone(),
            tags.clone(),
            error.clone(),
            p.on_created.clone(),
        );
        Callback::from(move |_| {
            let mut body = json!({ "UserName": name.trim(), "Path": path.trim() });
            if !tags.is_empty() {
                body["Tags"] = tags_value(&tags);
            }
            let (done, console, user) = (done.clone(), console.clone(), name.trim().to_string());
            send_iam(&kms, "CreateUser".into(), body, &error, move |_| {
                console.dispatch(Action::Flash(
                    FlashKind::Success,
                    format!("User {user} was created."),
                    None,
                ));
                done.emit(())
            });
        })
    };
    let footer = html! { <>
        <button type="button" class="btn" onclick={p.on_close.reform(|_| ())}>{"Cancel"}</button>
        <button type="button" class="btn btn-primary" onclick={create}>{"Create user"}</button>
    </> };
    let set = |s: &UseStateHandle<String>| {
        let s = s.clone();
        Callback::from(move |e: InputEvent| s.set(util::input_value(&e)))
    };
    html! {
        <Modal title="Create user" on_close={p.on_close.clone()} {footer}>
            { text_field("user-name", "User name", &name, "Up to 64 letters, digits and +=,.@_-", set(&name)) }
            { text_field("user-path", "Path", &path, "For example / or /developers/.", set(&path)) }
            <div class="field">
                <span class="label">{"Tags - "}<em>{"optional"}</em></span>
                <KvEditor id="user-tag" rows={(*tags).clone()} key_label="Tag key" value_label="Tag value" add_label="Add tag"
                    on_change={ let t = tags.clone(); Callback::from(move |rows| t.set(rows)) } />
            </div>
            if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
        </Modal>
    }
}
