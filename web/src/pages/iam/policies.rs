//! The Policies tab: the account's customer managed policies, and creating one in the JSON
//! editor.

use super::common::{bind, date, text_field};
use super::list::{use_creator, CreateDialog, CreateProps, Listed};
use crate::app::Route;
use crate::components::PolicyEditor;
use crate::iam::{starter_identity_policy, ManagedPolicy};
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
        html! { <CreatePolicyDialog {on_close} {on_created} /> }
    }
}

#[function_component]
fn CreatePolicyDialog(p: &CreateProps) -> Html {
    let creator = use_creator();
    let name = use_state(String::new);
    let description = use_state(String::new);
    let document = use_state(starter_identity_policy);
    let create = {
        let (creator, name, description, document, done) = (
            creator.clone(),
            name.clone(),
            description.clone(),
            document.clone(),
            p.on_created.clone(),
        );
        Callback::from(move |_| {
            let mut body = json!({ "PolicyName": name.trim(), "PolicyDocument": *document });
            if !description.trim().is_empty() {
                body["Description"] = json!(description.trim());
            }
            let what = format!("Policy {}", name.trim());
            creator.create("CreatePolicy", body, what, done.clone());
        })
    };
    html! {
        <CreateDialog title="Create policy" on_create={create} on_close={p.on_close.clone()} error={(*creator.error).clone()} wide=true>
            { text_field("policy-name", "Policy name", &name, "Up to 128 letters, digits and +=,.@_-", bind(&name)) }
            { text_field("policy-description", "Description - optional", &description, "", bind(&description)) }
            <PolicyEditor id="policy-document" label="Policy editor" value={(*document).clone()} rows={16}
                on_change={ let d = document.clone(); Callback::from(move |v| d.set(v)) } />
        </CreateDialog>
    }
}
