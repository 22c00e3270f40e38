//! The Roles tab: the account's IAM roles, and creating one with a trust policy (prefilled to
//! trust this account, as the AWS console's "AWS account: this account" choice does).

use super::common::date;
use super::list::{CreateDocumentDialog, CreateProps, DocumentDialog, Listed};
use crate::hooks::use_kms;
use crate::iam::{default_trust_policy, Role};
use crate::route::Route;
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

const CREATE_ROLE: DocumentDialog = DocumentDialog {
    title: "Create role",
    operation: "CreateRole",
    name_member: "RoleName",
    document_member: "AssumeRolePolicyDocument",
    what: "Role",
    name_id: "role-name",
    name_label: "Role name",
    name_hint: "Up to 64 letters, digits and +=,.@_-",
    description_id: "role-description",
    editor_id: "trust-policy",
    editor_label: "Trust policy",
    editor_hint: Some("Who can assume this role. By default, any principal of this account whose IAM policies allow sts:AssumeRole on it."),
    rows: 12,
};

/// The role's trust policy starts out trusting this account.
#[function_component]
fn CreateRoleDialog(p: &CreateProps) -> Html {
    let kms = use_kms();
    let document = default_trust_policy(&kms.account_id(), kms.region());
    html! {
        <CreateDocumentDialog spec={&CREATE_ROLE} {document} on_close={p.on_close.clone()} on_created={p.on_created.clone()} />
    }
}
