//! The IAM section (`#/iam`): users, roles (with their trust policies), customer managed
//! policies and access keys of the sandbox's account. Every request goes through the sandbox's
//! IAM as the principal the header's "Acting as" picks, so IAM's own access denials show too.

mod access_keys;
mod attached_policies;
mod common;
mod detail;
mod inline_policies;
mod list;
mod policies;
mod policy_detail;
mod role_detail;
mod roles;
mod user_detail;
mod users;

pub use policy_detail::IamPolicyPage;
pub use role_detail::IamRolePage;
pub use user_detail::IamUserPage;

use crate::components::Tabs;
use crate::iam::{ManagedPolicy, Role, User};
use crate::route::Route;
use list::ListPanel;
use yew::prelude::*;
use yew_router::prelude::*;

#[derive(Properties, PartialEq)]
pub struct IamProps {
    pub tab: AttrValue,
}

#[function_component]
pub fn IamPage(p: &IamProps) -> Html {
    let navigator = use_navigator().expect("router");
    let tabs: Vec<(AttrValue, AttrValue)> = vec![
        ("users".into(), "Users".into()),
        ("roles".into(), "Roles".into()),
        ("policies".into(), "Policies".into()),
    ];
    let active = if tabs.iter().any(|(id, _)| *id == p.tab) {
        p.tab.clone()
    } else {
        AttrValue::Static("users")
    };
    let on_select = Callback::from(move |tab: AttrValue| {
        navigator.replace(&Route::IamTab {
            tab: tab.to_string(),
        })
    });
    html! {
        <div class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumbs"><span aria-current="page">{"IAM"}</span></nav>
            <h1>{"Identity and Access Management (IAM)"}</h1>
            <p class="lead">{"The users and roles of this sandbox's account, and the policies that give them access. \
                Key policies decide together with these IAM policies: choose \"Acting as\" in the header to use the console as one of them. \
                IAM requests are decided by the caller's identity policies too."}</p>
            <Tabs tabs={tabs} active={active.clone()} {on_select} />
            <div class="tab-panel" role="tabpanel">
                { match active.as_str() {
                    "roles" => html! { <ListPanel<Role> /> },
                    "policies" => html! { <ListPanel<ManagedPolicy> /> },
                    _ => html! { <ListPanel<User> /> },
                } }
            </div>
        </div>
    }
}
