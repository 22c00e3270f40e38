//! The Regions where AWS offers KMS: every commercial Region, the two China Regions and the two
//! AWS GovCloud (US) Regions (the `kms` endpoints of the SDKs' `endpoints.json`, as of late 2025).
//! The isolated partitions (`aws-iso*`) and the European Sovereign Cloud are not listed: they
//! cannot be reached from the internet. The engine itself takes any Region name; this list is
//! for front ends that tell a mistyped Region from a real one (the CLI's `--region`).

/// The Regions, sorted.
pub const KMS_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

/// Whether `region` is one of [`KMS_REGIONS`].
pub fn is_kms_region(region: &str) -> bool {
    KMS_REGIONS.binary_search(&region).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_for_binary_search() {
        assert!(KMS_REGIONS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_kms_region("us-east-1") && is_kms_region("cn-northwest-1"));
        assert!(!is_kms_region("us-east1") && !is_kms_region(""));
    }
}
