//! The AWS services a sandbox account answers: KMS, the IAM and STS that make its principals, and
//! CloudTrail's event history of them all. Each has its own wire protocol (KMS and CloudTrail:
//! JSON 1.1; IAM and STS: query), but inside the engine every request and answer is the same JSON
//! value form.

/// A service of the sandbox account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Kms,
    Iam,
    Sts,
    /// Event history (LookupEvents), answered by [`crate::trail::lookup_events`] over the events
    /// the shell stores rather than by the engine's records.
    CloudTrail,
    /// Stacks of KMS resources (query protocol), made by the engine's own KMS operations.
    CloudFormation,
}

impl Service {
    pub const ALL: [Service; 5] = [
        Service::Kms,
        Service::Iam,
        Service::Sts,
        Service::CloudTrail,
        Service::CloudFormation,
    ];

    /// The name `sandbox.service(name)` takes and the SigV4 credential scope carries.
    pub fn name(self) -> &'static str {
        match self {
            Service::Kms => "kms",
            Service::Iam => "iam",
            Service::Sts => "sts",
            Service::CloudTrail => "cloudtrail",
            Service::CloudFormation => "cloudformation",
        }
    }

    pub fn from_name(name: &str) -> Option<Service> {
        Service::ALL.into_iter().find(|s| s.name() == name)
    }

    /// CloudTrail's `eventSource`.
    pub fn event_source(self) -> &'static str {
        match self {
            Service::Kms => "kms.amazonaws.com",
            Service::Iam => "iam.amazonaws.com",
            Service::Sts => "sts.amazonaws.com",
            Service::CloudTrail => "cloudtrail.amazonaws.com",
            Service::CloudFormation => "cloudformation.amazonaws.com",
        }
    }

    /// The service's API model.
    pub fn model(self) -> &'static crate::model::Model {
        match self {
            Service::Kms => crate::model::kms(),
            Service::Iam => crate::model::iam(),
            Service::Sts => crate::model::sts(),
            Service::CloudTrail => crate::model::cloudtrail(),
            Service::CloudFormation => crate::model::cloudformation(),
        }
    }

    /// The Region a call is made in, as CloudTrail records it and `aws:RequestedRegion` names
    /// it: IAM's, global, in its partition's home Region (us-east-1; cn-north-1 in China,
    /// us-gov-west-1 in GovCloud, ...); every other service's in the Region the request went to.
    pub fn event_region(self, region: &str) -> &str {
        if !self.is_global() {
            return region;
        }
        match crate::arn::partition(region) {
            "aws-cn" => "cn-north-1",
            "aws-us-gov" => "us-gov-west-1",
            "aws-iso" => "us-iso-east-1",
            "aws-iso-b" => "us-isob-east-1",
            "aws-iso-f" => "us-isof-south-1",
            "aws-iso-e" => "eu-isoe-west-1",
            _ => "us-east-1",
        }
    }

    /// Whether the service is global (IAM): one endpoint, no Region of its own.
    pub fn is_global(self) -> bool {
        self == Service::Iam
    }
}
