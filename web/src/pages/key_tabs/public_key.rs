//! The Public key tab of an asymmetric key: its public key as PEM, to copy or download.

use super::loading_or_error;
use crate::components::{ApiPanel, CopyButton, InfoAlert};
use crate::hooks::{use_kms, use_loader, Load};
use crate::kms::requests as r;
use crate::model::{public_key_pem, KeyMetadata};
use crate::util;
use kms_web::types::{KeyState, KeyUsage};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct PublicKeyProps {
    pub meta: KeyMetadata,
    pub title: String,
}

#[function_component]
pub fn PublicKeyTab(p: &PublicKeyProps) -> Html {
    let kms = use_kms();
    let id = p.meta.key_id.clone();
    // GetPublicKey needs a usable key: say why instead of asking for its error.
    let unusable = match p.meta.key_state {
        Some(KeyState::Disabled) => Some("The key is disabled. Enable it to view and download its public key."),
        Some(KeyState::PendingDeletion) => Some("The key is pending deletion. Cancel its deletion and enable it to view and download its public key."),
        _ => None,
    };
    let (der, _) = use_loader(
        (kms.clone(), id.clone(), unusable.is_none()),
        |(kms, id, usable)| async move {
            if usable {
                kms.public_key(&id).await
            } else {
                Ok(String::new())
            }
        },
    );
    if let Some(why) = unusable {
        return html! {
            <div class="panel">
                <div class="panel-header"><h2>{"Public key"}</h2></div>
                <div class="panel-body">
                    <InfoAlert title="The public key is not available">{ why }</InfoAlert>
                    <ApiPanel requests={vec![r::get_public_key(&id)]} />
                </div>
            </div>
        };
    }
    if let Some(h) = loading_or_error(&der) {
        return h;
    }
    let Load::Ready(der) = &*der else {
        return html! {};
    };
    let pem = public_key_pem(der);
    let file = format!("{}_public_key.pem", p.title.replace('/', "_"));
    let download = {
        let (pem, file) = (pem.clone(), file.clone());
        Callback::from(move |_| util::download(&file, pem.as_bytes(), "application/x-pem-file"))
    };
    html! {
        <div class="panel">
            <div class="panel-header">
                <h2>{"Public key"}</h2>
                <div class="panel-actions">
                    <CopyButton text={pem.clone()} />
                    <button class="btn" onclick={download}>{"Download"}</button>
                </div>
            </div>
            <div class="panel-body">
                <p class="hint">{ format!("The public key of this {} key pair, as a PEM-encoded X.509 SubjectPublicKeyInfo. \
                    Anyone can use it outside AWS KMS to {}; the private key never leaves KMS.", p.meta.spec_name(),
                    if p.meta.key_usage == Some(KeyUsage::SignVerify) { "verify signatures" } else { "encrypt data" }) }</p>
                <pre class="code" data-testid="public-key-pem" tabindex="0" role="region" aria-label="Public key (PEM)">{ pem }</pre>
                <ApiPanel requests={vec![r::get_public_key(&id)]} />
            </div>
        </div>
    }
}
