//! One function per KMS operation, grouped as the developer guide groups them.

use crate::engine::{Req, Tx};
use crate::error::{KmsError, Result};
use serde_json::Value;

pub(crate) fn housekeeping(tx: &mut Tx<'_>) -> Result<()> {
    let _ = tx;
    Ok(())
}

pub(crate) fn dispatch(tx: &mut Tx<'_>, operation: &str, req: &Req<'_>) -> Result<Value> {
    let _ = (tx, req);
    Err(KmsError::unsupported(format!("{operation} is not implemented yet")))
}
