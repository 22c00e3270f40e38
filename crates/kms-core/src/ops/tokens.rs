//! Grant tokens and grant ids: the forms the sandbox issues them in, and the checks AWS makes of
//! the ones a request carries.
//!
//! A grant token from CreateGrant is 96 random bytes in URL-safe base64 without padding (128
//! characters; AWS's own tokens are URL-safe base64 too). A token not of that form cannot be one
//! the sandbox issued, and AWS refuses a token it cannot read: `InvalidGrantTokenException`, on
//! every operation whose model lists that error. A well-formed token of a grant that no longer
//! exists (retired, revoked, or from another sandbox) is what AWS sees after a grant is retired:
//! it is not refused and gives no permission of its own.
//!
//! A grant id is 64 lowercase hexadecimal characters (AWS's form); one not of that form is
//! refused with `InvalidGrantIdException` where the model lists it (ListGrants, RevokeGrant,
//! RetireGrant). A well-formed id of no grant is a `NotFoundException` where a grant must exist.

use crate::error::{ErrorType, KmsError, Result};
use crate::tx::{Req, Tx};
use base64::Engine as _;

const TOKEN_BYTES: usize = 96;
const TOKEN_CODEC: base64::engine::GeneralPurpose =
    base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// A new grant token.
pub(crate) fn new_grant_token(tx: &mut Tx<'_>) -> String {
    TOKEN_CODEC.encode(tx.random(TOKEN_BYTES))
}

/// Whether a token has the form of the tokens CreateGrant issues.
pub(crate) fn is_well_formed_token(token: &str) -> bool {
    token.len() == TOKEN_CODEC.encode([0u8; TOKEN_BYTES]).len()
        && TOKEN_CODEC
            .decode(token)
            .is_ok_and(|bytes| bytes.len() == TOKEN_BYTES)
}

pub(crate) fn invalid_grant_token() -> KmsError {
    KmsError::new(ErrorType::InvalidGrantToken, "Grant token is invalid")
}

/// Whether a grant id has AWS's form: 64 hexadecimal characters.
pub(crate) fn is_well_formed_grant_id(id: &str) -> bool {
    id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Refuses a grant id that cannot name a grant.
pub(crate) fn check_grant_id(id: &str) -> Result<()> {
    if is_well_formed_grant_id(id) {
        Ok(())
    } else {
        Err(KmsError::new(
            ErrorType::InvalidGrantId,
            format!("Invalid grant ID {id}"),
        ))
    }
}

/// Refuses a request whose `GrantTokens` holds a malformed token, for the operations whose model
/// lists `InvalidGrantTokenException` (every one that takes GrantTokens except DescribeKey).
pub(crate) fn check_grant_tokens(operation: &str, req: &Req<'_>) -> Result<()> {
    let listed = crate::model::model()
        .operations
        .get(operation)
        .is_some_and(|op| op.errors.iter().any(|e| e == "InvalidGrantTokenException"));
    if !listed {
        return Ok(());
    }
    let malformed = req
        .list("GrantTokens")
        .iter()
        .filter_map(|t| t.as_str())
        .any(|t| !is_well_formed_token(t));
    if malformed {
        return Err(invalid_grant_token());
    }
    Ok(())
}
