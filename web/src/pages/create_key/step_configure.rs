//! Step 1, Configure key: key type, usage and spec, and the advanced options (origin,
//! regionality). Changing the type or usage picks the first spec that fits, in this Region.

use super::wizard::{edit, Wizard};
use crate::model::{
    key_spec_hint, key_specs_for, key_usage_hint, key_usage_label, region_name, wizard_usages,
};
use crate::util;
use kms_web::types::{KeyUsage, Origin};
use yew::prelude::*;

/// A radio button as a card: a bold label over a hint.
fn radio_card(
    name: &str,
    value: &str,
    label: &str,
    hint: &str,
    checked: bool,
    onchange: Callback<Event>,
) -> Html {
    html! {
        <label class={classes!("radio-card", checked.then_some("checked"))}>
            <input type="radio" name={name.to_string()} value={value.to_string()} {checked} {onchange} />
            <span class="radio-card-text"><strong>{ label.to_string() }</strong><span class="hint">{ hint.to_string() }</span></span>
        </label>
    }
}

/// Step 1: key type, key usage, key spec, and under Advanced options the key material origin
/// and the regionality.
pub(super) fn step_configure(wiz: &UseStateHandle<Wizard>, region: &str) -> Html {
    let w = &**wiz;
    let set_type = |t: &'static str| {
        let region = region.to_string();
        edit(wiz, move |w, _: Event| {
            w.key_type = t;
            w.usage = KeyUsage::EncryptDecrypt;
            // Every usage the wizard offers has a spec in the Region (`wizard_usages`).
            if let Some(s) = key_specs_for(t, w.usage, &region).first() {
                w.spec = *s;
            }
            w.policy_edit = None;
        })
    };
    let set_usage = |u: KeyUsage| {
        let region = region.to_string();
        edit(wiz, move |w, _: Event| {
            w.usage = u;
            if let Some(s) = key_specs_for(w.key_type, u, &region).first() {
                w.spec = *s;
            }
            w.policy_edit = None;
        })
    };
    let usages = wizard_usages(w.key_type, region);
    let specs = key_specs_for(w.key_type, w.usage, region);
    html! {
        <div class="panel">
            <div class="panel-header"><h2>{"Key configuration"}</h2></div>
            <div class="panel-body">
                <fieldset class="field">
                    <legend>{"Key type"}</legend>
                    <div class="radio-cards">
                        { radio_card("key-type", "Symmetric", "Symmetric",
                            "A single key used for encrypting and decrypting data or generating and verifying HMAC codes",
                            w.key_type == "Symmetric", set_type("Symmetric")) }
                        { radio_card("key-type", "Asymmetric", "Asymmetric",
                            "A public and private key pair used for encrypting and decrypting data, signing and verifying messages, or deriving shared secrets",
                            w.key_type == "Asymmetric", set_type("Asymmetric")) }
                    </div>
                </fieldset>
                <fieldset class="field">
                    <legend>{"Key usage"}</legend>
                    <div class="radio-cards">
                        { for usages.iter().map(|u| {
                            radio_card("key-usage", u.as_str(), key_usage_label(Some(*u)), key_usage_hint(w.key_type, *u), w.usage == *u, set_usage(*u))
                        }) }
                    </div>
                </fieldset>
                if specs.len() > 1 || w.key_type == "Asymmetric" {
                    <fieldset class="field">
                        <legend>{"Key spec"}</legend>
                        <div class="radio-list">
                            { for specs.iter().map(|s| {
                                let spec = *s;
                                let onchange = edit(wiz, move |w, _: Event| { w.spec = spec; w.policy_edit = None; });
                                html! {
                                    <label class="radio">
                                        <input type="radio" name="key-spec" value={s.as_str()} checked={w.spec == *s} {onchange} />
                                        <span><strong>{ s.as_str() }</strong><span class="hint">{ key_spec_hint(*s) }</span></span>
                                    </label>
                                }
                            }) }
                        </div>
                    </fieldset>
                }
                <button type="button" class="expander" aria-expanded={w.show_advanced.to_string()}
                    onclick={edit(wiz, |w, _: MouseEvent| w.show_advanced = !w.show_advanced)}>
                    { if w.show_advanced { "▾ Advanced options" } else { "▸ Advanced options" } }
                </button>
                if w.show_advanced {
                    <div class="advanced">
                        <fieldset class="field">
                            <legend>{"Key material origin"}</legend>
                            <div class="field-hint">{"Choose where the key material comes from. You cannot change the origin after you create the key."}</div>
                            <label class="radio"><input type="radio" name="origin" value={Origin::AwsKms.as_str()} checked={!w.external}
                                onchange={edit(wiz, |w, _: Event| { w.external = false; w.external_ack = false; })} />
                                <span><strong>{"KMS - recommended"}</strong><span class="hint">{"AWS KMS creates and manages the key material."}</span></span></label>
                            <label class="radio"><input type="radio" name="origin" value={Origin::External.as_str()} checked={w.external}
                                onchange={edit(wiz, |w, _: Event| w.external = true)} />
                                <span><strong>{"External (Import key material)"}</strong><span class="hint">{"You import your own key material into the key after you create it."}</span></span></label>
                            <label class="radio disabled"><input type="radio" name="origin" value={Origin::AwsCloudHsm.as_str()} disabled=true />{"AWS CloudHSM key store"}</label>
                            <label class="radio disabled"><input type="radio" name="origin" value={Origin::ExternalKeyStore.as_str()} disabled=true />{"External key store"}</label>
                            <div class="field-hint">{"The sandbox has no custom key stores."}</div>
                            if w.external {
                                <label class="checkbox">
                                    <input type="checkbox" checked={w.external_ack} aria-invalid={(w.attempted.contains(&1) && !w.external_ack).to_string()}
                                        onchange={edit(wiz, |w, e: Event| w.external_ack = util::checkbox_checked(&e))} />
                                    {"I understand the security, availability, and durability implications of using an imported key."}
                                </label>
                                if w.attempted.contains(&1) && !w.external_ack {
                                    <div class="field-error" role="alert">{"Acknowledge the implications of using imported key material to continue."}</div>
                                }
                            }
                        </fieldset>
                        <fieldset class="field">
                            <legend>{"Regionality"}</legend>
                            <label class="radio"><input type="radio" name="regionality" value="single" checked={!w.multi_region}
                                onchange={edit(wiz, |w, _: Event| w.multi_region = false)} />
                                <span><strong>{"Single-Region key"}</strong><span class="hint">{"Never allow this key to be replicated into other Regions."}</span></span></label>
                            <label class="radio"><input type="radio" name="regionality" value="multi" checked={w.multi_region}
                                onchange={edit(wiz, |w, _: Event| w.multi_region = true)} />
                                <span><strong>{"Multi-Region key"}</strong><span class="hint">
                                    { format!("Allow this key to be replicated into other Regions. It becomes the primary key, in {}.", region_name(region)) }</span></span></label>
                        </fieldset>
                    </div>
                }
            </div>
        </div>
    }
}
