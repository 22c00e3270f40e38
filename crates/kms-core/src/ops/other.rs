//! Operations for features the sandbox account does not have (custom key stores). Each answers
//! as AWS answers an account without the feature.

use crate::error::{ErrorType, KmsError, Result};
use crate::tx::Req;
use serde_json::{json, Value};

fn no_key_store(req: &Req<'_>) -> KmsError {
    let id = req
        .str("CustomKeyStoreId")
        .or(req.str("CustomKeyStoreName"))
        .unwrap_or_default();
    KmsError::new(
        ErrorType::CustomKeyStoreNotFound,
        format!("Custom key store {id} does not exist in this account and Region: the sandbox has no custom key stores."),
    )
}

pub(crate) fn dispatch(operation: &str, req: &Req<'_>) -> Result<Value> {
    match operation {
        "DescribeCustomKeyStores" => {
            if req.has("CustomKeyStoreId") || req.has("CustomKeyStoreName") {
                return Err(no_key_store(req));
            }
            // With no key stores no page ends early, so no marker can be one KMS issued.
            if req.has("Marker") {
                return Err(KmsError::invalid_marker("The marker is not valid."));
            }
            Ok(json!({ "CustomKeyStores": [], "Truncated": false }))
        }
        "ConnectCustomKeyStore"
        | "DisconnectCustomKeyStore"
        | "DeleteCustomKeyStore"
        | "UpdateCustomKeyStore" => Err(no_key_store(req)),
        "CreateCustomKeyStore" => {
            if req.str("CustomKeyStoreType") == Some("EXTERNAL_KEY_STORE") {
                Err(KmsError::new(
                    ErrorType::XksProxyUriUnreachable,
                    "KMS cannot reach the external key store proxy: the sandbox has no network access.",
                ))
            } else {
                Err(KmsError::new(
                    ErrorType::CloudHsmClusterNotFound,
                    format!(
                        "The CloudHSM cluster {} does not exist in this account and Region.",
                        req.str("CloudHsmClusterId").unwrap_or_default()
                    ),
                ))
            }
        }
        _ => Err(KmsError::internal(format!("{operation} has no handler"))),
    }
}
