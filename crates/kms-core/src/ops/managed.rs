//! AWS managed keys: the `aws/<service>` keys every account holds in every region. They are
//! created with the region (AWS creates them when a service first needs one; the sandbox makes
//! them all at once so learners can see them), rotate yearly and refuse every change.

use super::keys::{new_key, NewKey};
use crate::error::Result;
use crate::records::AliasRecord;
use crate::spec::{KeyManager, KeySpec, KeyUsage};
use crate::tx::Tx;

/// The services whose AWS managed keys the sandbox account holds, with AWS's description.
pub const AWS_MANAGED_SERVICES: &[(&str, &str)] = &[
    (
        "acm",
        "Default key that protects my ACM private keys when no other key is defined",
    ),
    (
        "dynamodb",
        "Default key that protects my DynamoDB data when no other key is defined",
    ),
    (
        "ebs",
        "Default key that protects my EBS volumes when no other key is defined",
    ),
    (
        "elasticfilesystem",
        "Default key that protects my EFS filesystems when no other key is defined",
    ),
    (
        "lambda",
        "Default key that protects my Lambda functions when no other key is defined",
    ),
    (
        "rds",
        "Default key that protects my RDS database volumes when no other key is defined",
    ),
    (
        "redshift",
        "Default key that protects my Redshift data when no other key is defined",
    ),
    (
        "s3",
        "Default key that protects my S3 objects when no other key is defined",
    ),
    (
        "secretsmanager",
        "Default key that protects my Secrets Manager data when no other key is defined",
    ),
    (
        "sns",
        "Default key that protects my SNS data when no other key is defined",
    ),
    (
        "sqs",
        "Default key that protects my SQS messages when no other key is defined",
    ),
    (
        "ssm",
        "Default key that protects my SSM Parameter Store parameters when no other key is defined",
    ),
];

/// How an AWS managed key's policy names its service, and the service's endpoint prefix for
/// `kms:ViaService`. Only EBS's is in the developer guide (conditions-kms.md: "Allow access
/// through EBS ...", `ec2.<region>.amazonaws.com`, since EBS is called through EC2); the others
/// follow its pattern with the service's short name.
fn service_naming(service: &str) -> (&'static str, &'static str) {
    match service {
        "acm" => ("ACM", "acm"),
        "dynamodb" => ("DynamoDB", "dynamodb"),
        "ebs" => ("EBS", "ec2"),
        "elasticfilesystem" => ("EFS", "elasticfilesystem"),
        "lambda" => ("Lambda", "lambda"),
        "rds" => ("RDS", "rds"),
        "redshift" => ("Redshift", "redshift"),
        "s3" => ("S3", "s3"),
        "secretsmanager" => ("Secrets Manager", "secretsmanager"),
        "sns" => ("SNS", "sns"),
        "sqs" => ("SQS", "sqs"),
        "ssm" => ("SSM", "ssm"),
        _ => ("AWS", "aws"),
    }
}

/// The key policy AWS gives an AWS managed key: use only through the service, metadata (and
/// revoking grants) to the account, as services-wm.md shows one.
fn managed_key_policy(service: &str, account: &str, region: &str) -> String {
    let (name, endpoint) = service_naming(service);
    let policy = serde_json::json!({
        "Version": "2012-10-17",
        "Id": format!("auto-{service}-1"),
        "Statement": [
            {
                "Sid": format!("Allow access through {name} for all principals in the account that are authorized to use {name}"),
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:DescribeKey"],
                "Resource": "*",
                "Condition": {"StringEquals": {
                    "kms:CallerAccount": account,
                    "kms:ViaService": format!("{endpoint}.{region}.amazonaws.com")
                }}
            },
            {
                "Sid": "Allow direct access to key metadata to the account",
                "Effect": "Allow",
                "Principal": {"AWS": crate::arn::arn("iam", region, account, "root")},
                "Action": ["kms:Describe*", "kms:Get*", "kms:List*", "kms:RevokeGrant"],
                "Resource": "*"
            }
        ]
    });
    serde_json::to_string_pretty(&policy).expect("policy serialises")
}

pub(crate) fn create_aws_managed_keys(tx: &mut Tx<'_>) -> Result<()> {
    for (service, description) in AWS_MANAGED_SERVICES {
        let policy = managed_key_policy(service, tx.account_id(), &tx.region.clone());
        let mut key = new_key(
            tx,
            NewKey {
                spec: KeySpec::SymmetricDefault,
                usage: KeyUsage::EncryptDecrypt,
                description: description.to_string(),
                policy,
                manager: KeyManager::Aws,
                tags: Default::default(),
                origin: crate::spec::Origin::AwsKms,
                multi_region: false,
            },
        )?;
        // AWS managed keys rotate every year, and that cannot be changed.
        key.rotation.enabled = true;
        key.rotation.period_days = 365;
        key.rotation.next_rotation = Some(tx.now + 365 * crate::MILLIS_PER_DAY);
        let name = format!("alias/aws/{service}");
        tx.put_alias(AliasRecord {
            region: tx.region.clone(),
            arn: tx.alias_arn(&name),
            name,
            target_key_id: key.key_id.clone(),
            created: tx.now,
            last_updated: tx.now,
        });
        tx.put_key(key);
    }
    Ok(())
}
