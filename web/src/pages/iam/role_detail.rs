//! One IAM role: summary, trust policy (view and edit), permissions, deletion.

use super::common::{date, send_iam, Entity};
use super::detail::{
    document_panel, entity_page, kv, loaded, use_entity, DocumentPanel, EntityPage, NameProps,
};
use crate::hooks::{use_console, use_kms};
use crate::iam::{show_document, Role};
use crate::kms::ApiError;
use crate::state::{Action, FlashKind};
use serde_json::json;
use yew::prelude::*;

#[function_component]
pub fn IamRolePage(p: &NameProps) -> Html {
    let kms = use_kms();
    let (role, reload) = use_entity::<Role>(Entity::Role, p.name.clone());
    let (crumbs, r) = match loaded(&role, ("Roles", "roles"), &p.name) {
        Ok(ready) => ready,
        Err(page) => return page,
    };
    let summary = html! { <>
        { kv("Description", html! { { r.description.clone().unwrap_or_else(|| "-".into()) } }) }
        { kv("Created", html! { { date(r.create_date) } }) }
        { kv("Path", html! { <span class="mono">{ &r.path }</span> }) }
        { kv("Console session", html! { <span class="mono small">{ kms_web::types::arn::arn("sts", kms.region(), &kms.account_id(), &format!("assumed-role/{}/console", r.role_name)) }</span> }) }
    </> };
    let before = html! {
        <TrustPolicy role={r.role_name.clone()} document={show_document(&r.assume_role_policy_document)} reload={reload} />
    };
    entity_page(
        crumbs,
        EntityPage {
            entity: Entity::Role,
            name: r.role_name,
            arn: r.arn,
            summary,
            before,
            after: Html::default(),
        },
    )
}

#[derive(Properties, PartialEq)]
struct TrustProps {
    role: AttrValue,
    document: AttrValue,
    reload: Callback<()>,
}

const TRUST_POLICY: DocumentPanel = DocumentPanel {
    panel: "trust-policy",
    title: "Trust policy",
    edit: "Edit trust policy",
    hint: Some("Who can assume this role (sts:AssumeRole). The console acts as a session of the role without assuming it; the SDK's AssumeRole is decided by this policy."),
    testid: "trust-policy",
    editor_id: "trust-policy-editor",
    editor_label: "Trust policy",
    rows: 14,
    save: "Update policy",
};

/// The role's trust policy: who may assume it (UpdateAssumeRolePolicy to change it).
#[function_component]
fn TrustPolicy(p: &TrustProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let draft = use_state(|| None::<String>);
    let error = use_state(|| None::<ApiError>);
    let save = {
        let (kms, console, draft, error, reload, role) = (
            kms.clone(),
            console.clone(),
            draft.clone(),
            error.clone(),
            p.reload.clone(),
            p.role.to_string(),
        );
        Callback::from(move |_| {
            let Some(doc) = (*draft).clone() else { return };
            let (console, draft, reload) = (console.clone(), draft.clone(), reload.clone());
            let body = json!({ "RoleName": role, "PolicyDocument": doc });
            send_iam(
                &kms,
                "UpdateAssumeRolePolicy".into(),
                body,
                &error,
                move |_| {
                    console.dispatch(Action::Flash(
                        FlashKind::Success,
                        "The trust policy was updated.".into(),
                        None,
                    ));
                    draft.set(None);
                    reload.emit(());
                },
            );
        })
    };
    document_panel(&TRUST_POLICY, &p.document, &draft, &error, save)
}
