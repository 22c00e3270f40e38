//! One IAM user: summary, permissions (inline and managed policies), access keys, deletion.

use super::access_keys::AccessKeys;
use super::common::{date, Entity};
use super::detail::{entity_page, kv, loaded, use_entity, EntityPage, NameProps};
use crate::iam::User;
use yew::prelude::*;

#[function_component]
pub fn IamUserPage(p: &NameProps) -> Html {
    let (user, _) = use_entity::<User>(Entity::User, p.name.clone());
    let (crumbs, u) = match loaded(&user, ("Users", "users"), &p.name) {
        Ok(ready) => ready,
        Err(page) => return page,
    };
    let summary = html! { <>
        { kv("Path", html! { <span class="mono">{ &u.path }</span> }) }
        { kv("Created", html! { { date(u.create_date) } }) }
        { kv("Tags", html! { { if u.tags.is_empty() { "-".to_string() } else {
            u.tags.iter().map(|t| format!("{}={}", t.key, t.value)).collect::<Vec<_>>().join(", ") } } }) }
    </> };
    let after = html! { <AccessKeys user={u.user_name.clone()} /> };
    entity_page(
        crumbs,
        EntityPage {
            entity: Entity::User,
            name: u.user_name,
            arn: u.arn,
            summary,
            before: Html::default(),
            after,
        },
    )
}
