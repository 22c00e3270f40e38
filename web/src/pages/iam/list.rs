//! The list tab that users, roles and policies share: load the account's entities, count them,
//! refresh, show them in a table whose first column links to each one's page, and open the
//! entity's create dialog. Each kind says only what differs (its request, words, columns and
//! dialog) through [`Listed`]. Roles and policies share one create dialog: a name, a description
//! and a policy document ([`CreateDocumentDialog`]).

use super::common::{bind, send_iam, text_field};
use crate::components::{ErrorAlert, Modal, PolicyEditor, Spinner};
use crate::hooks::{use_console, use_kms, use_loader, Load};
use crate::iam::read;
use crate::kms::{ApiError, Kms};
use crate::route::Route;
use crate::state::{Action, FlashKind};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use yew::prelude::*;
use yew_router::prelude::*;

/// One kind of IAM entity as its list tab shows it.
pub trait Listed: DeserializeOwned + 'static {
    /// The list operation and the member of its answer: `ListUsers`, `Users`.
    const OPERATION: &'static str;
    const MEMBER: &'static str;
    /// What the table is called in `data-iam-table` and the Refresh button's label: `users`.
    const PLURAL: &'static str;
    /// The panel's title: `Users`.
    const TITLE: &'static str;
    /// The create button's label: `Create user`.
    const CREATE: &'static str;
    /// The empty list's title and explanation.
    const EMPTY: (&'static str, &'static str);
    /// The column headings, the name first.
    const COLUMNS: [&'static str; 4];
    /// The list operation's request.
    fn request() -> Value {
        json!({})
    }
    /// The entity's name: the row's `data-name` and the first column's link.
    fn name(&self) -> &str;
    /// The entity's own page.
    fn route(&self) -> Route;
    /// The cells after the name.
    fn cells(&self) -> Html;
    /// The create dialog, which calls `on_created` once the entity exists.
    fn create_dialog(on_close: Callback<()>, on_created: Callback<()>) -> Html;
}

async fn list<T: Listed>(kms: Kms) -> Result<Vec<T>, ApiError> {
    let v = kms.iam(T::OPERATION, T::request()).await?;
    read::<Vec<T>>(&v, T::MEMBER).map_err(|e| ApiError::local("SerializationException", e))
}

/// The list tab of `T` (see the module doc).
#[function_component]
pub fn ListPanel<T: Listed>() -> Html {
    let kms = use_kms();
    let (items, reload) = use_loader(kms, list::<T>);
    let creating = use_state(|| false);
    let set_creating = |on: bool| {
        let c = creating.clone();
        Callback::from(move |_: ()| c.set(on))
    };
    let created = {
        let (c, reload) = (creating.clone(), reload.clone());
        Callback::from(move |_| {
            c.set(false);
            reload.emit(())
        })
    };
    let count = match &*items {
        Load::Ready(list) => format!("({})", list.len()),
        _ => String::new(),
    };
    let (empty_title, empty_text) = T::EMPTY;
    html! {
        <div class="panel table-panel">
            <div class="panel-header">
                <h2>{ format!("{} ", T::TITLE) }<span class="count">{ count }</span></h2>
                <div class="panel-actions">
                    <button type="button" class="btn" onclick={reload.reform(|_| ())} aria-label={format!("Refresh {}", T::PLURAL)}>{"Refresh"}</button>
                    <button type="button" class="btn btn-primary" onclick={set_creating(true).reform(|_: MouseEvent| ())}>{ T::CREATE }</button>
                </div>
            </div>
            { match &*items {
                Load::Loading => html! { <Spinner /> },
                Load::Failed(e) => html! { <div class="panel-body"><ErrorAlert error={e.clone()} /></div> },
                Load::Ready(list) if list.is_empty() => html! {
                    <div class="panel-body empty"><strong>{ empty_title }</strong><p>{ empty_text }</p></div>
                },
                Load::Ready(list) => html! {
                    <div class="table-scroll">
                        <table class="table" data-iam-table={T::PLURAL}>
                            <thead><tr>{ for T::COLUMNS.iter().map(|c| html! { <th scope="col">{ *c }</th> }) }</tr></thead>
                            <tbody>
                                { for list.iter().map(|item| html! {
                                    <tr data-name={item.name().to_string()}>
                                        <td><Link<Route> to={item.route()}>{ item.name() }</Link<Route>></td>
                                        { item.cells() }
                                    </tr>
                                }) }
                            </tbody>
                        </table>
                    </div>
                },
            } }
            if *creating { { T::create_dialog(set_creating(false), created) } }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct CreateProps {
    pub on_close: Callback<()>,
    pub on_created: Callback<()>,
}

#[derive(Properties, PartialEq)]
pub struct CreateDialogProps {
    /// The dialog's title and its action's label: `Create user`.
    pub title: AttrValue,
    pub on_create: Callback<MouseEvent>,
    pub on_close: Callback<()>,
    pub error: Option<ApiError>,
    #[prop_or_default]
    pub wide: bool,
    /// The entity's fields.
    pub children: Html,
}

/// A create dialog's frame: the fields, the error of the last attempt, Cancel and Create.
#[function_component]
pub fn CreateDialog(p: &CreateDialogProps) -> Html {
    let footer = html! { <>
        <button type="button" class="btn" onclick={p.on_close.reform(|_| ())}>{"Cancel"}</button>
        <button type="button" class="btn btn-primary" onclick={p.on_create.clone()}>{ &p.title }</button>
    </> };
    html! {
        <Modal title={p.title.clone()} on_close={p.on_close.clone()} {footer} wide={p.wide}>
            { p.children.clone() }
            if let Some(e) = &p.error { <ErrorAlert error={e.clone()} /> }
        </Modal>
    }
}

/// The words and ids of a [`CreateDocumentDialog`].
#[derive(PartialEq)]
pub struct DocumentDialog {
    /// The dialog's title: `Create role`.
    pub title: &'static str,
    /// The create operation and its request's members: `CreateRole`, `RoleName`,
    /// `AssumeRolePolicyDocument`.
    pub operation: &'static str,
    pub name_member: &'static str,
    pub document_member: &'static str,
    /// What the success message names: `Role`.
    pub what: &'static str,
    pub name_id: &'static str,
    pub name_label: &'static str,
    pub name_hint: &'static str,
    pub description_id: &'static str,
    pub editor_id: &'static str,
    pub editor_label: &'static str,
    pub editor_hint: Option<&'static str>,
    pub rows: u32,
}

#[derive(Properties, PartialEq)]
pub struct DocumentDialogProps {
    pub spec: &'static DocumentDialog,
    /// The document the editor starts with.
    pub document: String,
    pub on_close: Callback<()>,
    pub on_created: Callback<()>,
}

/// The create dialog of an entity made of a name, an optional description and a JSON policy
/// document: a role (its trust policy) or a managed policy.
#[function_component]
pub fn CreateDocumentDialog(p: &DocumentDialogProps) -> Html {
    let spec = p.spec;
    let creator = use_creator();
    let name = use_state(String::new);
    let description = use_state(String::new);
    let document = use_state(|| p.document.clone());
    let create = {
        let (creator, name, description, document, done) = (
            creator.clone(),
            name.clone(),
            description.clone(),
            document.clone(),
            p.on_created.clone(),
        );
        Callback::from(move |_| {
            let mut body =
                json!({ spec.name_member: name.trim(), spec.document_member: *document });
            if !description.trim().is_empty() {
                body["Description"] = json!(description.trim());
            }
            let what = format!("{} {}", spec.what, name.trim());
            creator.create(spec.operation, body, what, done.clone());
        })
    };
    html! {
        <CreateDialog title={spec.title} on_create={create} on_close={p.on_close.clone()} error={(*creator.error).clone()} wide=true>
            { text_field(spec.name_id, spec.name_label, &name, spec.name_hint, bind(&name)) }
            { text_field(spec.description_id, "Description - optional", &description, "", bind(&description)) }
            <PolicyEditor id={spec.editor_id} label={spec.editor_label} value={(*document).clone()} rows={spec.rows}
                hint={spec.editor_hint.map(AttrValue::from)}
                on_change={ let d = document.clone(); Callback::from(move |v| d.set(v)) } />
        </CreateDialog>
    }
}

/// What a create dialog needs to send its request.
#[derive(Clone)]
pub struct Creator {
    kms: Kms,
    console: crate::state::ConsoleContext,
    pub error: UseStateHandle<Option<ApiError>>,
}

#[hook]
pub fn use_creator() -> Creator {
    Creator {
        kms: use_kms(),
        console: use_console(),
        error: use_state(|| None::<ApiError>),
    }
}

impl Creator {
    /// Sends the create `operation`; once it succeeds, says "`what` was created." and calls
    /// `done`; otherwise the dialog shows AWS's error.
    pub fn create(&self, operation: &str, body: Value, what: String, done: Callback<()>) {
        let console = self.console.clone();
        send_iam(&self.kms, operation.into(), body, &self.error, move |_| {
            console.dispatch(Action::Flash(
                FlashKind::Success,
                format!("{what} was created."),
                None,
            ));
            done.emit(())
        });
    }
}
