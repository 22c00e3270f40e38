//! A user's access keys: create one (its secret shown once, with a copy button), deactivate or
//! activate, delete. The sandbox's SDK request handler accepts them as the user's credentials.

use super::common::{date, send_iam, Confirm};
use crate::components::{CopyButton, ErrorAlert, InfoAlert, Modal, Spinner};
use crate::hooks::{use_kms, use_loader, Load};
use crate::iam::{read, AccessKey};
use crate::kms::ApiError;
use serde_json::json;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AccessKeysProps {
    pub user: AttrValue,
}

#[function_component]
pub fn AccessKeys(p: &AccessKeysProps) -> Html {
    let kms = use_kms();
    let (keys, reload) = use_loader(
        (kms.clone(), p.user.to_string()),
        |(kms, user)| async move {
            let v = kms
                .iam("ListAccessKeys", json!({ "UserName": user }))
                .await?;
            read::<Vec<AccessKey>>(&v, "AccessKeyMetadata")
                .map_err(|e| ApiError::local("SerializationException", e))
        },
    );
    let error = use_state(|| None::<ApiError>);
    // (access key id, secret) of the key just created: shown once.
    let created = use_state(|| None::<(String, String)>);
    let deleting = use_state(|| None::<String>);
    let user = p.user.to_string();

    let create = {
        let (kms, error, created, reload, user) = (
            kms.clone(),
            error.clone(),
            created.clone(),
            reload.clone(),
            user.clone(),
        );
        Callback::from(move |_| {
            let (created, reload) = (created.clone(), reload.clone());
            send_iam(
                &kms,
                "CreateAccessKey".into(),
                json!({ "UserName": user }),
                &error,
                move |v| {
                    let k = &v["AccessKey"];
                    created.set(Some((
                        k["AccessKeyId"].as_str().unwrap_or_default().to_string(),
                        k["SecretAccessKey"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    )));
                    reload.emit(());
                },
            );
        })
    };
    let update = |id: String, status: &'static str| {
        let (kms, error, reload, user) = (kms.clone(), error.clone(), reload.clone(), user.clone());
        Callback::from(move |_: MouseEvent| {
            let reload = reload.clone();
            let body = json!({ "UserName": user, "AccessKeyId": id, "Status": status });
            send_iam(&kms, "UpdateAccessKey".into(), body, &error, move |_| {
                reload.emit(())
            });
        })
    };
    let delete = {
        let (kms, error, reload, user, deleting) = (
            kms.clone(),
            error.clone(),
            reload.clone(),
            user.clone(),
            deleting.clone(),
        );
        Callback::from(move |_| {
            let Some(id) = (*deleting).clone() else {
                return;
            };
            let (reload, deleting) = (reload.clone(), deleting.clone());
            let body = json!({ "UserName": user, "AccessKeyId": id });
            send_iam(&kms, "DeleteAccessKey".into(), body, &error, move |_| {
                deleting.set(None);
                reload.emit(());
            });
        })
    };

    let table = match &*keys {
        Load::Loading => html! { <Spinner /> },
        Load::Failed(e) => html! { <ErrorAlert error={e.clone()} /> },
        Load::Ready(list) if list.is_empty() => {
            html! { <p class="empty">{"This user has no access keys."}</p> }
        }
        Load::Ready(list) => html! {
            <div class="table-scroll"><table class="table compact" data-iam-table="access-keys">
                <thead><tr><th scope="col">{"Access key ID"}</th><th scope="col">{"Status"}</th><th scope="col">{"Created"}</th><th scope="col"><span class="visually-hidden">{"Actions"}</span></th></tr></thead>
                <tbody>
                    { for list.iter().map(|k| {
                        let active = k.status == "Active";
                        let id = k.access_key_id.clone();
                        html! {
                            <tr data-access-key={id.clone()}>
                                <td class="mono">{ &id }</td>
                                <td><span class={classes!("status", if active { "status-ok" } else { "status-off" })}>{ &k.status }</span></td>
                                <td>{ date(k.create_date) }</td>
                                <td>
                                    <div class="button-row inline">
                                        if active {
                                            <button type="button" class="btn btn-small" aria-label={format!("Deactivate {id}")} onclick={update(id.clone(), "Inactive")}>{"Deactivate"}</button>
                                        } else {
                                            <button type="button" class="btn btn-small" aria-label={format!("Activate {id}")} onclick={update(id.clone(), "Active")}>{"Activate"}</button>
                                        }
                                        <button type="button" class="btn btn-small" aria-label={format!("Delete {id}")}
                                            onclick={ let d = deleting.clone(); let id = id.clone(); Callback::from(move |_| d.set(Some(id.clone()))) }>{"Delete"}</button>
                                    </div>
                                </td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table></div>
        },
    };
    html! {
        <div class="panel" data-panel="access-keys">
            <div class="panel-header">
                <h2>{"Access keys"}</h2>
                <button type="button" class="btn" onclick={create}>{"Create access key"}</button>
            </div>
            <div class="panel-body">
                <p class="hint">{"Credentials for the AWS SDK: the sandbox's request handler calls as this user when a request is signed with one of its active keys."}</p>
                { table }
                if deleting.is_none() { if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> } }
            </div>
            if let Some((id, secret)) = &*created {
                <SecretDialog id={id.clone()} secret={secret.clone()} on_close={ let c = created.clone(); Callback::from(move |_| c.set(None)) } />
            }
            if let Some(id) = &*deleting {
                <Confirm title={format!("Delete access key {id}?")} action="Delete" on_confirm={delete}
                    on_close={ let d = deleting.clone(); Callback::from(move |_| d.set(None)) } error={(*error).clone()}>
                    <p>{"Requests signed with this key are refused from now on. This cannot be undone."}</p>
                </Confirm>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct SecretProps {
    id: AttrValue,
    secret: AttrValue,
    on_close: Callback<()>,
}

/// The new key's secret, the one time it can be seen.
#[function_component]
fn SecretDialog(p: &SecretProps) -> Html {
    let footer = html! { <button type="button" class="btn btn-primary" onclick={p.on_close.reform(|_| ())}>{"Done"}</button> };
    html! {
        <Modal title="Access key created" on_close={p.on_close.clone()} {footer}>
            <InfoAlert kind="warning" title="This is the only time the secret access key can be viewed">
                {"Copy it now and keep it somewhere safe. You cannot recover it later; if it is lost, create a new access key and delete this one."}
            </InfoAlert>
            <div class="kv-inline secret-values">
                <span class="kv-key">{"Access key ID"}</span>
                <span><code data-testid="new-access-key-id">{ &p.id }</code> <CopyButton text={p.id.clone()} label="Copy ID" /></span>
                <span class="kv-key">{"Secret access key"}</span>
                <span><code data-testid="new-secret-access-key">{ &p.secret }</code> <CopyButton text={p.secret.clone()} label="Copy secret" /></span>
            </div>
        </Modal>
    }
}
