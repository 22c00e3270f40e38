//! Encrypt and decrypt: the cryptographic operations of KMS on one page, for learning. Direct
//! Encrypt/Decrypt of text or small files, envelope encryption of large files with a data key,
//! sign/verify, MAC, key agreement, key encapsulation, data keys and random bytes. Every AWS
//! error is shown as AWS reports it.

mod agreement;
mod data;
mod encrypt;
mod files;
mod kem;
mod mac;
mod pair;
mod picker;
mod sign;

use agreement::AgreementPanel;
use data::{DataKeyPanel, RandomPanel};
use encrypt::{DecryptPanel, EncryptPanel};
use files::EnvelopePanel;
use kem::KemPanel;
use mac::MacPanel;
use picker::KeyPicker;
use sign::SignPanel;

use super::breadcrumbs;
use crate::components::{CopyButton, ErrorAlert, Icon, InfoAlert, KvEditor, Spinner, Tabs};
use crate::hooks::{use_describe, use_described, use_kms, use_loader, Load};
use crate::key_list::{KeyListing, ListedKey};
use crate::kms::{ApiError, KeyRow, Kms, Request};
use crate::model::{key_state_label, key_usage_label, Algorithm, KeyMetadata};
use crate::route::Route;
use crate::util;
use kms_web::types::KeyUsage;
use serde_json::Value;
use std::rc::Rc;
use yew::prelude::*;
use yew_router::prelude::*;

/// Encrypt accepts at most 4 KiB of plaintext.
pub(super) const DIRECT_LIMIT: usize = 4096;

#[function_component]
pub fn CryptoPage() -> Html {
    let kms = use_kms();
    // Key ids and aliases (ListKeys, ListAliases); DescribeKey only for the key picked, and, on
    // the Key agreement tab with a key agreement key picked, for the other customer managed
    // keys (to offer the key agreement ones as peers), in batches (see crate::key_list).
    let (listing, reload) = use_loader(kms.clone(), |kms| async move {
        kms.key_listing().await.map(Rc::new)
    });
    let key_id = use_state(String::new);
    let key_ref = use_state(String::new);
    let tab = use_state(|| AttrValue::Static("encrypt"));
    let ready: Option<Rc<KeyListing>> = match &*listing {
        Load::Ready(l) => Some(l.clone()),
        _ => None,
    };
    let described = use_described(ready.as_ref().map(|l| l.generation));
    // Customer managed keys first (by alias, keys without one last), then AWS managed keys.
    let order: Rc<Vec<usize>> = {
        let ready = ready.clone();
        use_memo(ready.as_ref().map(|l| l.generation), move |_| {
            let mut order: Vec<usize> = (0..ready.as_ref().map_or(0, |l| l.keys.len())).collect();
            if let Some(l) = &ready {
                order.sort_by_cached_key(|i| {
                    let k = &l.keys[*i];
                    (
                        k.aws_managed,
                        k.aliases.is_empty(),
                        k.aliases.first().cloned(),
                        k.key_id.clone(),
                    )
                });
            }
            order
        })
    };
    let loading = matches!(&*listing, Load::Loading);
    let load_error = match &*listing {
        Load::Failed(e) => Some(e.clone()),
        _ => None,
    };
    let keys: Vec<&ListedKey> = match &ready {
        Some(l) => order.iter().map(|i| &l.keys[*i]).collect(),
        None => Vec::new(),
    };
    let customer_managed = |k: &ListedKey| described.borrow().in_table(k, true);
    let picked: Option<&ListedKey> = keys
        .iter()
        .find(|k| k.key_id == *key_id)
        .or_else(|| keys.first())
        .copied();
    // A key typed in (key ID, key ARN, alias name or alias ARN) wins over the list. Requests name
    // it as typed, as an application would, and KMS resolves it; the console only looks it up
    // to show the key's algorithms and usage.
    let typed = key_ref.trim().to_string();
    let resolved: Option<Option<&ListedKey>> =
        (!typed.is_empty()).then(|| resolve_key(&keys, &typed));
    let target: Option<&ListedKey> = match resolved {
        None => picked,
        Some(found) => found,
    };
    let target_meta: Option<KeyMetadata> =
        target.and_then(|k| described.borrow().meta(&k.key_id).cloned());
    // DescribeKey refused (the caller may use the key without describing it): say so; requests
    // still go to KMS, which decides.
    let target_failure: Option<ApiError> =
        target.and_then(|k| described.borrow().failure(&k.key_id).cloned());
    // The peers of a key agreement key: every other customer managed key, described.
    let finding_peers = *tab == "agreement"
        && target_meta
            .as_ref()
            .is_some_and(|m| m.key_usage == Some(KeyUsage::KeyAgreement));
    let wanted = {
        let ready = ready.clone();
        use_memo(
            (
                ready.as_ref().map(|l| l.generation),
                target.map(|k| k.key_id.clone()),
                finding_peers,
            ),
            move |(_, target, finding_peers)| {
                let peers = ready
                    .iter()
                    .flat_map(|l| l.keys.iter())
                    .filter(|k| *finding_peers && !k.aws_managed)
                    .map(|k| k.key_id.clone());
                target.iter().cloned().chain(peers).collect::<Vec<String>>()
            },
        )
    };
    use_describe(&described, &kms, ready.clone(), wanted);
    let row = |k: &ListedKey, meta: Option<KeyMetadata>| KeyRow {
        meta: meta.unwrap_or_else(|| KeyMetadata {
            key_id: k.key_id.clone(),
            ..KeyMetadata::default()
        }),
        aliases: k.aliases.clone(),
    };
    let selected = match &resolved {
        // (Until DescribeKey answers, a moment, the key is known by its id and aliases only.)
        None => picked.map(|k| row(k, target_meta.clone())),
        Some(found) => Some(KeyRow {
            meta: KeyMetadata {
                key_id: typed.clone(),
                ..target_meta.clone().unwrap_or_default()
            },
            aliases: found.map(|k| k.aliases.clone()).unwrap_or_default(),
        }),
    };
    let peers: Vec<KeyRow> = if finding_peers {
        keys.iter()
            .filter_map(|k| {
                described
                    .borrow()
                    .meta(&k.key_id)
                    .filter(|m| m.key_usage == Some(KeyUsage::KeyAgreement))
                    .map(|m| row(k, Some(m.clone())))
            })
            .collect()
    } else {
        Vec::new()
    };
    let searching_peers = finding_peers && described.borrow().progress.is_some();
    let tabs: Vec<(AttrValue, AttrValue)> = [
        ("encrypt", "Encrypt"),
        ("decrypt", "Decrypt"),
        // Short labels, so that the nine fit one line beside the navigation at 1440 px; each
        // panel's title says it in full.
        ("envelope", "Envelope encryption"),
        ("sign", "Sign and verify"),
        ("mac", "MAC"),
        ("agreement", "Key agreement"),
        ("kem", "Key encapsulation"),
        ("datakey", "Data keys"),
        ("random", "Random bytes"),
    ]
    .into_iter()
    .map(|(a, b)| (AttrValue::Static(a), AttrValue::Static(b)))
    .collect();
    let on_tab = {
        let tab = tab.clone();
        Callback::from(move |t| tab.set(t))
    };
    // The picker: each group's first keys (and the picked one); the rest are typed in.
    let picker_groups = Rc::new(picker::groups(
        &keys,
        customer_managed,
        picked.map(|p| p.key_id.as_str()),
    ));
    let ciphertext_handoff = use_state(Handoff::default);
    let to_decrypt = {
        let (tab, handoff) = (tab.clone(), ciphertext_handoff.clone());
        Callback::from(move |h: Handoff| {
            handoff.set(h);
            tab.set(AttrValue::Static("decrypt"));
        })
    };
    let panel = |id: &str, body: Html| html! { <div class="crypto-panel" hidden={*tab != id}>{ body }</div> };

    html! {
        <div class="page">
            { breadcrumbs(&[("Encrypt and decrypt", None)]) }
            <h1>{"Encrypt and decrypt"}</h1>
            <p class="lead">{"Use the keys of this Region in cryptographic operations, exactly as an application would call AWS KMS. \
                Each action shows the equivalent AWS CLI command and SDK call."}</p>
            <div class="panel">
                <div class="panel-header"><h2>{"KMS key"}</h2>
                    <button class="btn btn-icon" aria-label="Refresh keys" title="Refresh keys" onclick={reload.reform(|_| ())}><Icon name="refresh" /></button></div>
                <div class="panel-body">
                    if loading {
                        <Spinner label="Loading keys" />
                    } else if let Some(e) = load_error {
                        <ErrorAlert error={e} />
                    } else if keys.is_empty() {
                        <p>{"There are no keys in this Region yet. "}<Link<Route> to={Route::CreateKey}>{"Create a key"}</Link<Route>>{" first."}</p>
                    } else {
                        <div class="field">
                            <KeyPicker groups={picker_groups} picked={picked.map(|p| AttrValue::from(p.key_id.clone()))}
                                on_pick={ let k = key_id.clone(); Callback::from(move |id: String| k.set(id)) } />
                            if let Some(e) = &target_failure {
                                <ErrorAlert error={e.clone()} />
                            }
                            if let (Some(s), None, Some(_)) = (&selected, &resolved, &target_meta) {
                                <div class="field-hint">{ format!("{} key, {} ({}), {}.", s.meta.key_type(), key_usage_label(s.meta.key_usage), s.meta.spec_name(), key_state_label(s.meta.key_state)) }
                                    {" "}<Link<Route> to={Route::Key { id: s.meta.key_id.clone() }}>{"View key"}</Link<Route>></div>
                            }
                        </div>
                        <div class="field">
                            <label for="crypto-key-ref">{"Or enter a key ID, key ARN, alias name or alias ARN - "}<em>{"optional"}</em></label>
                            <input id="crypto-key-ref" type="text" value={(*key_ref).clone()} placeholder="alias/my-key"
                                oninput={ let k = key_ref.clone(); Callback::from(move |e: InputEvent| k.set(util::input_value(&e))) } />
                            { match &resolved {
                                Some(Some(k)) => html! { <div class="field-hint" data-testid="key-ref-hint">{ match &target_meta {
                                    Some(m) => format!("Requests name the key as {typed}; KMS resolves it to key {} ({}, {}).",
                                        k.key_id, m.spec_name(), key_usage_label(m.key_usage)),
                                    None => format!("Requests name the key as {typed}; KMS resolves it to key {}.", k.key_id),
                                } }</div> },
                                Some(None) => html! { <div class="field-hint" data-testid="key-ref-hint">{ format!("{typed} is not a key or alias of this Region: KMS will say so (NotFoundException), or reject its form (ValidationException).") }</div> },
                                None => html! { <div class="field-hint">{"Requests then name the key exactly as you typed it, as an application would."}</div> },
                            } }
                        </div>
                    }
                </div>
            </div>
            <Tabs tabs={tabs} active={(*tab).clone()} on_select={on_tab} />
            { panel("encrypt", html! { <EncryptPanel selected_key={selected.clone()} to_decrypt={to_decrypt} /> }) }
            { panel("decrypt", html! { <DecryptPanel selected_key={selected.clone()} handoff={(*ciphertext_handoff).clone()} /> }) }
            { panel("envelope", html! { <EnvelopePanel selected_key={selected.clone()} /> }) }
            { panel("sign", html! { <SignPanel selected_key={selected.clone()} /> }) }
            { panel("mac", html! { <MacPanel selected_key={selected.clone()} /> }) }
            { panel("agreement", html! { <AgreementPanel selected_key={selected.clone()} keys={peers} searching={searching_peers} /> }) }
            { panel("kem", html! { <KemPanel selected_key={selected.clone()} /> }) }
            { panel("datakey", html! { <DataKeyPanel selected_key={selected.clone()} /> }) }
            { panel("random", html! { <RandomPanel /> }) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub(super) struct KeyProps {
    pub selected_key: Option<KeyRow>,
    #[prop_or_default]
    to_decrypt: Option<Callback<Handoff>>,
    #[prop_or_default]
    handoff: Handoff,
}

/// What "Decrypt this ciphertext" carries to the Decrypt tab: the ciphertext and what Decrypt
/// must be given again (the encryption context, and an asymmetric key's algorithm).
#[derive(Clone, PartialEq, Default)]
pub(super) struct Handoff {
    pub ciphertext: String,
    pub context: Vec<(String, String)>,
    pub algorithm: String,
}

/// The selected key's ID, or "" before one is chosen (requests then say what KMS answers).
pub(super) fn selected_key_id(key: &Option<KeyRow>) -> String {
    key.as_ref()
        .map(|k| k.meta.key_id.clone())
        .unwrap_or_default()
}

/// A click that sends `req` (the panel's buttons wait while `busy`) and keeps its answer, read
/// by `read`, or AWS's error in `result`.
pub(super) fn send_into<T: 'static>(
    kms: &Kms,
    req: &Request,
    busy: &UseStateHandle<bool>,
    result: &UseStateHandle<Option<Result<T, ApiError>>>,
    read: impl Fn(&Value) -> T + 'static,
) -> Callback<MouseEvent> {
    let (kms, req, busy, result) = (kms.clone(), req.clone(), busy.clone(), result.clone());
    let read = Rc::new(read);
    Callback::from(move |_| {
        let (kms, req, busy, result, read) = (
            kms.clone(),
            req.clone(),
            busy.clone(),
            result.clone(),
            read.clone(),
        );
        busy.set(true);
        wasm_bindgen_futures::spawn_local(async move {
            let answer = kms.send(&req).await;
            busy.set(false);
            result.set(Some(answer.map(|v| read(&v))));
        });
    })
}

/// The last answer as `ok` shows it, or AWS's error; nothing before the first request.
pub(super) fn result_view<T>(
    result: &Option<Result<T, ApiError>>,
    ok: impl FnOnce(&T) -> Html,
) -> Html {
    match result {
        Some(Ok(answer)) => ok(answer),
        Some(Err(e)) => html! { <ErrorAlert error={e.clone()} /> },
        None => html! {},
    }
}

/// The key of `keys` that `reference` names (key ID, key ARN, alias name or alias ARN), if any.
fn resolve_key<'a>(keys: &[&'a ListedKey], reference: &str) -> Option<&'a ListedKey> {
    let arn = reference.starts_with("arn:");
    keys.iter()
        .find(|k| {
            k.key_id == reference
                || (arn && reference.ends_with(&format!(":key/{}", k.key_id)))
                || k.aliases
                    .iter()
                    .any(|a| a == reference || (arn && reference.ends_with(&format!(":{a}"))))
        })
        .copied()
}

pub(super) fn needs(key: &Option<KeyRow>, usage: KeyUsage, what: &str) -> Option<Html> {
    match key {
        None => Some(html! { <InfoAlert>{"Choose a key first."}</InfoAlert> }),
        // A typed reference that names no key of this Region: let KMS answer.
        Some(k) if k.meta.key_usage.is_none() => None,
        Some(k) if k.meta.key_usage != Some(usage) => Some(html! {
            <InfoAlert kind="warning">{ format!("{what} needs a key with key usage {}; this key's usage is {}. \
                Trying anyway shows the error AWS KMS returns.", key_usage_label(Some(usage)), key_usage_label(k.meta.key_usage)) }</InfoAlert>
        }),
        _ => None,
    }
}

/// A select of the key's algorithms (kms_core's enums), `value` the one picked.
pub(super) fn algorithm_select<A: Algorithm>(
    id: &str,
    options: &[A],
    value: Option<A>,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <div class="field">
            <label for={id.to_string()}>{"Algorithm"}</label>
            <select id={id.to_string()} {onchange}>
                { for options.iter().map(|o| html! { <option value={o.name()} selected={Some(*o) == value}>{ o.name() }</option> }) }
            </select>
        </div>
    }
}

pub(super) fn context_editor(
    rows: &UseStateHandle<Vec<(String, String)>>,
    key: &Option<KeyRow>,
) -> Html {
    // (An unknown typed key has no spec: say what holds for the usual, symmetric, case.)
    let symmetric = key
        .as_ref()
        .is_none_or(|k| k.meta.key_spec.is_none() || !k.meta.is_asymmetric());
    html! {
        <div class="field">
            <div class="label">{"Encryption context - "}<em>{"optional"}</em></div>
            <div class="field-hint">{ if symmetric {
                "Non-secret key/value pairs bound to the ciphertext: decryption must supply exactly the same pairs."
            } else {
                "Asymmetric keys do not support an encryption context; KMS rejects one."
            } }</div>
            <KvEditor id="context" rows={(**rows).clone()} key_label="Context key" value_label="Context value" add_label="Add context pair"
                on_change={ let r = rows.clone(); Callback::from(move |v| r.set(v)) } />
        </div>
    }
}

pub(super) fn output_block(
    label: &str,
    id: &str,
    text: &str,
    download_name: Option<(&str, Vec<u8>)>,
) -> Html {
    let download = download_name.map(|(name, bytes)| {
        let name = name.to_string();
        html! { <button class="btn btn-small" onclick={Callback::from(move |_| util::download(&name, &bytes, "application/octet-stream"))}><Icon name="download" />{"Download"}</button> }
    });
    html! {
        <div class="field output">
            <div class="label-row"><label for={id.to_string()}>{ label.to_string() }</label>
                <span class="button-row"><CopyButton text={text.to_string()} />{ download.unwrap_or_default() }</span></div>
            <textarea id={id.to_string()} class="code-editor" readonly=true rows="4" value={text.to_string()} />
        </div>
    }
}
