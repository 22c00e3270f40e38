//! The Terraform state of each sandbox, kept in localStorage: it outlives the tab's session, as
//! the sandbox's keys do, and, like a local `terraform.tfstate`, it is not part of the sandbox's
//! backups. Dropped when its sandbox is deleted or reset.

/// Deployments under different paths of one origin keep their states apart, as they keep their
/// sandboxes ([`kms_web::deployment_name`]).
fn state_key(sandbox_name: &str) -> String {
    format!(
        "kms-terraform-state:{}",
        kms_web::deployment_name(sandbox_name)
    )
}

/// The sandbox's `terraform.tfstate` text, if any.
pub fn load_state(sandbox_name: &str) -> Option<String> {
    crate::util::local_storage()?
        .get_item(&state_key(sandbox_name))
        .ok()
        .flatten()
}

pub fn save_state(sandbox_name: &str, text: &str) {
    if let Some(s) = crate::util::local_storage() {
        let _ = s.set_item(&state_key(sandbox_name), text);
    }
}

/// Drops the state of a sandbox that was deleted or reset: its resources went with it, and a
/// new sandbox of the same name must not inherit a state that says they exist.
pub fn forget_state(sandbox_name: &str) {
    if let Some(s) = crate::util::local_storage() {
        let _ = s.remove_item(&state_key(sandbox_name));
    }
}
