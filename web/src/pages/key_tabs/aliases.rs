//! The Aliases tab: the key's aliases, Create alias and Delete alias.

use crate::components::{ApiPanel, ErrorAlert, Modal};
use crate::hooks::{use_console, use_kms};
use crate::kms::{requests as r, ApiError, Request};
use crate::model::{validate_alias, AliasEntry, KeyMetadata};
use crate::state::{Action, FlashKind};
use crate::util;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct AliasesProps {
    pub meta: KeyMetadata,
    pub aliases: Vec<AliasEntry>,
    pub reload: Callback<()>,
}

#[function_component]
pub fn AliasesTab(p: &AliasesProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let new_alias = use_state(|| None::<String>);
    let to_delete = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let id = p.meta.key_id.clone();
    let editable = p.meta.is_customer_managed();

    let send = |req: Request, done: String, after: Callback<()>| {
        let (kms, console, reload, error) = (
            kms.clone(),
            console.clone(),
            p.reload.clone(),
            error.clone(),
        );
        Callback::from(move |_| {
            let (kms, console, reload, error, req, done, after) = (
                kms.clone(),
                console.clone(),
                reload.clone(),
                error.clone(),
                req.clone(),
                done.clone(),
                after.clone(),
            );
            wasm_bindgen_futures::spawn_local(async move {
                match kms.send(&req).await {
                    Ok(_) => {
                        error.set(None);
                        after.emit(());
                        console.dispatch(Action::Flash(FlashKind::Success, done, None));
                        reload.emit(());
                    }
                    Err(e) => error.set(Some(e)),
                }
            });
        })
    };
    let create_form = new_alias.as_ref().map(|text| {
        let check = validate_alias(text);
        let req = r::create_alias(check.as_deref().unwrap_or("alias/"), &id);
        let done = format!("The alias {} was created.", check.clone().unwrap_or_default());
        // Closed (canceled or done), the form gives the focus back to the button that opened it.
        let close = { let n = new_alias.clone(); Callback::from(move |_| { n.set(None); util::focus_later("#open-create-alias") }) };
        html! {
            <div class="inline-form">
                <div class="field">
                    <label for="new-alias">{"Alias name"}</label>
                    <div class="input-prefix"><span>{"alias/"}</span>
                        <input id="new-alias" type="text" value={text.clone()}
                            oninput={ let n = new_alias.clone(); Callback::from(move |e: InputEvent| n.set(Some(util::input_value(&e)))) } /></div>
                    if !text.is_empty() { if let Err(e) = &check { <div class="field-error">{ e }</div> } }
                </div>
                <div class="button-row">
                    <button class="btn" onclick={close.reform(|_| ())}>{"Cancel"}</button>
                    <button class="btn btn-primary" disabled={check.is_err()} onclick={send(req.clone(), done, close.clone())}>{"Create alias"}</button>
                </div>
                <ApiPanel requests={vec![req]} />
            </div>
        }
    });
    let close_delete = {
        let d = to_delete.clone();
        Callback::from(move |_| d.set(None))
    };
    html! {
        <div class="panel">
            <div class="panel-header">
                <h2>{ format!("Aliases ({})", p.aliases.len()) }</h2>
                if editable && new_alias.is_none() {
                    <button class="btn" id="open-create-alias" onclick={ let n = new_alias.clone(); Callback::from(move |_| { n.set(Some(String::new())); util::focus_later("#new-alias") }) }>{"Create alias"}</button>
                }
            </div>
            <div class="panel-body">
                { create_form.unwrap_or_default() }
                if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                if p.aliases.is_empty() {
                    <div class="empty"><strong>{"No aliases"}</strong><p>{"This key has no aliases."}</p></div>
                } else {
                    <div class="table-scroll"><table class="table compact" data-testid="aliases-table">
                        <thead><tr><th>{"Alias name"}</th><th>{"Alias ARN"}</th>if editable { <th><span class="visually-hidden">{"Actions"}</span></th> }</tr></thead>
                        <tbody>
                            { for p.aliases.iter().map(|a| {
                                let name = a.alias_name.clone();
                                html! {
                                    <tr>
                                        <td>{ a.alias_name.trim_start_matches("alias/") }</td>
                                        <td class="mono small">{ &a.alias_arn }</td>
                                        if editable {
                                            <td><button class="btn btn-small" aria-label={format!("Delete {name}")} onclick={ let d = to_delete.clone(); Callback::from(move |_| d.set(Some(name.clone()))) }>{"Delete"}</button></td>
                                        }
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table></div>
                }
                if !editable { <p class="hint">{"Aliases of AWS managed keys are created and managed by AWS."}</p> }
                <ApiPanel requests={vec![r::list_aliases(Some(&id), None)]} />
            </div>
            if let Some(name) = &*to_delete {
                <Modal title="Delete alias" on_close={close_delete.clone()} footer={html! { <>
                    <button class="btn" onclick={close_delete.reform(|_| ())}>{"Cancel"}</button>
                    <button class="btn btn-primary" onclick={send(r::delete_alias(name), format!("The alias {name} was deleted."), close_delete.clone())}>{"Delete"}</button>
                </> }}>
                    <p>{ format!("Delete the alias {name}? Applications that refer to the key by this alias will stop finding it. The key itself is not affected.") }</p>
                    <ApiPanel requests={vec![r::delete_alias(name)]} />
                </Modal>
            }
        </div>
    }
}
