//! Steps 3 and 4, Define key administrative permissions and Define key usage permissions: the
//! sandbox's real IAM users and roles to pick as key administrators and key users, and other
//! AWS accounts that may use the key.

use super::wizard::{edit, Wizard};
use crate::components::InfoAlert;
use crate::route::Route;
use crate::util;
use std::collections::BTreeSet;
use yew::prelude::*;
use yew_router::prelude::*;

/// The account's users and roles (ARN, "user" or "role") with a checkbox each, ticked for those
/// in `selected`; a tick goes to the set `pick` gives.
fn principal_table(
    wiz: &UseStateHandle<Wizard>,
    principals: &[(String, &'static str)],
    selected: &BTreeSet<String>,
    pick: fn(&mut Wizard) -> &mut BTreeSet<String>,
    id: &str,
) -> Html {
    if principals.is_empty() {
        return html! {
            <div class="empty" data-principals={id.to_string()}>
                <strong>{"This account has no IAM users or roles yet."}</strong>
                <p>{"Create them in "}<Link<Route> to={Route::Iam}>{"IAM"}</Link<Route>>{", then come back to this step. \
                    Without them, the key policy gives the account (and so IAM policies) access to the key."}</p>
            </div>
        };
    }
    html! {
        <div class="table-scroll"><table class="table compact" data-principals={id.to_string()}>
            <thead><tr><th class="select" scope="col"><span class="visually-hidden">{"Select"}</span></th><th scope="col">{"Name"}</th><th scope="col">{"Type"}</th><th scope="col">{"ARN"}</th></tr></thead>
            <tbody>
                { for principals.iter().map(|(arn, kind)| {
                    let name = arn.rsplit('/').next().unwrap_or_default().to_string();
                    let checked = selected.contains(arn);
                    let a = arn.clone();
                    let onchange = edit(wiz, move |w, e: Event| {
                        let set = pick(w);
                        if util::checkbox_checked(&e) { set.insert(a.clone()); } else { set.remove(&a); }
                        w.policy_edit = None;
                    });
                    let kind = if *kind == "user" { "User" } else { "Role" };
                    html! {
                        <tr>
                            <td class="select"><input type="checkbox" {checked} {onchange} aria-label={format!("{id} {name}")} /></td>
                            <td>{ name }</td><td>{ kind }</td><td class="mono small">{ arn }</td>
                        </tr>
                    }
                }) }
            </tbody>
        </table></div>
    }
}

/// Step 3: key administrators, and whether they may delete the key.
pub(super) fn step_admins(
    wiz: &UseStateHandle<Wizard>,
    principals: &[(String, &'static str)],
) -> Html {
    let w = &**wiz;
    html! {
        <>
        <div class="panel">
            <div class="panel-header"><h2>{"Key administrators"}</h2></div>
            <div class="panel-body">
                <p class="hint">{"Choose the IAM users and roles who can administer this key through the KMS API."}</p>
                { principal_table(wiz, principals, &w.admins, |w| &mut w.admins, "Administrator") }
            </div>
        </div>
        <div class="panel">
            <div class="panel-header"><h2>{"Key deletion"}</h2></div>
            <div class="panel-body">
                <label class="checkbox">
                    <input type="checkbox" checked={w.allow_admin_delete}
                        onchange={edit(wiz, |w, e: Event| { w.allow_admin_delete = util::checkbox_checked(&e); w.policy_edit = None; })} />
                    {"Allow key administrators to delete this key."}
                </label>
            </div>
        </div>
        <InfoAlert>{"This key policy gives the AWS account full control of this key. It allows account administrators to use IAM policies to give other principals permission to manage the key."}</InfoAlert>
        </>
    }
}

/// Step 4: key users, and other AWS accounts.
pub(super) fn step_users(
    wiz: &UseStateHandle<Wizard>,
    principals: &[(String, &'static str)],
    partition: &str,
) -> Html {
    let w = &**wiz;
    let errors = if w.attempted.contains(&4) {
        w.account_errors()
    } else {
        vec![]
    };
    html! {
        <>
        <div class="panel">
            <div class="panel-header"><h2>{"This account"}</h2></div>
            <div class="panel-body">
                <p class="hint">{"Choose the IAM users and roles who can use this key in cryptographic operations."}</p>
                { principal_table(wiz, principals, &w.users, |w| &mut w.users, "User") }
            </div>
        </div>
        <div class="panel">
            <div class="panel-header"><h2>{"Other AWS accounts"}</h2></div>
            <div class="panel-body">
                <p class="hint">{"Allow principals in other AWS accounts to use this key. Their administrators must also grant them IAM permissions."}</p>
                { for w.other_accounts.iter().enumerate().map(|(i, a)| html! {
                    <div class="field inline">
                        <span class="input-prefix"><span>{ format!("arn:{partition}:iam::") }</span>
                        <input type="text" value={a.clone()} aria-label={format!("Other AWS account {}", i + 1)} placeholder="444455556666"
                            aria-invalid={matches!(errors.get(i), Some(Some(_))).to_string()}
                            oninput={edit(wiz, move |w, e: InputEvent| { w.other_accounts[i] = util::input_value(&e); w.policy_edit = None; })} />
                        <span>{":root"}</span></span>
                        <button type="button" class="btn btn-small" onclick={edit(wiz, move |w, _: MouseEvent| { w.other_accounts.remove(i); w.policy_edit = None; })}
                            aria-label={format!("Remove AWS account {}", i + 1)}>{"Remove"}</button>
                        if let Some(Some(e)) = errors.get(i) { <div class="field-error">{ e }</div> }
                    </div>
                }) }
                <button type="button" class="btn" onclick={edit(wiz, |w, _: MouseEvent| w.other_accounts.push(String::new()))}>{"Add another AWS account"}</button>
            </div>
        </div>
        </>
    }
}
