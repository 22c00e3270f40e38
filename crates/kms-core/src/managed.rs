//! AWS managed keys: the `aws/<service>` keys every account has in every region.

/// The services whose AWS managed keys the sandbox account holds, with the description AWS
/// gives each key.
pub const AWS_MANAGED_SERVICES: &[(&str, &str)] = &[];
