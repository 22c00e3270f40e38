//! The key detail page's "Key material" tab (keys with imported key material, origin EXTERNAL)
//! and "Regionality" tab (multi-Region keys), as the AWS console shows them.

use crate::components::{ApiPanel, ErrorAlert, InfoAlert};
use crate::hooks::{use_console, use_kms};
use crate::kms::{requests as r, ApiError, Request};
use crate::model::{region_name, KeyMetadata, REGIONS};
use crate::state::Action;
use crate::util;
use kms_web::types::{
    ExpirationModel, KeyState, MultiRegionKeyType, WrappingAlgorithm, WrappingKeySpec,
};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ReloadTabProps {
    pub meta: KeyMetadata,
    pub reload: Callback<()>,
}

/// The wrapping key specs the console offers: the RSA ones. SM2 and SM2PKE belong to the China
/// Regions, which the console does not offer.
fn wrapping_key_specs() -> impl Iterator<Item = WrappingKeySpec> {
    WrappingKeySpec::ALL
        .iter()
        .copied()
        .filter(|s| *s != WrappingKeySpec::Sm2)
}

/// The wrapping algorithms the console offers, the default first.
const WRAPPING_ALGORITHMS: [WrappingAlgorithm; 4] = [
    WrappingAlgorithm::RsaesOaepSha256,
    WrappingAlgorithm::RsaesOaepSha1,
    WrappingAlgorithm::RsaAesKeyWrapSha256,
    WrappingAlgorithm::RsaAesKeyWrapSha1,
];

/// Sends one request; on success flashes `done` and reloads the key.
fn sender(
    kms: &crate::kms::Kms,
    console: &crate::state::ConsoleContext,
    reload: &Callback<()>,
    error: &UseStateHandle<Option<ApiError>>,
) -> Callback<(Request, String)> {
    let (kms, console, reload, error) =
        (kms.clone(), console.clone(), reload.clone(), error.clone());
    Callback::from(move |(req, done): (Request, String)| {
        let (kms, console, reload, error) =
            (kms.clone(), console.clone(), reload.clone(), error.clone());
        wasm_bindgen_futures::spawn_local(async move {
            match kms.send(&req).await {
                Ok(_) => {
                    error.set(None);
                    console.dispatch(Action::FlashCalls(done, vec![req]));
                    reload.emit(());
                }
                Err(e) => error.set(Some(e)),
            }
        })
    })
}

#[function_component]
pub fn KeyMaterialTab(p: &ReloadTabProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let m = &p.meta;
    let error = use_state(|| None::<ApiError>);
    let importing = use_state(|| false);
    let confirm_delete = use_state(|| false);
    let wrap_spec = use_state(|| WrappingKeySpec::Rsa2048);
    let wrap_alg = use_state(|| WrappingAlgorithm::RsaesOaepSha256);
    let params_downloaded = use_state(|| false);
    let material_file = use_state(|| None::<(String, Vec<u8>)>);
    let token_file = use_state(|| None::<(String, Vec<u8>)>);
    let expires = use_state(|| false);
    let expiry_date = use_state(String::new);
    let send = sender(&kms, &console, &p.reload, &error);
    let key_id = m.key_id.clone();
    let pending = m.key_state == Some(KeyState::PendingImport);
    let customer = m.is_customer_managed() && !m.is_pending_deletion();

    let params_req = r::get_parameters_for_import(&key_id, *wrap_alg, *wrap_spec);
    let download = {
        let (kms, error, params_req, done) = (
            kms.clone(),
            error.clone(),
            params_req.clone(),
            params_downloaded.clone(),
        );
        Callback::from(move |_| {
            let (kms, error, req, done) =
                (kms.clone(), error.clone(), params_req.clone(), done.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match kms.send(&req).await {
                    Ok(v) => {
                        let key = util::unb64(v["PublicKey"].as_str().unwrap_or_default())
                            .unwrap_or_default();
                        let token = util::unb64(v["ImportToken"].as_str().unwrap_or_default())
                            .unwrap_or_default();
                        util::download("WrappingPublicKey.bin", &key, "application/octet-stream");
                        util::download("ImportToken.bin", &token, "application/octet-stream");
                        error.set(None);
                        done.set(true);
                    }
                    Err(e) => error.set(Some(e)),
                }
            })
        })
    };
    let pick = |target: UseStateHandle<Option<(String, Vec<u8>)>>| {
        Callback::from(move |e: Event| {
            let target = target.clone();
            if let Some(file) = util::picked_file(&e) {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok(bytes) = util::read_file(&file).await {
                        target.set(Some((file.name(), bytes)));
                    }
                });
            } else {
                target.set(None);
            }
        })
    };
    let valid_to: Option<f64> = if *expires {
        let ms = js_sys::Date::parse(&format!("{}T00:00:00Z", *expiry_date));
        (!ms.is_nan()).then_some(ms / 1000.0)
    } else {
        None
    };
    let import_req = match (&*material_file, &*token_file) {
        (Some((_, mat)), Some((_, tok))) => Some(r::import_key_material(
            &key_id,
            &util::b64(tok),
            &util::b64(mat),
            valid_to,
        )),
        _ => None,
    };
    let can_import = import_req.is_some() && (!*expires || valid_to.is_some());
    let do_import = {
        let (send, req, importing) = (send.clone(), import_req.clone(), importing.clone());
        Callback::from(move |_| {
            if let Some(req) = &req {
                send.emit((req.clone(), "The key material was imported.".into()));
                importing.set(false);
            }
        })
    };
    let delete_req = r::delete_imported_key_material(&key_id);
    let expiration = match (m.expiration_model, m.valid_to) {
        (_, Some(t)) => util::format_date(t),
        (Some(ExpirationModel::KeyMaterialDoesNotExpire), _) => "Does not expire".into(),
        _ => "-".into(),
    };
    let kv = |k: &str, v: Html| html! { <div class="kv"><div class="kv-key">{ k.to_string() }</div><div class="kv-value">{ v }</div></div> };

    html! {
        <>
        <div class="panel" data-testid="key-material">
            <div class="panel-header">
                <h2>{"Key material"}</h2>
                if customer {
                    <div class="panel-actions">
                        <button class="btn" disabled={pending} onclick={ let c = confirm_delete.clone(); Callback::from(move |_| c.set(true)) }>{"Delete key material"}</button>
                        <button class="btn btn-primary" onclick={ let i = importing.clone(); Callback::from(move |_| i.set(true)) }>{"Import key material"}</button>
                    </div>
                }
            </div>
            <div class="panel-body grid-3">
                { kv("Key material state", html! { <span data-testid="key-material-state">{ if pending { "Pending import" } else { "Imported" } }</span> }) }
                { kv("Origin", html! { {"External"} }) }
                { kv("Expiration date", html! { { expiration } }) }
            </div>
        </div>
        if pending && !*importing {
            <InfoAlert kind="warning" title="This key has no key material">
                {"The key is pending import. Import key material to use it in cryptographic operations."}
            </InfoAlert>
        }
        if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
        if *confirm_delete {
            <div class="panel" data-testid="delete-key-material">
                <div class="panel-header"><h2>{"Delete key material"}</h2></div>
                <div class="panel-body">
                    <p>{"The key becomes unusable (Pending import) until you import the same key material again. Data encrypted under it cannot be decrypted meanwhile."}</p>
                    <div class="button-row">
                        <button class="btn" onclick={ let c = confirm_delete.clone(); Callback::from(move |_| c.set(false)) }>{"Cancel"}</button>
                        <button class="btn btn-primary" onclick={ let (send, c, req) = (send.clone(), confirm_delete.clone(), delete_req.clone());
                            Callback::from(move |_| { c.set(false); send.emit((req.clone(), "The key material was deleted.".into())) }) }>{"Delete key material"}</button>
                    </div>
                    <ApiPanel requests={vec![delete_req.clone()]} />
                </div>
            </div>
        }
        if *importing {
            <div class="panel" data-testid="import-panel">
                <div class="panel-header"><h2>{"Import key material"}</h2></div>
                <div class="panel-body">
                    <h3>{"Step 1: Download wrapping public key and import token"}</h3>
                    <div class="field">
                        <label for="wrap-spec">{"Wrapping key spec"}</label>
                        <select id="wrap-spec" onchange={ let s = wrap_spec.clone(); Callback::from(move |e: Event| if let Some(spec) = WrappingKeySpec::parse(&util::select_value(&e)) { s.set(spec) }) }>
                            { for wrapping_key_specs().map(|s| html! { <option value={s.as_str()} selected={*wrap_spec == s}>{ s.as_str() }</option> }) }
                        </select>
                    </div>
                    <div class="field">
                        <label for="wrap-alg">{"Wrapping algorithm"}</label>
                        <select id="wrap-alg" onchange={ let s = wrap_alg.clone(); Callback::from(move |e: Event| if let Some(a) = WrappingAlgorithm::parse(&util::select_value(&e)) { s.set(a) }) }>
                            { for WRAPPING_ALGORITHMS.iter().map(|a| html! { <option value={a.as_str()} selected={*wrap_alg == *a}>{ a.as_str() }</option> }) }
                        </select>
                        <div class="field-hint">{"Encrypt (wrap) your key material with the wrapping public key, using this algorithm. The wrapping public key and the import token are valid for 24 hours."}</div>
                    </div>
                    <button class="btn" onclick={download}>{"Download wrapping public key and import token"}</button>
                    if *params_downloaded { <span class="hint" role="status">{" Downloaded WrappingPublicKey.bin and ImportToken.bin."}</span> }
                    <ApiPanel requests={vec![params_req]} />
                    <h3>{"Step 2: Upload your wrapped key material"}</h3>
                    <div class="field">
                        <label for="material-file">{"Wrapped key material"}</label>
                        <input id="material-file" type="file" onchange={pick(material_file.clone())} />
                    </div>
                    <div class="field">
                        <label for="token-file">{"Import token"}</label>
                        <input id="token-file" type="file" onchange={pick(token_file.clone())} />
                    </div>
                    <fieldset class="field">
                        <legend>{"Expiration option"}</legend>
                        <label class="radio"><input type="radio" name="expiration" value="never" checked={!*expires}
                            onchange={ let x = expires.clone(); Callback::from(move |_| x.set(false)) } />{"Key material does not expire"}</label>
                        <label class="radio"><input type="radio" name="expiration" value="expires" checked={*expires}
                            onchange={ let x = expires.clone(); Callback::from(move |_| x.set(true)) } />{"Key material expires"}</label>
                        if *expires {
                            <label for="expiry-date">{"Expiration date (UTC)"}</label>
                            <input id="expiry-date" type="date" value={(*expiry_date).clone()}
                                oninput={ let d = expiry_date.clone(); Callback::from(move |e: InputEvent| d.set(util::input_value(&e))) } />
                        }
                    </fieldset>
                    <div class="button-row">
                        <button class="btn" onclick={ let i = importing.clone(); Callback::from(move |_| i.set(false)) }>{"Cancel"}</button>
                        <button class="btn btn-primary" disabled={!can_import} onclick={do_import}>{"Import key material"}</button>
                    </div>
                    if let Some(req) = import_req { <ApiPanel requests={vec![req]} /> }
                </div>
            </div>
        }
        </>
    }
}

#[function_component]
pub fn RegionalityTab(p: &ReloadTabProps) -> Html {
    let kms = use_kms();
    let console = use_console();
    let m = &p.meta;
    let error = use_state(|| None::<ApiError>);
    let replica_region = use_state(String::new);
    let replica_desc = use_state(String::new);
    let new_primary = use_state(String::new);
    let send = sender(&kms, &console, &p.reload, &error);
    let Some(cfg) = m.multi_region_configuration.clone() else {
        return html! { <p>{"This key is a single-Region key."}</p> };
    };
    let primary = cfg.primary_key.clone().unwrap_or_default();
    let is_primary = cfg.multi_region_key_type == Some(MultiRegionKeyType::Primary);
    let taken: Vec<String> = std::iter::once(primary.region.clone())
        .chain(cfg.replica_keys.iter().map(|k| k.region.clone()))
        .collect();
    let free: Vec<&str> = REGIONS
        .iter()
        .map(|(c, _)| *c)
        // Replicas stay in the primary's partition (the China Regions are one, where SM2 is).
        .filter(|c| {
            !taken.iter().any(|t| t == c)
                && kms_web::types::KeySpec::Sm2.is_offered_in(c)
                    == kms_web::types::KeySpec::Sm2.is_offered_in(&primary.region)
        })
        .collect();
    // A Region chosen before is no longer offered once it has its replica.
    let replica_target = if !free.contains(&replica_region.as_str()) {
        free.first().map(|s| s.to_string()).unwrap_or_default()
    } else {
        (*replica_region).clone()
    };
    let replicate_req = r::replicate_key(&m.key_id, &replica_target, &replica_desc);
    let primary_target = if !cfg.replica_keys.iter().any(|k| k.region == *new_primary) {
        cfg.replica_keys
            .first()
            .map(|k| k.region.clone())
            .unwrap_or_default()
    } else {
        (*new_primary).clone()
    };
    let update_req = r::update_primary_region(&m.key_id, &primary_target);
    let customer = m.is_customer_managed() && !m.is_pending_deletion();
    let row = |kind: &str, k: &crate::model::MultiRegionKey| {
        html! {
            <tr><td>{ region_name(&k.region).to_string() }</td><td class="mono small">{ k.region.clone() }</td>
                <td>{ kind.to_string() }</td><td class="mono small">{ k.arn.clone() }</td></tr>
        }
    };
    html! {
        <>
        <div class="panel" data-testid="regionality">
            <div class="panel-header"><h2>{"Related multi-Region keys"}</h2></div>
            <div class="panel-body">
                <p class="hint">{ if is_primary { "This is the primary key. Its replicas share its key ID and key material." }
                    else { "This is a replica key. Change the primary Region or create replicas from the primary key." } }</p>
                <div class="table-scroll">
                <table class="table compact">
                    <thead><tr><th scope="col">{"Region name"}</th><th scope="col">{"Region"}</th><th scope="col">{"Key type"}</th><th scope="col">{"ARN"}</th></tr></thead>
                    <tbody>
                        { row("Primary", &primary) }
                        { for cfg.replica_keys.iter().map(|k| row("Replica", k)) }
                    </tbody>
                </table>
                </div>
            </div>
        </div>
        if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
        if is_primary && customer {
            <div class="panel" data-testid="create-replica">
                <div class="panel-header"><h2>{"Create new replica keys"}</h2></div>
                <div class="panel-body">
                    <div class="field">
                        <label for="replica-region">{"Replica Region"}</label>
                        <select id="replica-region" onchange={ let s = replica_region.clone(); Callback::from(move |e: Event| s.set(util::select_value(&e))) }>
                            { for free.iter().map(|c| html! { <option value={*c} selected={replica_target == *c}>{ format!("{} ({c})", region_name(c)) }</option> }) }
                        </select>
                    </div>
                    <div class="field">
                        <label for="replica-description">{"Description - "}<em>{"optional"}</em></label>
                        <input id="replica-description" type="text" value={(*replica_desc).clone()}
                            oninput={ let d = replica_desc.clone(); Callback::from(move |e: InputEvent| d.set(util::input_value(&e))) } />
                    </div>
                    <button class="btn btn-primary" disabled={replica_target.is_empty()}
                        onclick={ let (send, req, t, d) = (send.clone(), replicate_req.clone(), replica_target.clone(), replica_desc.clone());
                            Callback::from(move |_| { d.set(String::new()); send.emit((req.clone(), format!("A replica key was created in {t}."))) }) }>{"Create replica key"}</button>
                    <ApiPanel requests={vec![replicate_req.clone()]} />
                </div>
            </div>
            if !cfg.replica_keys.is_empty() {
                <div class="panel" data-testid="change-primary">
                    <div class="panel-header"><h2>{"Change primary Region"}</h2></div>
                    <div class="panel-body">
                        <div class="field">
                            <label for="new-primary">{"New primary Region"}</label>
                            <select id="new-primary" onchange={ let s = new_primary.clone(); Callback::from(move |e: Event| s.set(util::select_value(&e))) }>
                                { for cfg.replica_keys.iter().map(|k| html! { <option value={k.region.clone()} selected={primary_target == k.region}>{ format!("{} ({})", region_name(&k.region), k.region) }</option> }) }
                            </select>
                            <div class="field-hint">{"The replica in that Region becomes the primary key; this key becomes a replica."}</div>
                        </div>
                        <button class="btn"
                            onclick={ let (send, req, t) = (send.clone(), update_req.clone(), primary_target.clone());
                                Callback::from(move |_| send.emit((req.clone(), format!("The primary Region is changing to {t}.")))) }>{"Change primary Region"}</button>
                        <ApiPanel requests={vec![update_req.clone()]} />
                    </div>
                </div>
            }
        }
        </>
    }
}
