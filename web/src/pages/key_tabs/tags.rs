//! The Tags tab: the key's tags, and their editor (TagResource and UntagResource for what
//! changed).

use super::{frozen, loading_or_error, TabProps};
use crate::components::{ApiPanel, ErrorAlert, KvEditor};
use crate::hooks::{send_in_turn, use_console, use_kms, use_loader, Load};
use crate::kms::{requests as r, ApiError};
use crate::model::validate_tag;
use crate::state::{Action, FlashKind};
use yew::prelude::*;

#[function_component]
pub fn TagsTab(p: &TabProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let id = p.meta.key_id.clone();
    let (tags, reload) = use_loader((kms.clone(), id.clone()), |(kms, id)| async move {
        kms.tags(&id).await
    });
    let editing = use_state(|| None::<Vec<(String, String)>>);
    let error = use_state(|| None::<ApiError>);
    if let Some(h) = loading_or_error(&tags) {
        return h;
    }
    let Load::Ready(current) = &*tags else {
        return html! {};
    };
    let current: Vec<(String, String)> = current
        .iter()
        .map(|t| (t.tag_key.clone(), t.tag_value.clone()))
        .collect();
    match &*editing {
        None => html! {
            <div class="panel">
                <div class="panel-header">
                    <h2>{ format!("Tags ({})", current.len()) }</h2>
                    if frozen(&p.meta).is_none() {
                        <button class="btn" onclick={ let e = editing.clone(); let c = current.clone(); Callback::from(move |_| e.set(Some(c.clone()))) }>{"Edit"}</button>
                    }
                </div>
                <div class="panel-body">
                    if current.is_empty() {
                        <div class="empty"><strong>{"No tags"}</strong><p>{"This key has no tags."}</p></div>
                    } else {
                        <table class="table compact" data-testid="tags-table">
                            <thead><tr><th>{"Tag key"}</th><th>{"Tag value"}</th></tr></thead>
                            <tbody>{ for current.iter().map(|(k, v)| html! { <tr><td>{ k }</td><td>{ v }</td></tr> }) }</tbody>
                        </table>
                    }
                    if let Some(why) = frozen(&p.meta) { <p class="hint">{ why }</p> }
                </div>
            </div>
        },
        Some(rows) => {
            let errors: Vec<Option<String>> = rows
                .iter()
                .enumerate()
                .map(|(i, (k, v))| {
                    validate_tag(k, v).err().or_else(|| {
                        rows[..i]
                            .iter()
                            .any(|(k2, _)| k2 == k)
                            .then(|| format!("Duplicate tag key {k}."))
                    })
                })
                .collect();
            let valid = errors.iter().all(Option::is_none);
            // Untag what disappeared, tag what is new or changed.
            let removed: Vec<String> = current
                .iter()
                .filter(|(k, _)| !rows.iter().any(|(k2, _)| k2 == k))
                .map(|(k, _)| k.clone())
                .collect();
            let changed: Vec<(String, String)> = rows
                .iter()
                .filter(|t| !current.contains(t))
                .cloned()
                .collect();
            let mut requests = Vec::new();
            if !removed.is_empty() {
                requests.push(r::untag_resource(&id, &removed));
            }
            if !changed.is_empty() {
                requests.push(r::tag_resource(&id, &changed));
            }
            let save = {
                let captured = (
                    kms.clone(),
                    console.clone(),
                    reload.clone(),
                    editing.clone(),
                    error.clone(),
                    requests.clone(),
                );
                Callback::from(move |_| {
                    let (kms, console, reload, editing, error, requests) = captured.clone();
                    send_in_turn(&kms, requests, &error, &reload, move |_| {
                        editing.set(None);
                        console.dispatch(Action::Flash(
                            FlashKind::Success,
                            "The tags were saved.".into(),
                            None,
                        ));
                    });
                })
            };
            html! {
                <div class="panel">
                    <div class="panel-header"><h2>{"Edit tags"}</h2></div>
                    <div class="panel-body">
                        <KvEditor id="tag" rows={rows.clone()} key_label="Tag key" value_label="Tag value" add_label="Add tag" errors={errors}
                            on_change={ let e = editing.clone(); Callback::from(move |rows| e.set(Some(rows))) } />
                        if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                        <div class="button-row">
                            <button class="btn" onclick={ let e = editing.clone(); Callback::from(move |_| e.set(None)) }>{"Cancel"}</button>
                            <button class="btn btn-primary" disabled={!valid} onclick={save}>{"Save changes"}</button>
                        </div>
                        <ApiPanel requests={requests} />
                    </div>
                </div>
            }
        }
    }
}
