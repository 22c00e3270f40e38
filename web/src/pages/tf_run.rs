//! Terraform for the terminal and the Terraform page: the `.tf` files of the terminal's file
//! area, the state kept per sandbox in localStorage (it outlives the tab's session, as the
//! sandbox's keys do; like a local `terraform.tfstate`, it is not part of the sandbox's backups),
//! and each KMS call sent as the console's caller.

use crate::kms::Kms;
use crate::tools;
use kms_web::types::Service;
use std::collections::BTreeMap;

fn local() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Deployments under different paths of one origin keep their states apart, as they keep their
/// sandboxes ([`kms_web::deployment_name`]).
fn state_key(sandbox_name: &str) -> String {
    format!(
        "kms-terraform-state:{}",
        kms_web::deployment_name(sandbox_name)
    )
}

/// The sandbox's `terraform.tfstate` text, if any.
pub fn load_state(kms: &Kms) -> Option<String> {
    local()?
        .get_item(&state_key(&kms.sandbox_name()))
        .ok()
        .flatten()
}

fn save_state(kms: &Kms, text: &str) {
    if let Some(s) = local() {
        let _ = s.set_item(&state_key(&kms.sandbox_name()), text);
    }
}

/// Drops the state of a sandbox that was deleted or reset: its resources went with it, and a
/// new sandbox of the same name must not inherit a state that says they exist.
pub fn forget_state(sandbox_name: &str) {
    if let Some(s) = local() {
        let _ = s.remove_item(&state_key(sandbox_name));
    }
}

/// Runs `terraform ARGS...` over the file area's `.tf` files and keeps the new state. Terraform
/// is in the console's second wasm module, loaded on first use.
pub async fn run(
    args: &[String],
    kms: &Kms,
    files: &BTreeMap<String, Vec<u8>>,
) -> kms_terraform::Outcome {
    let tools = match tools::load().await {
        Ok(t) => t,
        Err(e) => {
            return kms_terraform::Outcome {
                stderr: format!("{e}\n"),
                exit_code: 1,
                ..Default::default()
            }
        }
    };
    let r = tools.tf_start(
        args,
        files,
        load_state(kms),
        kms.region().to_string(),
        kms.account_id(),
    );
    while let Some(call) = r.next_call() {
        let answer = kms
            .call_service(Service::Kms, &call.region, &call.operation, call.input)
            .await;
        r.answer(answer);
    }
    let out = r.finish();
    if let Some(s) = &out.state {
        save_state(kms, s);
    }
    out
}
