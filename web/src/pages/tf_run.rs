//! Terraform for the terminal and the Terraform page: the `.tf` files of the terminal's file
//! area, the state kept per sandbox in localStorage (it outlives the tab's session, as the
//! sandbox's keys do; like a local `terraform.tfstate`, it is not part of the sandbox's backups),
//! and each KMS call sent as the console's caller.

use crate::kms::Kms;
use crate::tf_state::{load_state, save_state};
use crate::tools;
use kms_web::types::Service;
use std::collections::BTreeMap;

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
        load_state(&kms.sandbox_name()),
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
        save_state(&kms.sandbox_name(), s);
    }
    out
}
