//! Encrypt and decrypt: the cryptographic operations of KMS on one page, for learning. Direct
//! Encrypt/Decrypt of text or small files, envelope encryption of large files with a data key,
//! sign/verify, MAC, key agreement, key encapsulation, data keys and random bytes. Every AWS
//! error is shown as AWS reports it.

mod agreement;
mod kem;
mod sign;

use agreement::AgreementPanel;
use kem::KemPanel;
use sign::SignPanel;

use super::breadcrumbs;
use crate::app::Route;
use crate::components::{
    ApiPanel, CopyButton, ErrorAlert, Icon, InfoAlert, KvEditor, Spinner, Tabs,
};
use crate::envelope;
use crate::hooks::{use_kms, use_loader, Load};
use crate::kms::{requests as r, ApiError, KeyRow, Request};
use crate::model::{key_usage_label, KeyMetadata};
use crate::util;
use yew::prelude::*;
use yew_router::prelude::*;

/// Encrypt accepts at most 4 KiB of plaintext.
const DIRECT_LIMIT: usize = 4096;

#[function_component]
pub fn CryptoPage() -> Html {
    let kms = use_kms();
    let (rows_state, reload) =
        use_loader(kms.clone(), |kms| async move { kms.key_rows(None).await });
    let key_id = use_state(String::new);
    let key_ref = use_state(String::new);
    let tab = use_state(|| AttrValue::Static("encrypt"));
    // Customer managed keys first (by alias, keys without one last), then AWS managed keys.
    let mut rows: Vec<KeyRow> = match &*rows_state {
        Load::Ready(v) => v.clone(),
        _ => Vec::new(),
    };
    rows.sort_by_key(|r| {
        (
            !r.meta.is_customer_managed(),
            r.aliases.is_empty(),
            r.aliases.first().cloned(),
            r.meta.key_id.clone(),
        )
    });
    let loading = matches!(&*rows_state, Load::Loading);
    let load_error = match &*rows_state {
        Load::Failed(e) => Some(e.clone()),
        _ => None,
    };
    let picked = rows
        .iter()
        .find(|r| r.meta.key_id == *key_id)
        .cloned()
        .or_else(|| rows.first().cloned());
    // A key typed in (key ID, key ARN, alias name or alias ARN) wins over the list. Requests name
    // it as typed, as an application would, and KMS resolves it; the console only looks it up
    // to show the key's algorithms and usage.
    let typed = key_ref.trim().to_string();
    let resolved = (!typed.is_empty()).then(|| resolve_key(&rows, &typed));
    let selected = match &resolved {
        None => picked,
        Some(found) => Some(KeyRow {
            meta: KeyMetadata {
                key_id: typed.clone(),
                ..found.as_ref().map(|r| r.meta.clone()).unwrap_or_default()
            },
            aliases: found
                .as_ref()
                .map(|r| r.aliases.clone())
                .unwrap_or_default(),
        }),
    };
    let tabs: Vec<(AttrValue, AttrValue)> = [
        ("encrypt", "Encrypt"),
        ("decrypt", "Decrypt"),
        ("envelope", "Envelope encryption (large files)"),
        ("sign", "Sign and verify"),
        ("mac", "Generate and verify MAC"),
        ("agreement", "Key agreement"),
        ("kem", "Key encapsulation"),
        ("datakey", "Generate data key"),
        ("random", "Random bytes"),
    ]
    .into_iter()
    .map(|(a, b)| (AttrValue::Static(a), AttrValue::Static(b)))
    .collect();
    let on_tab = {
        let tab = tab.clone();
        Callback::from(move |t| tab.set(t))
    };
    let label = |row: &KeyRow| {
        let name = row
            .aliases
            .first()
            .map(|a| a.trim_start_matches("alias/").to_string())
            .unwrap_or_else(|| "(no alias)".into());
        format!(
            "{name} - {} - {} - {}",
            row.meta.key_id, row.meta.key_spec, row.meta.key_state
        )
    };
    let ciphertext_handoff = use_state(String::new);
    let to_decrypt = {
        let (tab, handoff) = (tab.clone(), ciphertext_handoff.clone());
        Callback::from(move |ct: String| {
            handoff.set(ct);
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
                    } else if rows.is_empty() {
                        <p>{"There are no keys in this Region yet. "}<Link<Route> to={Route::CreateKey}>{"Create a key"}</Link<Route>>{" first."}</p>
                    } else {
                        <div class="field">
                            <label for="crypto-key">{"Key (alias - key ID - key spec - status)"}</label>
                            <select id="crypto-key" onchange={ let k = key_id.clone(); Callback::from(move |e: Event| k.set(util::select_value(&e))) }>
                                { for [(true, "Customer managed keys"), (false, "AWS managed keys")].into_iter()
                                    .filter(|(customer, _)| rows.iter().any(|r| r.meta.is_customer_managed() == *customer)).map(|(customer, group)| html! {
                                    <optgroup label={group}>
                                        { for rows.iter().filter(|r| r.meta.is_customer_managed() == customer).map(|row| html! {
                                            <option value={row.meta.key_id.clone()} selected={selected.as_ref().is_some_and(|s| s.meta.key_id == row.meta.key_id)}>{ label(row) }</option>
                                        }) }
                                    </optgroup>
                                }) }
                            </select>
                            if let (Some(s), None) = (&selected, &resolved) {
                                <div class="field-hint">{ format!("{} key, {} ({}).", s.meta.key_type(), key_usage_label(&s.meta.key_usage), s.meta.key_spec) }
                                    {" "}<Link<Route> to={Route::Key { id: s.meta.key_id.clone() }}>{"View key"}</Link<Route>></div>
                            }
                        </div>
                        <div class="field">
                            <label for="crypto-key-ref">{"Or enter a key ID, key ARN, alias name or alias ARN - "}<em>{"optional"}</em></label>
                            <input id="crypto-key-ref" type="text" value={(*key_ref).clone()} placeholder="alias/my-key"
                                oninput={ let k = key_ref.clone(); Callback::from(move |e: InputEvent| k.set(util::input_value(&e))) } />
                            { match &resolved {
                                Some(Some(r)) => html! { <div class="field-hint" data-testid="key-ref-hint">{ format!("Requests name the key as {typed}; KMS resolves it to key {} ({}, {}).",
                                    r.meta.key_id, r.meta.key_spec, key_usage_label(&r.meta.key_usage)) }</div> },
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
            { panel("agreement", html! { <AgreementPanel selected_key={selected.clone()} keys={rows.clone()} /> }) }
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
    to_decrypt: Option<Callback<String>>,
    #[prop_or_default]
    handoff: String,
}

/// Runs one request and hands back its answer or AWS's error.
pub(super) fn run_request(
    kms: crate::kms::Kms,
    req: Request,
    busy: UseStateHandle<bool>,
    on_result: impl FnOnce(Result<serde_json::Value, ApiError>) + 'static,
) {
    busy.set(true);
    wasm_bindgen_futures::spawn_local(async move {
        let result = kms.send(&req).await;
        busy.set(false);
        on_result(result);
    });
}

/// The key of `rows` that `reference` names (key ID, key ARN, alias name or alias ARN), if any.
fn resolve_key(rows: &[KeyRow], reference: &str) -> Option<KeyRow> {
    rows.iter()
        .find(|r| {
            r.meta.key_id == reference
                || r.meta.arn == reference
                || r.aliases.iter().any(|a| {
                    a == reference
                        || (reference.starts_with("arn:") && reference.ends_with(&format!(":{a}")))
                })
        })
        .cloned()
}

pub(super) fn needs(key: &Option<KeyRow>, usage: &str, what: &str) -> Option<Html> {
    match key {
        None => Some(html! { <InfoAlert>{"Choose a key first."}</InfoAlert> }),
        // A typed reference that names no key of this Region: let KMS answer.
        Some(k) if k.meta.key_usage.is_empty() => None,
        Some(k) if k.meta.key_usage != usage => Some(html! {
            <InfoAlert kind="warning">{ format!("{what} needs a key with key usage {}; this key's usage is {}. \
                Trying anyway shows the error AWS KMS returns.", key_usage_label(usage), key_usage_label(&k.meta.key_usage)) }</InfoAlert>
        }),
        _ => None,
    }
}

pub(super) fn algorithm_select(
    id: &str,
    options: &[String],
    value: &str,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <div class="field">
            <label for={id.to_string()}>{"Algorithm"}</label>
            <select id={id.to_string()} {onchange}>
                { for options.iter().map(|o| html! { <option value={o.clone()} selected={o == value}>{ o }</option> }) }
            </select>
        </div>
    }
}

pub(super) fn pick<'a>(value: &'a str, options: &'a [String]) -> String {
    if options.iter().any(|o| o == value) {
        value.to_string()
    } else {
        options
            .first()
            .cloned()
            .unwrap_or_else(|| "SYMMETRIC_DEFAULT".to_string())
    }
}

fn context_editor(rows: &UseStateHandle<Vec<(String, String)>>, key: &Option<KeyRow>) -> Html {
    // (An unknown typed key has no spec: say what holds for the usual, symmetric, case.)
    let symmetric = key
        .as_ref()
        .is_none_or(|k| k.meta.key_spec.is_empty() || !k.meta.is_asymmetric());
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

#[function_component]
fn EncryptPanel(p: &KeyProps) -> Html {
    let kms = use_kms();
    let mode_file = use_state(|| false);
    let text = use_state(String::new);
    let file = use_state(|| None::<(String, Vec<u8>)>);
    let context = use_state(Vec::<(String, String)>::new);
    let algorithm = use_state(|| "SYMMETRIC_DEFAULT".to_string());
    let busy = use_state(|| false);
    let result = use_state(|| None::<Result<String, ApiError>>);
    let file_error = use_state(|| None::<String>);

    let algorithms = p
        .selected_key
        .as_ref()
        .map(|k| k.meta.encryption_algorithms.clone())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| vec!["SYMMETRIC_DEFAULT".into()]);
    let alg = pick(&algorithm, &algorithms);
    let plaintext: Vec<u8> = if *mode_file {
        file.as_ref().map(|f| f.1.clone()).unwrap_or_default()
    } else {
        text.as_bytes().to_vec()
    };
    let key_id = p
        .selected_key
        .as_ref()
        .map(|k| k.meta.key_id.clone())
        .unwrap_or_default();
    let req = r::encrypt(&key_id, &util::b64(&plaintext), &alg, &context);
    let too_big = plaintext.len() > DIRECT_LIMIT;

    let on_file = {
        let (file, file_error) = (file.clone(), file_error.clone());
        Callback::from(move |e: Event| {
            let (file, file_error) = (file.clone(), file_error.clone());
            if let Some(f) = util::picked_file(&e) {
                wasm_bindgen_futures::spawn_local(async move {
                    match util::read_file(&f).await {
                        Ok(bytes) => {
                            file_error.set(None);
                            file.set(Some((f.name(), bytes)));
                        }
                        Err(e) => file_error.set(Some(e)),
                    }
                });
            }
        })
    };
    let encrypt = {
        let (kms, req, busy, result) = (kms.clone(), req.clone(), busy.clone(), result.clone());
        Callback::from(move |_| {
            let result = result.clone();
            run_request(kms.clone(), req.clone(), busy.clone(), move |res| {
                result.set(Some(res.map(|v| {
                    v["CiphertextBlob"].as_str().unwrap_or_default().to_string()
                })));
            });
        })
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Encrypt"}</h2></div>
            <div class="panel-body">
                { needs(&p.selected_key, "ENCRYPT_DECRYPT", "Encrypt").unwrap_or_default() }
                <div class="segmented" role="radiogroup" aria-label="Plaintext source">
                    <button type="button" role="radio" aria-checked={(!*mode_file).to_string()} class={classes!((!*mode_file).then_some("on"))}
                        onclick={ let m = mode_file.clone(); Callback::from(move |_| m.set(false)) }>{"Text"}</button>
                    <button type="button" role="radio" aria-checked={mode_file.to_string()} class={classes!(mode_file.then_some("on"))}
                        onclick={ let m = mode_file.clone(); Callback::from(move |_| m.set(true)) }>{"File (up to 4 KiB)"}</button>
                </div>
                if *mode_file {
                    <div class="field">
                        <label for="encrypt-file">{"File to encrypt"}</label>
                        <input id="encrypt-file" type="file" onchange={on_file} />
                        if let Some((name, bytes)) = &*file { <div class="field-hint">{ format!("{name}: {} bytes", bytes.len()) }</div> }
                        if let Some(e) = &*file_error { <div class="field-error">{ e }</div> }
                    </div>
                } else {
                    <div class="field">
                        <label for="encrypt-plaintext">{"Plaintext"}</label>
                        <textarea id="encrypt-plaintext" rows="4" value={(*text).clone()} placeholder="Text to encrypt"
                            oninput={ let t = text.clone(); Callback::from(move |e: InputEvent| t.set(util::textarea_value(&e))) } />
                        <div class="field-hint">{ format!("{} of {DIRECT_LIMIT} bytes (UTF-8)", plaintext.len()) }</div>
                    </div>
                }
                if too_big {
                    <InfoAlert kind="warning">{"Encrypt takes at most 4,096 bytes. For larger data use envelope encryption (its own tab): \
                        KMS generates a data key, and the data is encrypted locally with it."}</InfoAlert>
                }
                { algorithm_select("encrypt-algorithm", &algorithms, &alg, { let a = algorithm.clone(); Callback::from(move |e: Event| a.set(util::select_value(&e))) }) }
                { context_editor(&context, &p.selected_key) }
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || p.selected_key.is_none() || plaintext.is_empty()} onclick={encrypt}>
                        { if *busy { "Encrypting..." } else { "Encrypt" } }</button>
                </div>
                { match &*result {
                    Some(Ok(ct)) => {
                        let bytes = util::unb64(ct).unwrap_or_default();
                        let handoff = p.to_decrypt.clone().map(|cb| { let ct = ct.clone(); html! {
                            <button class="btn" onclick={Callback::from(move |_| cb.emit(ct.clone()))}>{"Decrypt this ciphertext"}</button> } });
                        html! { <>
                            { output_block("Ciphertext (base64)", "ciphertext-output", ct, Some(("ciphertext.bin", bytes))) }
                            <div class="field-hint">{ format!("{} bytes of ciphertext. It names the key that made it, so Decrypt needs no key ID for symmetric keys.", util::unb64(ct).map(|b| b.len()).unwrap_or(0)) }</div>
                            { handoff.unwrap_or_default() }
                        </> }
                    }
                    Some(Err(e)) => html! { <ErrorAlert error={e.clone()} /> },
                    None => html! {},
                } }
                <ApiPanel requests={vec![req]} />
            </div>
        </div>
    }
}

#[function_component]
fn DecryptPanel(p: &KeyProps) -> Html {
    let kms = use_kms();
    let ciphertext = use_state(String::new);
    let context = use_state(Vec::<(String, String)>::new);
    let algorithm = use_state(|| "SYMMETRIC_DEFAULT".to_string());
    let busy = use_state(|| false);
    let result = use_state(|| None::<Result<(Vec<u8>, String), ApiError>>);
    let local_error = use_state(|| None::<String>);
    {
        let (ciphertext, result) = (ciphertext.clone(), result.clone());
        use_effect_with(p.handoff.clone(), move |h| {
            if !h.is_empty() {
                ciphertext.set(h.clone());
                result.set(None);
            }
        });
    }
    let asymmetric = p
        .selected_key
        .as_ref()
        .is_some_and(|k| k.meta.is_asymmetric());
    let algorithms = if asymmetric {
        p.selected_key
            .as_ref()
            .map(|k| k.meta.encryption_algorithms.clone())
            .unwrap_or_default()
    } else {
        vec!["SYMMETRIC_DEFAULT".to_string()]
    };
    let alg = pick(&algorithm, &algorithms);
    // Symmetric ciphertexts name their key; asymmetric ones need the key and algorithm.
    let key_id = if asymmetric {
        p.selected_key.as_ref().map(|k| k.meta.key_id.clone())
    } else {
        None
    };
    let cleaned: String = ciphertext.chars().filter(|c| !c.is_whitespace()).collect();
    let req = r::decrypt(&cleaned, key_id.as_deref(), &alg, &context);
    let on_file = {
        let (ciphertext, local_error) = (ciphertext.clone(), local_error.clone());
        Callback::from(move |e: Event| {
            let (ciphertext, local_error) = (ciphertext.clone(), local_error.clone());
            if let Some(f) = util::picked_file(&e) {
                wasm_bindgen_futures::spawn_local(async move {
                    match util::read_file(&f).await {
                        // A base64 text file is taken as it is; anything else as raw ciphertext bytes.
                        Ok(bytes) => {
                            local_error.set(None);
                            let as_text = String::from_utf8(bytes.clone())
                                .ok()
                                .filter(|t| util::unb64(t).is_ok());
                            ciphertext.set(
                                as_text
                                    .map(|t| t.trim().to_string())
                                    .unwrap_or_else(|| util::b64(&bytes)),
                            );
                        }
                        Err(e) => local_error.set(Some(e)),
                    }
                });
            }
        })
    };
    let decrypt = {
        let (kms, req, busy, result, local_error, cleaned) = (
            kms.clone(),
            req.clone(),
            busy.clone(),
            result.clone(),
            local_error.clone(),
            cleaned.clone(),
        );
        Callback::from(move |_| {
            if let Err(e) = util::unb64(&cleaned) {
                local_error.set(Some(e));
                return;
            }
            local_error.set(None);
            let result = result.clone();
            run_request(kms.clone(), req.clone(), busy.clone(), move |res| {
                result.set(Some(res.map(|v| {
                    let pt = util::unb64(v["Plaintext"].as_str().unwrap_or_default())
                        .unwrap_or_default();
                    (pt, v["KeyId"].as_str().unwrap_or_default().to_string())
                })));
            });
        })
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Decrypt"}</h2></div>
            <div class="panel-body">
                <div class="field">
                    <label for="decrypt-ciphertext">{"Ciphertext (base64)"}</label>
                    <textarea id="decrypt-ciphertext" class="code-editor" rows="4" value={(*ciphertext).clone()} placeholder="Paste a ciphertext blob in base64"
                        oninput={ let c = ciphertext.clone(); Callback::from(move |e: InputEvent| c.set(util::textarea_value(&e))) } />
                </div>
                <div class="field">
                    <label for="decrypt-file">{"Or upload a ciphertext file (raw bytes or base64 text)"}</label>
                    <input id="decrypt-file" type="file" onchange={on_file} />
                </div>
                if asymmetric {
                    <div class="field-hint">{"Asymmetric ciphertexts do not record their key: the request names the selected key and algorithm."}</div>
                    { algorithm_select("decrypt-algorithm", &algorithms, &alg, { let a = algorithm.clone(); Callback::from(move |e: Event| a.set(util::select_value(&e))) }) }
                } else {
                    <div class="field-hint">{"A symmetric ciphertext records which key made it, so the request does not name a key."}</div>
                }
                { context_editor(&context, &p.selected_key) }
                if let Some(e) = &*local_error { <div class="field-error">{ e }</div> }
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || cleaned.is_empty()} onclick={decrypt}>{ if *busy { "Decrypting..." } else { "Decrypt" } }</button>
                </div>
                { match &*result {
                    Some(Ok((pt, key))) => html! { <>
                        <InfoAlert kind="success" title="Decrypted">{ format!("Decrypted with key {key}.") }</InfoAlert>
                        { match util::bytes_as_text(pt) {
                            Some(t) => output_block("Plaintext", "plaintext-output", &t, Some(("plaintext.txt", pt.clone()))),
                            None => output_block("Plaintext (binary, base64)", "plaintext-output", &util::b64(pt), Some(("plaintext.bin", pt.clone()))),
                        } }
                    </> },
                    Some(Err(e)) => html! { <ErrorAlert error={e.clone()} /> },
                    None => html! {},
                } }
                <ApiPanel requests={vec![req]} />
            </div>
        </div>
    }
}

#[derive(Clone, PartialEq)]
struct Step {
    title: String,
    detail: String,
    ok: bool,
}

#[function_component]
fn EnvelopePanel(p: &KeyProps) -> Html {
    let kms = use_kms();
    let context = use_state(Vec::<(String, String)>::new);
    let steps = use_state(Vec::<Step>::new);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);
    // The file the last step produced: (name, bytes), offered for download.
    let output = use_state(|| None::<(String, Vec<u8>)>);
    let key_id = p
        .selected_key
        .as_ref()
        .map(|k| k.meta.key_id.clone())
        .unwrap_or_default();
    let gdk = r::generate_data_key(&key_id, &context);

    let encrypt_file = {
        let (kms, gdk, steps, error, busy, output) = (
            kms.clone(),
            gdk.clone(),
            steps.clone(),
            error.clone(),
            busy.clone(),
            output.clone(),
        );
        Callback::from(move |e: Event| {
            let Some(f) = util::picked_file(&e) else {
                return;
            };
            let (kms, gdk, steps, error, busy, output) = (
                kms.clone(),
                gdk.clone(),
                steps.clone(),
                error.clone(),
                busy.clone(),
                output.clone(),
            );
            busy.set(true);
            error.set(None);
            output.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let mut log = Vec::new();
                let data = match util::read_file(&f).await {
                    Ok(d) => d,
                    Err(e) => {
                        error.set(Some(ApiError::local("FileReadError", e)));
                        busy.set(false);
                        return;
                    }
                };
                log.push(Step {
                    title: format!("Read {} ({} bytes) in the page", f.name(), data.len()),
                    detail: "The file never goes to KMS.".into(),
                    ok: true,
                });
                steps.set(log.clone());
                let resp = match kms.send(&gdk).await {
                    Ok(v) => v,
                    Err(e) => {
                        error.set(Some(e));
                        busy.set(false);
                        return;
                    }
                };
                let mut data_key =
                    util::unb64(resp["Plaintext"].as_str().unwrap_or_default()).unwrap_or_default();
                let edk = util::unb64(resp["CiphertextBlob"].as_str().unwrap_or_default())
                    .unwrap_or_default();
                log.push(Step {
                    title: "GenerateDataKey (KeySpec AES_256)".into(),
                    detail: format!("KMS returned a 256-bit data key twice: in plaintext ({} bytes, used only in memory) and encrypted under your KMS key ({} bytes, stored with the file).", data_key.len(), edk.len()),
                    ok: true,
                });
                let nonce = util::random_bytes::<12>();
                let sealed = envelope::seal(&data_key, nonce, &edk, &data);
                // The plaintext data key is not needed any more: wipe it.
                data_key.iter_mut().for_each(|b| *b = 0);
                match sealed {
                    Ok(out) => {
                        log.push(Step { title: "AES-256-GCM in the page".into(), detail: format!("Encrypted {} bytes locally with the plaintext data key and a random 96-bit nonce; GCM adds a 16-byte authentication tag.", data.len()), ok: true });
                        log.push(Step { title: "Discarded the plaintext data key".into(), detail: "Only the encrypted data key is kept: without KMS it cannot be used.".into(), ok: true });
                        log.push(Step { title: format!("Envelope file: {} bytes", out.len()), detail: "Header KMSENV01 | encrypted data key | nonce | ciphertext+tag. Download it below.".into(), ok: true });
                        output.set(Some((format!("{}.kmsenv", f.name()), out)));
                    }
                    Err(e) => {
                        log.push(Step {
                            title: "AES-256-GCM failed".into(),
                            detail: e,
                            ok: false,
                        });
                    }
                }
                steps.set(log);
                busy.set(false);
            });
        })
    };
    let decrypt_file = {
        let (kms, context, steps, error, busy, output) = (
            kms.clone(),
            context.clone(),
            steps.clone(),
            error.clone(),
            busy.clone(),
            output.clone(),
        );
        Callback::from(move |e: Event| {
            let Some(f) = util::picked_file(&e) else {
                return;
            };
            let (kms, context, steps, error, busy, output) = (
                kms.clone(),
                context.clone(),
                steps.clone(),
                error.clone(),
                busy.clone(),
                output.clone(),
            );
            busy.set(true);
            error.set(None);
            output.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let mut log = Vec::new();
                let parsed = match util::read_file(&f).await.and_then(|b| envelope::parse(&b)) {
                    Ok(env) => env,
                    Err(e) => {
                        error.set(Some(ApiError::local("InvalidEnvelopeFile", e)));
                        busy.set(false);
                        return;
                    }
                };
                log.push(Step {
                    title: format!("Read the envelope {}", f.name()),
                    detail: format!(
                        "Encrypted data key: {} bytes; encrypted content: {} bytes.",
                        parsed.encrypted_data_key.len(),
                        parsed.ciphertext.len()
                    ),
                    ok: true,
                });
                steps.set(log.clone());
                let req = r::decrypt(
                    &util::b64(&parsed.encrypted_data_key),
                    None,
                    "SYMMETRIC_DEFAULT",
                    &context,
                );
                let resp = match kms.send(&req).await {
                    Ok(v) => v,
                    Err(e) => {
                        error.set(Some(e));
                        steps.set(log);
                        busy.set(false);
                        return;
                    }
                };
                log.push(Step {
                    title: "Decrypt (the encrypted data key)".into(),
                    detail: format!(
                        "KMS decrypted the data key with {}.",
                        resp["KeyId"].as_str().unwrap_or_default()
                    ),
                    ok: true,
                });
                let mut data_key =
                    util::unb64(resp["Plaintext"].as_str().unwrap_or_default()).unwrap_or_default();
                let opened = envelope::open(&data_key, &parsed);
                data_key.iter_mut().for_each(|b| *b = 0);
                match opened {
                    Ok(plain) => {
                        log.push(Step {
                            title: "AES-256-GCM decryption in the page".into(),
                            detail: format!(
                                "Recovered and authenticated {} bytes. Download it below.",
                                plain.len()
                            ),
                            ok: true,
                        });
                        let name = f.name().trim_end_matches(".kmsenv").to_string();
                        output.set(Some((format!("decrypted-{name}"), plain)));
                    }
                    Err(e) => log.push(Step {
                        title: "AES-256-GCM decryption failed".into(),
                        detail: e,
                        ok: false,
                    }),
                }
                steps.set(log);
                busy.set(false);
            });
        })
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Envelope encryption"}</h2></div>
            <div class="panel-body">
                <p class="hint">{"KMS encrypts at most 4 KiB directly. To protect a file of any size, ask KMS for a data key, \
                    encrypt the file with it locally, and store the encrypted data key next to the encrypted file. \
                    To decrypt, KMS decrypts only the small data key."}</p>
                { needs(&p.selected_key, "ENCRYPT_DECRYPT", "Envelope encryption").unwrap_or_default() }
                { context_editor(&context, &p.selected_key) }
                <div class="grid-2">
                    <div class="field">
                        <label for="envelope-encrypt-file">{"Encrypt a file"}</label>
                        <input id="envelope-encrypt-file" type="file" disabled={*busy || p.selected_key.is_none()} onchange={encrypt_file} />
                    </div>
                    <div class="field">
                        <label for="envelope-decrypt-file">{"Decrypt a .kmsenv file"}</label>
                        <input id="envelope-decrypt-file" type="file" disabled={*busy} onchange={decrypt_file} />
                    </div>
                </div>
                if *busy { <Spinner label="Working" /> }
                if !steps.is_empty() {
                    <ol class="steps" data-testid="envelope-steps">
                        { for steps.iter().map(|s| html! {
                            <li class={classes!(if s.ok { "step-ok" } else { "step-failed" })}><strong>{ &s.title }</strong><div class="hint">{ &s.detail }</div></li>
                        }) }
                    </ol>
                }
                if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
                if let Some((name, bytes)) = &*output {
                    <div class="button-row">
                        <button class="btn btn-primary" data-testid="envelope-download" onclick={ let (name, bytes) = (name.clone(), bytes.clone());
                            Callback::from(move |_| util::download(&name, &bytes, "application/octet-stream")) }>
                            <Icon name="download" />{ format!("Download {name} ({} bytes)", bytes.len()) }</button>
                    </div>
                }
                <ApiPanel requests={vec![gdk]} />
            </div>
        </div>
    }
}

#[function_component]
fn MacPanel(p: &KeyProps) -> Html {
    let kms = use_kms();
    let message = use_state(String::new);
    let mac = use_state(String::new);
    let algorithm = use_state(String::new);
    let busy = use_state(|| false);
    let outcome = use_state(|| None::<Result<String, ApiError>>);
    let algorithms = p
        .selected_key
        .as_ref()
        .map(|k| k.meta.mac_algorithms.clone())
        .unwrap_or_default();
    let alg = pick(&algorithm, &algorithms);
    let key_id = p
        .selected_key
        .as_ref()
        .map(|k| k.meta.key_id.clone())
        .unwrap_or_default();
    let msg_b64 = util::b64(message.as_bytes());
    let gen_req = r::generate_mac(&key_id, &msg_b64, &alg);
    let verify_req = r::verify_mac(&key_id, &msg_b64, mac.trim(), &alg);
    let generate = {
        let (kms, req, busy, outcome, mac) = (
            kms.clone(),
            gen_req.clone(),
            busy.clone(),
            outcome.clone(),
            mac.clone(),
        );
        Callback::from(move |_| {
            let (outcome, mac) = (outcome.clone(), mac.clone());
            run_request(
                kms.clone(),
                req.clone(),
                busy.clone(),
                move |res| match res {
                    Ok(v) => {
                        mac.set(v["Mac"].as_str().unwrap_or_default().to_string());
                        outcome.set(Some(Ok("MAC generated.".into())));
                    }
                    Err(e) => outcome.set(Some(Err(e))),
                },
            );
        })
    };
    let verify = {
        let (kms, req, busy, outcome) = (
            kms.clone(),
            verify_req.clone(),
            busy.clone(),
            outcome.clone(),
        );
        Callback::from(move |_| {
            let outcome = outcome.clone();
            run_request(kms.clone(), req.clone(), busy.clone(), move |res| {
                outcome.set(Some(res.map(|v| {
                    if v["MacValid"].as_bool() == Some(true) {
                        "MAC is valid.".into()
                    } else {
                        "MAC is not valid.".into()
                    }
                })));
            });
        })
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Generate and verify MAC"}</h2></div>
            <div class="panel-body">
                { needs(&p.selected_key, "GENERATE_VERIFY_MAC", "HMAC").unwrap_or_default() }
                <div class="field">
                    <label for="mac-message">{"Message"}</label>
                    <textarea id="mac-message" rows="3" value={(*message).clone()}
                        oninput={ let m = message.clone(); Callback::from(move |e: InputEvent| m.set(util::textarea_value(&e))) } />
                </div>
                if !algorithms.is_empty() {
                    { algorithm_select("mac-algorithm", &algorithms, &alg, { let a = algorithm.clone(); Callback::from(move |e: Event| a.set(util::select_value(&e))) }) }
                }
                <div class="field">
                    <label for="mac-value">{"MAC (base64)"}</label>
                    <textarea id="mac-value" class="code-editor" rows="2" value={(*mac).clone()}
                        oninput={ let s = mac.clone(); Callback::from(move |e: InputEvent| s.set(util::textarea_value(&e))) } />
                </div>
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || p.selected_key.is_none() || message.is_empty()} onclick={generate}>{"Generate MAC"}</button>
                    <button class="btn" disabled={*busy || p.selected_key.is_none() || mac.trim().is_empty()} onclick={verify}>{"Verify MAC"}</button>
                </div>
                { match &*outcome {
                    Some(Ok(m)) => html! { <InfoAlert kind="success">{ m }</InfoAlert> },
                    Some(Err(e)) => html! { <ErrorAlert error={e.clone()} /> },
                    None => html! {},
                } }
                <ApiPanel requests={vec![gen_req, verify_req]} />
            </div>
        </div>
    }
}

#[function_component]
fn DataKeyPanel(p: &KeyProps) -> Html {
    let kms = use_kms();
    let context = use_state(Vec::<(String, String)>::new);
    let busy = use_state(|| false);
    let result = use_state(|| None::<Result<(String, String), ApiError>>);
    let key_id = p
        .selected_key
        .as_ref()
        .map(|k| k.meta.key_id.clone())
        .unwrap_or_default();
    let req = r::generate_data_key(&key_id, &context);
    let generate = {
        let (kms, req, busy, result) = (kms.clone(), req.clone(), busy.clone(), result.clone());
        Callback::from(move |_| {
            let result = result.clone();
            run_request(kms.clone(), req.clone(), busy.clone(), move |res| {
                result.set(Some(res.map(|v| {
                    (
                        v["Plaintext"].as_str().unwrap_or_default().to_string(),
                        v["CiphertextBlob"].as_str().unwrap_or_default().to_string(),
                    )
                })));
            });
        })
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Generate data key"}</h2></div>
            <div class="panel-body">
                <p class="hint">{"A data key is a unique AES key for encrypting data outside KMS. KMS returns it in plaintext (use it, then forget it) \
                    and encrypted under your KMS key (store it with the data; Decrypt recovers the plaintext key later)."}</p>
                { needs(&p.selected_key, "ENCRYPT_DECRYPT", "GenerateDataKey").unwrap_or_default() }
                { context_editor(&context, &p.selected_key) }
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || p.selected_key.is_none()} onclick={generate}>{"Generate data key"}</button>
                </div>
                { match &*result {
                    Some(Ok((pt, ct))) => html! { <>
                        { output_block("Plaintext data key (base64) - keep secret, never store", "datakey-plaintext", pt, None) }
                        { output_block("Encrypted data key (CiphertextBlob, base64)", "datakey-ciphertext", ct, Some(("data-key.encrypted", util::unb64(ct).unwrap_or_default()))) }
                    </> },
                    Some(Err(e)) => html! { <ErrorAlert error={e.clone()} /> },
                    None => html! {},
                } }
                <ApiPanel requests={vec![req]} />
            </div>
        </div>
    }
}

#[function_component]
fn RandomPanel() -> Html {
    let kms = use_kms();
    let count = use_state(|| "32".to_string());
    let busy = use_state(|| false);
    let result = use_state(|| None::<Result<String, ApiError>>);
    let n: u32 = count.trim().parse().unwrap_or(0);
    let valid = (1..=1024).contains(&n);
    let req = r::generate_random(n);
    let generate = {
        let (kms, req, busy, result) = (kms.clone(), req.clone(), busy.clone(), result.clone());
        Callback::from(move |_| {
            let result = result.clone();
            run_request(kms.clone(), req.clone(), busy.clone(), move |res| {
                result.set(Some(
                    res.map(|v| v["Plaintext"].as_str().unwrap_or_default().to_string()),
                ));
            });
        })
    };
    let hex = |b64: &str| {
        util::unb64(b64)
            .unwrap_or_default()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Generate random bytes"}</h2></div>
            <div class="panel-body">
                <div class="field">
                    <label for="random-count">{"Number of bytes"}</label>
                    <input id="random-count" type="number" min="1" max="1024" value={(*count).clone()}
                        oninput={ let c = count.clone(); Callback::from(move |e: InputEvent| c.set(util::input_value(&e))) } />
                    if !valid { <div class="field-error">{"Enter a number of bytes between 1 and 1024."}</div> }
                </div>
                <div class="button-row">
                    <button class="btn btn-primary" disabled={*busy || !valid} onclick={generate}>{"Generate random"}</button>
                </div>
                { match &*result {
                    Some(Ok(b)) => html! { <>
                        { output_block("Random bytes (base64)", "random-b64", b, None) }
                        { output_block("Random bytes (hex)", "random-hex", &hex(b), None) }
                    </> },
                    Some(Err(e)) => html! { <ErrorAlert error={e.clone()} /> },
                    None => html! {},
                } }
                <ApiPanel requests={vec![req]} />
            </div>
        </div>
    }
}
