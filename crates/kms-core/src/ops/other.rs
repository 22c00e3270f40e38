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
            if req.has("CustomKeyStoreId") && req.has("CustomKeyStoreName") {
                return Err(KmsError::validation(
                    "You must specify either CustomKeyStoreId or CustomKeyStoreName, but not both.",
                ));
            }
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
            // The members each store type requires (CreateCustomKeyStoreRequest's
            // documentation) before anything is looked for.
            let external = req.str("CustomKeyStoreType") == Some("EXTERNAL_KEY_STORE");
            let required: &[&str] = if external {
                &[
                    "XksProxyUriEndpoint",
                    "XksProxyUriPath",
                    "XksProxyAuthenticationCredential",
                    "XksProxyConnectivity",
                ]
            } else {
                &[
                    "CloudHsmClusterId",
                    "TrustAnchorCertificate",
                    "KeyStorePassword",
                ]
            };
            let vpc = external && req.str("XksProxyConnectivity") == Some("VPC_ENDPOINT_SERVICE");
            let missing = required
                .iter()
                .chain(vpc.then_some(&"XksProxyVpcEndpointServiceName"))
                .find(|m| !req.has(m));
            if let Some(missing) = missing {
                let kind = if external {
                    "EXTERNAL_KEY_STORE"
                } else {
                    "AWS_CLOUDHSM"
                };
                return Err(KmsError::validation(format!(
                    "{missing} is required for custom key stores with a CustomKeyStoreType of {kind}."
                )));
            }
            if vpc {
                // The account has no VPC endpoint services for KMS to find.
                Err(KmsError::new(
                    ErrorType::XksProxyVpcEndpointServiceNotFound,
                    format!(
                        "KMS could not find the VPC endpoint service {}.",
                        req.str("XksProxyVpcEndpointServiceName")
                            .unwrap_or_default()
                    ),
                ))
            } else if external {
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
