//! "Why?" beside an access denial, and the list of decisions it (and the key page's policy
//! check) shows: for each permission the request needs, allowed or denied, why, and the key
//! policy, identity policy or grant statements that decided it.

use super::CallerControl;
use crate::access::Decision;
use crate::kms::DeniedCall;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct WhyProps {
    pub call: Rc<DeniedCall>,
}

/// A "Why?" button that explains a refused request as the sandbox decided it.
#[function_component]
pub fn WhyButton(p: &WhyProps) -> Html {
    let control = use_context::<CallerControl>();
    let open = use_state(|| false);
    let Some(kms) = control.and_then(|c| c.kms) else {
        return html! {};
    };
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    let c = &p.call;
    let body = if *open {
        let principal = c
            .principal
            .as_ref()
            .map(|(arn, session)| (arn.as_str(), session.as_deref()));
        match kms.explain_for(principal, &c.region, &c.operation, &c.body) {
            Ok(decisions) => html! { <DecisionList {decisions} /> },
            Err(e) => html! { <p class="field-error">{ e.to_string() }</p> },
        }
    } else {
        html! {}
    };
    html! {
        <div class="why">
            <button type="button" class="btn btn-small why-button" aria-expanded={open.to_string()} onclick={toggle}>
                { if *open { "Hide why" } else { "Why?" } }
            </button>
            if *open {
                <div class="why-panel" data-testid="why-panel">
                    <p class="hint">{ format!("How AWS decided {} for this caller:", c.operation) }</p>
                    { body }
                </div>
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct DecisionListProps {
    pub decisions: Vec<Decision>,
}

/// Each permission's decision, with what decided it.
#[function_component]
pub fn DecisionList(p: &DecisionListProps) -> Html {
    if p.decisions.is_empty() {
        return html! {
            <p class="hint">{"The request names no key or resource that exists, so no permission is checked: the operation itself answers."}</p>
        };
    }
    html! {
        <ul class="decisions">
            { for p.decisions.iter().map(|d| html! {
                <li class={classes!("decision", if d.allowed { "decision-allow" } else { "decision-deny" })}
                    data-action={d.action.clone()} data-allowed={d.allowed.to_string()}>
                    <div class="decision-head">
                        <span class="decision-verdict">{ if d.allowed { "Allowed" } else { "Denied" } }</span>
                        <code>{ &d.action }</code>{" on "}<code class="small">{ &d.resource }</code>
                    </div>
                    <div class="decision-reason">{ &d.reason }</div>
                    if !d.statements.is_empty() {
                        <ul class="decision-statements">
                            { for d.statements.iter().map(|s| html! { <li>{ s }</li> }) }
                        </ul>
                    }
                    if let Some(fix) = fix_hint(d) { <div class="hint">{ fix }</div> }
                </li>
            }) }
        </ul>
    }
}

/// What would change the outcome of a denial, in a sentence.
fn fix_hint(d: &Decision) -> Option<String> {
    if d.allowed {
        return None;
    }
    let r = &d.reason;
    Some(if r.contains("explicitly denies") {
        "An explicit Deny wins over every Allow: remove or narrow the denying statement.".into()
    } else if !d.resource.contains(":key/") {
        format!(
            "Only IAM policies decide {} on {}: allow it in an IAM policy of this principal (IAM page).",
            d.action, d.resource
        )
    } else if r.contains("no identity-based policy allows") {
        format!(
            "The key policy lets the account's IAM policies decide: allow {} in an IAM policy of this principal (IAM page), or name the principal in a key policy statement.",
            d.action
        )
    } else if r.contains("no resource-based policy allows") {
        format!(
            "Add a key policy statement that allows {} to this principal, or to the account (\"arn:aws:iam::ACCOUNT:root\") so that IAM policies can allow it.",
            d.action
        )
    } else {
        format!("Allow {} in an IAM policy of this principal.", d.action)
    })
}
