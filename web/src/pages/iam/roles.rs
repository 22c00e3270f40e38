//! The Roles tab: the account's IAM roles, and creating one with a trust policy (prefilled to
//! trust this account, as the AWS console's "AWS account: this account" choice does).

use super::common::{bind, date, text_field};
use super::list::{use_creator, CreateDialog, CreateProps, Listed};
use crate::app::Route;
use crate::components::PolicyEditor;
use crate::hooks::use_kms;
use crate::iam::{default_trust_policy, Role};
use serde_json::json;
use yew::prelude::*;

impl Listed for Role {
    const OPERATION: &'static str = "ListRoles";
    const MEMBER: &'static str = "Roles";
    const PLURAL: &'static str = "roles";
    const TITLE: &'static str = "Roles";
    const CREATE: &'static str = "Create role";
    const EMPTY: (&'static str, &'static str) = (
        "No roles",
        "A role is an identity that principals it trusts assume for a session.",
    );
    const COLUMNS: [&'static str; 4] = ["Role name", "Description", "ARN", "Created"];
    fn name(&self) -> &str {
        &self.role_name
    }
    fn route(&self) -> Route {
        Route::IamRole {
            name: self.role_name.clone(),
        }
    }
    fn cells(&self) -> Html {
        html! { <>
            <td>{ self.description.clone().unwrap_or_else(|| "-".into()) }</td>
            <td class="mono small">{ &self.arn }</td>
            <td>{ date(self.create_date) }</td>
        </> }
    }
    fn create_dialog(on_close: Callback<()>, on_created: Callback<()>) -> Html {
        html! { <CreateRoleDialog {on_close} {on_created} /> }
    }
}

#[function_component]
fn CreateRoleDialog(p: &CreateProps) -> Html {
    let kms = use_kms();
    let creator = use_creator();
    let name = use_state(String::new);
    let description = use_state(String::new);
    let trust = use_state(|| default_trust_policy(&kms.account_id()));
    let create = {
        let (creator, name, description, trust, done) = (
            creator.clone(),
            name.clone(),
            description.clone(),
            trust.clone(),
            p.on_created.clone(),
        );
        Callback::from(move |_| {
            let mut body = json!({ "RoleName": name.trim(), "AssumeRolePolicyDocument": *trust });
            if !description.trim().is_empty() {
                body["Description"] = json!(description.trim());
            }
            let what = format!("Role {}", name.trim());
            creator.create("CreateRole", body, what, done.clone());
        })
    };
    html! {
        <CreateDialog title="Create role" on_create={create} on_close={p.on_close.clone()} error={(*creator.error).clone()} wide=true>
            { text_field("role-name", "Role name", &name, "Up to 64 letters, digits and +=,.@_-", bind(&name)) }
            { text_field("role-description", "Description - optional", &description, "", bind(&description)) }
            <PolicyEditor id="trust-policy" label="Trust policy" value={(*trust).clone()} rows={12}
                hint="Who can assume this role. By default, any principal of this account whose IAM policies allow sts:AssumeRole on it."
                on_change={ let t = trust.clone(); Callback::from(move |v| t.set(v)) } />
        </CreateDialog>
    }
}
