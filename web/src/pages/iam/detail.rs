//! The plumbing of the pages of one user, role or policy: loading the entity, the breadcrumbs
//! with the page's Loading and Failed states, the summary's key-value cells, the frame a user's
//! and a role's page share, and a policy document panel that is shown, then edited in place.

use super::attached_policies::AttachedPolicies;
use super::common::{DeleteEntityButton, Entity};
use super::inline_policies::InlinePolicies;
use crate::components::{CopyButton, ErrorAlert, PolicyEditor, Spinner};
use crate::hooks::{use_kms, use_loader, Load};
use crate::kms::ApiError;
use crate::pages::breadcrumbs_from;
use crate::route::Route;
use serde::de::DeserializeOwned;
use serde_json::json;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct NameProps {
    pub name: String,
}

/// "IAM > ... > here" above an IAM page's title.
pub fn iam_breadcrumbs(trail: &[(&str, Option<Route>)]) -> Html {
    breadcrumbs_from(("IAM", Route::Iam), trail)
}

/// Loads the user or role `name` (GetUser, GetRole), and again on the callback.
#[hook]
pub fn use_entity<T: DeserializeOwned + 'static>(
    entity: Entity,
    name: String,
) -> (Rc<Load<T>>, Callback<()>) {
    let kms = use_kms();
    use_loader((kms, name), move |(kms, name)| async move {
        let v = kms
            .iam(&entity.op("Get{}"), json!({ entity.name_member(): name }))
            .await?;
        serde_json::from_value::<T>(v[entity.op("{}")].clone())
            .map_err(|e| ApiError::local("SerializationException", e.to_string()))
    })
}

/// A detail page's breadcrumbs (IAM > `list` > `name`) and what it has loaded: `Ok` with both
/// once ready, or `Err` with the whole page while it loads or after it failed.
pub fn loaded<T: Clone>(data: &Load<T>, list: (&str, &str), name: &str) -> Result<(Html, T), Html> {
    let (label, tab) = list;
    let crumbs = iam_breadcrumbs(&[
        (label, Some(Route::IamTab { tab: tab.into() })),
        (name, None),
    ]);
    match data {
        Load::Loading => Err(html! { <div class="page">{ crumbs }<Spinner /></div> }),
        Load::Failed(e) => Err(
            html! { <div class="page">{ crumbs }<h1>{ name }</h1><ErrorAlert error={e.clone()} /></div> },
        ),
        Load::Ready(d) => Ok((crumbs, d.clone())),
    }
}

/// One cell of a summary: a key and its value.
pub fn kv(key: &str, value: Html) -> Html {
    html! { <div class="kv"><div class="kv-key">{ key.to_string() }</div><div class="kv-value">{ value }</div></div> }
}

/// What a user's or role's page shows (see [`entity_page`]).
pub struct EntityPage {
    pub entity: Entity,
    pub name: String,
    pub arn: String,
    /// The summary's cells after the ARN.
    pub summary: Html,
    /// Panels before and after the inline and managed policies.
    pub before: Html,
    pub after: Html,
}

/// A user's or role's page: its name and Delete, the summary, and its permissions.
pub fn entity_page(crumbs: Html, page: EntityPage) -> Html {
    let EntityPage {
        entity,
        name,
        arn,
        summary,
        before,
        after,
    } = page;
    html! {
        <div class="page">
            { crumbs }
            <div class="page-header">
                <h1 data-testid="iam-title">{ &name }</h1>
                <div class="panel-actions"><DeleteEntityButton {entity} name={name.clone()} /></div>
            </div>
            <div class="panel">
                <div class="panel-header"><h2>{"Summary"}</h2></div>
                <div class="panel-body grid-3">
                    { kv("ARN", html! { <span class="arn"><span class="mono small" data-testid="iam-arn">{ &arn }</span><CopyButton text={arn.clone()} label="Copy ARN" /></span> }) }
                    { summary }
                </div>
            </div>
            { before }
            <InlinePolicies {entity} name={name.clone()} />
            <AttachedPolicies {entity} name={name} />
            { after }
        </div>
    }
}

/// The words and ids of a [`document_panel`].
pub struct DocumentPanel {
    /// The panel's `data-panel`.
    pub panel: &'static str,
    pub title: &'static str,
    pub edit: &'static str,
    pub hint: Option<&'static str>,
    /// The shown document's `data-testid`.
    pub testid: &'static str,
    pub editor_id: &'static str,
    pub editor_label: &'static str,
    pub rows: u32,
    pub save: &'static str,
}

/// A policy document: shown as text until Edit puts a copy in `draft`, then an editor with the
/// last save's `error`, Cancel and `on_save` (which clears `draft` once saved).
pub fn document_panel(
    spec: &DocumentPanel,
    document: &str,
    draft: &UseStateHandle<Option<String>>,
    error: &UseStateHandle<Option<ApiError>>,
    on_save: Callback<MouseEvent>,
) -> Html {
    let edit = {
        let (draft, doc) = (draft.clone(), document.to_string());
        Callback::from(move |_| draft.set(Some(doc.clone())))
    };
    let cancel = {
        let (draft, error) = (draft.clone(), error.clone());
        Callback::from(move |_| {
            draft.set(None);
            error.set(None)
        })
    };
    let on_change = {
        let draft = draft.clone();
        Callback::from(move |v| draft.set(Some(v)))
    };
    html! {
        <div class="panel" data-panel={spec.panel}>
            <div class="panel-header">
                <h2>{ spec.title }</h2>
                if draft.is_none() {
                    <button type="button" class="btn" onclick={edit}>{ spec.edit }</button>
                }
            </div>
            <div class="panel-body">
                if let Some(hint) = spec.hint { <p class="hint">{ hint }</p> }
                { match &**draft {
                    None => html! { <pre class="code" data-testid={spec.testid}>{ document.to_string() }</pre> },
                    Some(doc) => html! {
                        <>
                            <PolicyEditor id={spec.editor_id} label={spec.editor_label} value={doc.clone()} rows={spec.rows} {on_change} />
                            if let Some(e) = &**error { <ErrorAlert error={e.clone()} /> }
                            <div class="button-row">
                                <button type="button" class="btn" onclick={cancel}>{"Cancel"}</button>
                                <button type="button" class="btn btn-primary" onclick={on_save}>{ spec.save }</button>
                            </div>
                        </>
                    },
                } }
            </div>
        </div>
    }
}
