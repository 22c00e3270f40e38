//! The Users tab: the account's IAM users, and creating one (name, path, tags).

use super::common::{bind, date, text_field};
use super::list::{use_creator, CreateDialog, CreateProps, Listed};
use crate::components::KvEditor;
use crate::iam::{tags_value, User};
use crate::route::Route;
use serde_json::json;
use yew::prelude::*;

impl Listed for User {
    const OPERATION: &'static str = "ListUsers";
    const MEMBER: &'static str = "Users";
    const PLURAL: &'static str = "users";
    const TITLE: &'static str = "Users";
    const CREATE: &'static str = "Create user";
    const EMPTY: (&'static str, &'static str) = (
        "No users",
        "Create a user to act as it, or to name it in key policies.",
    );
    const COLUMNS: [&'static str; 4] = ["User name", "Path", "ARN", "Created"];
    fn name(&self) -> &str {
        &self.user_name
    }
    fn route(&self) -> Route {
        Route::IamUser {
            name: self.user_name.clone(),
        }
    }
    fn cells(&self) -> Html {
        html! { <>
            <td class="mono small">{ &self.path }</td>
            <td class="mono small">{ &self.arn }</td>
            <td>{ date(self.create_date) }</td>
        </> }
    }
    fn create_dialog(on_close: Callback<()>, on_created: Callback<()>) -> Html {
        html! { <CreateUserDialog {on_close} {on_created} /> }
    }
}

#[function_component]
fn CreateUserDialog(p: &CreateProps) -> Html {
    let creator = use_creator();
    let name = use_state(String::new);
    let path = use_state(|| "/".to_string());
    let tags = use_state(Vec::<(String, String)>::new);
    let create = {
        let (creator, name, path, tags, done) = (
            creator.clone(),
            name.clone(),
            path.clone(),
            tags.clone(),
            p.on_created.clone(),
        );
        Callback::from(move |_| {
            let mut body = json!({ "UserName": name.trim(), "Path": path.trim() });
            if !tags.is_empty() {
                body["Tags"] = tags_value(&tags);
            }
            let what = format!("User {}", name.trim());
            creator.create("CreateUser", body, what, done.clone());
        })
    };
    html! {
        <CreateDialog title="Create user" on_create={create} on_close={p.on_close.clone()} error={(*creator.error).clone()}>
            { text_field("user-name", "User name", &name, "Up to 64 letters, digits and +=,.@_-", bind(&name)) }
            { text_field("user-path", "Path", &path, "For example / or /developers/.", bind(&path)) }
            <div class="field">
                <span class="label">{"Tags - "}<em>{"optional"}</em></span>
                <KvEditor id="user-tag" rows={(*tags).clone()} key_label="Tag key" value_label="Tag value" add_label="Add tag"
                    on_change={ let t = tags.clone(); Callback::from(move |rows| t.set(rows)) } />
            </div>
        </CreateDialog>
    }
}
