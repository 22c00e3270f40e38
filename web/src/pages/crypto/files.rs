//! Envelope encryption of large files: a data key from GenerateDataKey encrypts the file with
//! AES-GCM in the page, and the encrypted data key travels with it.

use super::{context_editor, needs, selected_key_id, KeyProps};
use crate::components::{ApiPanel, ErrorAlert, Icon, Spinner};
use crate::envelope;
use crate::hooks::use_kms;
use crate::kms::{requests as r, ApiError, Kms, Request};
use crate::util;
use kms_web::types::{EncryptionAlgorithm, KeyUsage};
use std::future::Future;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
struct Step {
    title: String,
    detail: String,
    ok: bool,
}

#[function_component]
pub(super) fn EnvelopePanel(p: &KeyProps) -> Html {
    let kms = use_kms();
    let context = use_state(Vec::<(String, String)>::new);
    let steps = use_state(Vec::<Step>::new);
    let error = use_state(|| None::<ApiError>);
    let busy = use_state(|| false);
    // The file the last step produced: (name, bytes), offered for download.
    let output = use_state(|| None::<(String, Vec<u8>)>);
    let key_id = selected_key_id(&p.selected_key);
    let gdk = r::generate_data_key(&key_id, &context);

    let run = Run {
        kms: kms.clone(),
        steps: steps.clone(),
        error: error.clone(),
        busy: busy.clone(),
        output: output.clone(),
    };
    let encrypt_file = {
        let gdk = gdk.clone();
        on_file(run.clone(), move |f, run| encrypt(f, run, gdk.clone()))
    };
    let decrypt_file = {
        let context = context.clone();
        on_file(run, move |f, run| decrypt(f, run, (*context).clone()))
    };
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Envelope encryption of large files"}</h2></div>
            <div class="panel-body">
                <p class="hint">{"KMS encrypts at most 4 KiB directly. To protect a file of any size, ask KMS for a data key, \
                    encrypt the file with it locally, and store the encrypted data key next to the encrypted file. \
                    To decrypt, KMS decrypts only the small data key."}</p>
                { needs(&p.selected_key, KeyUsage::EncryptDecrypt, "Envelope encryption").unwrap_or_default() }
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

/// What encrypting or decrypting a file reports to the panel.
#[derive(Clone)]
struct Run {
    kms: Kms,
    steps: UseStateHandle<Vec<Step>>,
    error: UseStateHandle<Option<ApiError>>,
    busy: UseStateHandle<bool>,
    // The file the last step produced: (name, bytes), offered for download.
    output: UseStateHandle<Option<(String, Vec<u8>)>>,
}

/// A file input's change: clears the last outcome, runs `work` on the picked file while the
/// panel is busy, and shows its error, if any.
fn on_file<Fut>(run: Run, work: impl Fn(web_sys::File, Run) -> Fut + 'static) -> Callback<Event>
where
    Fut: Future<Output = Result<(), ApiError>> + 'static,
{
    Callback::from(move |e: Event| {
        let Some(f) = util::picked_file(&e) else {
            return;
        };
        run.busy.set(true);
        run.error.set(None);
        run.output.set(None);
        let (run, fut) = (run.clone(), work(f, run.clone()));
        wasm_bindgen_futures::spawn_local(async move {
            if let Err(e) = fut.await {
                run.error.set(Some(e));
            }
            run.busy.set(false);
        });
    })
}

/// GenerateDataKey, then AES-GCM in the page: the envelope file to download.
async fn encrypt(f: web_sys::File, run: Run, gdk: Request) -> Result<(), ApiError> {
    let mut log = Vec::new();
    let data = util::read_file(&f)
        .await
        .map_err(|e| ApiError::local("FileReadError", e))?;
    log.push(Step {
        title: format!("Read {} ({} bytes) in the page", f.name(), data.len()),
        detail: "The file never goes to KMS.".into(),
        ok: true,
    });
    run.steps.set(log.clone());
    let resp = run.kms.send(&gdk).await?;
    let mut data_key =
        util::unb64(resp["Plaintext"].as_str().unwrap_or_default()).unwrap_or_default();
    let edk = util::unb64(resp["CiphertextBlob"].as_str().unwrap_or_default()).unwrap_or_default();
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
            log.push(Step {
                title: "Discarded the plaintext data key".into(),
                detail: "Only the encrypted data key is kept: without KMS it cannot be used."
                    .into(),
                ok: true,
            });
            log.push(Step { title: format!("Envelope file: {} bytes", out.len()), detail: "Header KMSENV01 | encrypted data key | nonce | ciphertext+tag. Download it below.".into(), ok: true });
            run.output.set(Some((format!("{}.kmsenv", f.name()), out)));
        }
        Err(e) => {
            log.push(Step {
                title: "AES-256-GCM failed".into(),
                detail: e,
                ok: false,
            });
        }
    }
    run.steps.set(log);
    Ok(())
}

/// Decrypt of the envelope's data key, then AES-GCM in the page: the file back.
async fn decrypt(
    f: web_sys::File,
    run: Run,
    context: Vec<(String, String)>,
) -> Result<(), ApiError> {
    let mut log = Vec::new();
    let parsed = util::read_file(&f)
        .await
        .and_then(|b| envelope::parse(&b))
        .map_err(|e| ApiError::local("InvalidEnvelopeFile", e))?;
    log.push(Step {
        title: format!("Read the envelope {}", f.name()),
        detail: format!(
            "Encrypted data key: {} bytes; encrypted content: {} bytes.",
            parsed.encrypted_data_key.len(),
            parsed.ciphertext.len()
        ),
        ok: true,
    });
    run.steps.set(log.clone());
    let req = r::decrypt(
        &util::b64(&parsed.encrypted_data_key),
        None,
        EncryptionAlgorithm::SymmetricDefault.as_str(),
        &context,
    );
    let resp = run.kms.send(&req).await?;
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
            run.output.set(Some((format!("decrypted-{name}"), plain)));
        }
        Err(e) => log.push(Step {
            title: "AES-256-GCM decryption failed".into(),
            detail: e,
            ok: false,
        }),
    }
    run.steps.set(log);
    Ok(())
}
