//! ARNs as AWS writes them, `arn:<partition>:<service>:<region>:<account>:<resource>`, in the
//! partition of the Region they are made in: `arn:aws-cn:kms:cn-north-1:...` in Beijing. An
//! account lives in one partition, so IAM's and STS's ARNs (which name no Region) take the
//! partition of the Region the sandbox is used in.

/// Region prefix, partition and its DNS suffix (the SDKs' `partitions.json`); longest prefixes
/// first: `us-isob-` before `us-iso-`. Any other Region is in `aws`, `amazonaws.com`.
const PARTITIONS: [(&str, &str, &str); 6] = [
    ("cn-", "aws-cn", "amazonaws.com.cn"),
    ("us-gov-", "aws-us-gov", "amazonaws.com"),
    ("us-isob-", "aws-iso-b", "sc2s.sgov.gov"),
    ("us-isof-", "aws-iso-f", "csp.hci.ic.gov"),
    ("us-iso-", "aws-iso", "c2s.ic.gov"),
    ("eu-isoe-", "aws-iso-e", "cloud.adc-e.uk"),
];

fn partition_of(region: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    PARTITIONS
        .iter()
        .find(|(prefix, _, _)| region.starts_with(prefix))
}

/// The AWS partition of a Region: `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, ...
pub fn partition(region: &str) -> &'static str {
    partition_of(region).map_or("aws", |(_, p, _)| p)
}

/// The domain of the Region's endpoints (CloudFormation's `AWS::URLSuffix`).
pub fn dns_suffix(region: &str) -> &'static str {
    partition_of(region).map_or("amazonaws.com", |(_, _, s)| s)
}

/// The ARN of `resource` of `service` in `account`, made in `region`. IAM and STS are global:
/// their ARNs leave the Region out but keep its partition (`arn:aws-cn:iam::111122223333:root`).
pub fn arn(service: &str, region: &str, account: &str, resource: &str) -> String {
    let in_region = if matches!(service, "iam" | "sts") {
        ""
    } else {
        region
    };
    format!(
        "arn:{}:{service}:{in_region}:{account}:{resource}",
        partition(region)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_follow_the_region() {
        for (region, p) in [
            ("us-east-1", "aws"),
            ("ap-southeast-2", "aws"),
            ("cn-north-1", "aws-cn"),
            ("cn-northwest-1", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"),
            ("us-iso-east-1", "aws-iso"),
            ("us-isob-east-1", "aws-iso-b"),
        ] {
            assert_eq!(partition(region), p, "{region}");
        }
        assert_eq!(dns_suffix("cn-north-1"), "amazonaws.com.cn");
        assert_eq!(dns_suffix("us-gov-west-1"), "amazonaws.com");
    }

    #[test]
    fn global_services_leave_the_region_out() {
        assert_eq!(
            arn("kms", "cn-north-1", "111122223333", "key/k"),
            "arn:aws-cn:kms:cn-north-1:111122223333:key/k"
        );
        assert_eq!(
            arn("iam", "us-gov-west-1", "111122223333", "root"),
            "arn:aws-us-gov:iam::111122223333:root"
        );
        assert_eq!(
            arn("sts", "us-east-1", "111122223333", "assumed-role/r/s"),
            "arn:aws:sts::111122223333:assumed-role/r/s"
        );
    }
}
