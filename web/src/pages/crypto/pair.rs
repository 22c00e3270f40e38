//! The request/response plumbing that the Sign and verify panel and the MAC panel share: one
//! request makes a value (a signature, a MAC) that fills a base64 field, another checks the
//! field's value (made here or pasted in), and both share one busy flag and one outcome line, a
//! success message or AWS's error. Each panel keeps its own message, algorithm and buttons.
//! The Encapsulate and decapsulate panel uses it too: Encapsulate makes the ciphertext that
//! Decapsulate reads.

use super::{result_view, send_into};
use crate::components::InfoAlert;
use crate::hooks::use_kms;
use crate::kms::{ApiError, Kms, Request};
use crate::util;
use serde_json::Value;
use yew::prelude::*;

/// A make-and-verify pair's state (see the module doc).
#[derive(Clone)]
pub(super) struct RequestPair {
    kms: Kms,
    /// A request is running: the panel's buttons wait for it.
    pub busy: UseStateHandle<bool>,
    /// The made (or pasted) value, in base64.
    pub value: UseStateHandle<String>,
    outcome: UseStateHandle<Option<Result<String, ApiError>>>,
}

#[hook]
pub(super) fn use_request_pair() -> RequestPair {
    let kms = use_kms();
    let busy = use_state(|| false);
    let value = use_state(String::new);
    let outcome = use_state(|| None);
    RequestPair {
        kms,
        busy,
        value,
        outcome,
    }
}

impl RequestPair {
    /// Sends `req` and makes the outcome line from its answer with `said` (or AWS's error).
    pub fn send(
        &self,
        req: Request,
        said: impl Fn(&Value) -> String + 'static,
    ) -> Callback<MouseEvent> {
        send_into(&self.kms, &req, &self.busy, &self.outcome, said)
    }

    /// Sends `req` and keeps its answer's `field` (Signature, Mac) as the value; `said` words
    /// the success from that value.
    pub fn make(
        &self,
        req: Request,
        field: &'static str,
        said: fn(&str) -> String,
    ) -> Callback<MouseEvent> {
        let value = self.value.clone();
        self.send(req, move |v| {
            let made = v[field].as_str().unwrap_or_default().to_string();
            value.set(made.clone());
            said(&made)
        })
    }

    /// Sends `req` and says whether its answer's `field` (SignatureValid, MacValid) is true:
    /// "`what` is valid." or "`what` is not valid.".
    pub fn verify(
        &self,
        req: Request,
        field: &'static str,
        what: &'static str,
    ) -> Callback<MouseEvent> {
        self.send(req, move |v| {
            if v[field].as_bool() == Some(true) {
                format!("{what} is valid.")
            } else {
                format!("{what} is not valid.")
            }
        })
    }

    /// The value's field: a base64 text area that Make fills and Verify reads.
    pub fn value_field(&self, id: &'static str, label: &'static str, rows: &'static str) -> Html {
        let value = self.value.clone();
        html! {
            <div class="field">
                <label for={id}>{ label }</label>
                <textarea id={id} class="code-editor" rows={rows} value={(*self.value).clone()}
                    oninput={Callback::from(move |e: InputEvent| value.set(util::textarea_value(&e)))} />
            </div>
        }
    }

    /// The last outcome: the success line (in a span with `testid` where the tests read it) or
    /// AWS's error.
    pub fn outcome(&self, testid: Option<&'static str>) -> Html {
        result_view(&self.outcome, |m| match testid {
            Some(testid) => html! {
                <InfoAlert kind="success"><span data-testid={testid}>{ m }</span></InfoAlert>
            },
            None => html! { <InfoAlert kind="success">{ m }</InfoAlert> },
        })
    }
}
