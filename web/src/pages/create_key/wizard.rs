//! The Create key wizard's choices across its steps, and what follows from them: the key
//! policy, the key material origin and the errors of the labels and other accounts.

use crate::model::validate_tag;
use crate::policy::{console_default_policy, pretty, PolicyChoices, PolicyKeyKind};
use kms_web::types::{KeySpec, KeyUsage, Origin};
use std::collections::BTreeSet;
use yew::prelude::*;

/// Everything chosen so far, and where the wizard is.
#[derive(Clone, PartialEq)]
pub(super) struct Wizard {
    pub(super) step: usize,
    pub(super) key_type: &'static str,
    pub(super) usage: KeyUsage,
    pub(super) spec: KeySpec,
    pub(super) show_advanced: bool,
    /// Key material origin EXTERNAL (Import key material).
    pub(super) external: bool,
    /// The acknowledgement AWS asks for before creating a key for imported key material.
    pub(super) external_ack: bool,
    pub(super) multi_region: bool,
    pub(super) alias: String,
    pub(super) description: String,
    pub(super) tags: Vec<(String, String)>,
    pub(super) admins: BTreeSet<String>,
    pub(super) allow_admin_delete: bool,
    pub(super) users: BTreeSet<String>,
    pub(super) other_accounts: Vec<String>,
    /// The policy as edited on the review step; `None` while it follows the choices.
    pub(super) policy_edit: Option<String>,
    /// Steps whose Next was pressed, so their errors show.
    pub(super) attempted: BTreeSet<usize>,
}

impl Default for Wizard {
    fn default() -> Self {
        Wizard {
            step: 1,
            key_type: "Symmetric",
            usage: KeyUsage::EncryptDecrypt,
            spec: KeySpec::SymmetricDefault,
            show_advanced: false,
            external: false,
            external_ack: false,
            multi_region: false,
            alias: String::new(),
            description: String::new(),
            tags: Vec::new(),
            admins: BTreeSet::new(),
            allow_admin_delete: true,
            users: BTreeSet::new(),
            other_accounts: Vec::new(),
            policy_edit: None,
            attempted: BTreeSet::new(),
        }
    }
}

impl Wizard {
    fn choices(&self, account_id: &str, region: &str) -> PolicyChoices {
        PolicyChoices {
            account_id: account_id.to_string(),
            region: region.to_string(),
            kind: PolicyKeyKind::from_spec(Some(self.spec), Some(self.usage)),
            administrators: self.admins.iter().cloned().collect(),
            allow_admin_deletion: self.allow_admin_delete,
            users: self.users.iter().cloned().collect(),
            other_accounts: self
                .other_accounts
                .iter()
                .filter(|a| !a.trim().is_empty())
                .map(|a| a.trim().to_string())
                .collect(),
        }
    }
    /// The key policy: the edited one, or the console's default for the wizard's choices.
    pub(super) fn policy(&self, account_id: &str, region: &str) -> String {
        self.policy_edit
            .clone()
            .unwrap_or_else(|| pretty(&console_default_policy(&self.choices(account_id, region))))
    }
    pub(super) fn origin(&self) -> Origin {
        if self.external {
            Origin::External
        } else {
            Origin::AwsKms
        }
    }
    pub(super) fn tag_errors(&self) -> Vec<Option<String>> {
        self.tags
            .iter()
            .enumerate()
            .map(|(i, (k, v))| {
                validate_tag(k, v).err().or_else(|| {
                    self.tags[..i]
                        .iter()
                        .any(|(k2, _)| k2 == k)
                        .then(|| format!("Duplicate tag key {k}."))
                })
            })
            .collect()
    }
    pub(super) fn account_errors(&self) -> Vec<Option<String>> {
        self.other_accounts
            .iter()
            .map(|a| {
                let a = a.trim();
                (!(a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())))
                    .then(|| "Enter a 12-digit AWS account ID.".to_string())
            })
            .collect()
    }
}

/// A callback that changes the wizard with `f` (given the event) and keeps the result.
pub(super) fn edit<E: 'static>(
    w: &UseStateHandle<Wizard>,
    f: impl Fn(&mut Wizard, E) + 'static,
) -> Callback<E> {
    let w = w.clone();
    Callback::from(move |e: E| {
        let mut n = (*w).clone();
        f(&mut n, e);
        w.set(n);
    })
}
