//! The Policies tab: the account's customer managed policies, and creating one in the JSON
//! editor.

use super::common::date;
use super::list::{CreateDocumentDialog, DocumentDialog, Listed};
use crate::iam::{starter_identity_policy, ManagedPolicy};
use crate::route::Route;
use serde_json::{json, Value};
use yew::prelude::*;

impl Listed for ManagedPolicy {
    const OPERATION: &'static str = "ListPolicies";
    const MEMBER: &'static str = "Policies";
    const PLURAL: &'static str = "policies";
    const TITLE: &'static str = "Customer managed policies";
    const CREATE: &'static str = "Create policy";
    const EMPTY: (&'static str, &'static str) = (
        "No customer managed policies",
        "A managed policy can be attached to several users and roles.",
    );
    const COLUMNS: [&'static str; 4] =
        ["Policy name", "Attached entities", "Description", "Created"];
    fn request() -> Value {
        json!({ "Scope": "Local" })
    }
    fn name(&self) -> &str {
        &self.policy_name
    }
    fn route(&self) -> Route {
        Route::IamPolicy {
            name: self.policy_name.clone(),
        }
    }
    fn cells(&self) -> Html {
        html! { <>
            <td class="num">{ self.attachment_count }</td>
            <td>{ self.description.clone().unwrap_or_else(|| "-".into()) }</td>
            <td>{ date(self.create_date) }</td>
        </> }
    }
    fn create_dialog(on_close: Callback<()>, on_created: Callback<()>) -> Html {
        html! { <CreateDocumentDialog spec={&CREATE_POLICY} document={starter_identity_policy()} {on_close} {on_created} /> }
    }
}

const CREATE_POLICY: DocumentDialog = DocumentDialog {
    title: "Create policy",
    operation: "CreatePolicy",
    name_member: "PolicyName",
    document_member: "PolicyDocument",
    what: "Policy",
    name_id: "policy-name",
    name_label: "Policy name",
    name_hint: "Up to 128 letters, digits and +=,.@_-",
    description_id: "policy-description",
    editor_id: "policy-document",
    editor_label: "Policy editor",
    editor_hint: None,
    rows: 16,
};
