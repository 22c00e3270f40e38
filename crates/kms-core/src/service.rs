//! The AWS services a sandbox account answers: KMS, and the IAM and STS that make its
//! principals. Each has its own wire protocol (KMS: JSON 1.1; IAM and STS: query), but inside
//! the engine every request and answer is the same JSON value form.

/// A service of the sandbox account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Service {
    Kms,
    Iam,
    Sts,
}

impl Service {
    pub const ALL: [Service; 3] = [Service::Kms, Service::Iam, Service::Sts];

    /// The name `sandbox.service(name)` takes and the SigV4 credential scope carries.
    pub fn name(self) -> &'static str {
        match self {
            Service::Kms => "kms",
            Service::Iam => "iam",
            Service::Sts => "sts",
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
        }
    }

    /// Whether the service is global (IAM): one endpoint, no Region of its own.
    pub fn is_global(self) -> bool {
        self == Service::Iam
    }
}
