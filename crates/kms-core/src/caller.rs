//! Who makes a request: the account root, an IAM user, or a session of an IAM role. The shell
//! decides (from `sandbox.as(...)` or the SigV4 access key id); the engine authorizes the
//! request for that caller and names it in errors and events.

use crate::arn::arn;

/// The identity behind a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    /// The account's root user (`arn:aws:iam::ACCOUNT:root`).
    Root { account_id: String },
    /// An IAM user. `path` starts and ends with `/` (default `/`); `user_id` is `AIDA...`.
    User {
        account_id: String,
        name: String,
        path: String,
        user_id: String,
    },
    /// A session of an IAM role (as returned by AssumeRole). `role_id` is `AROA...`.
    AssumedRole {
        account_id: String,
        role_name: String,
        role_path: String,
        role_id: String,
        session_name: String,
    },
}

/// A caller: an identity, and the access key id it signed with (if it used one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub identity: Identity,
    pub access_key_id: Option<String>,
}

impl Caller {
    pub fn root(account_id: &str) -> Caller {
        Caller {
            identity: Identity::Root {
                account_id: account_id.to_string(),
            },
            access_key_id: None,
        }
    }

    pub fn account_id(&self) -> &str {
        match &self.identity {
            Identity::Root { account_id }
            | Identity::User { account_id, .. }
            | Identity::AssumedRole { account_id, .. } => account_id,
        }
    }

    pub fn is_root(&self) -> bool {
        matches!(self.identity, Identity::Root { .. })
    }

    /// The caller's ARN, as GetCallerIdentity and AccessDeniedException messages give it, in
    /// the partition of `region`, the Region of the request.
    pub fn arn(&self, region: &str) -> String {
        match &self.identity {
            Identity::Root { account_id } => arn("iam", region, account_id, "root"),
            Identity::User {
                account_id,
                name,
                path,
                ..
            } => arn("iam", region, account_id, &format!("user{path}{name}")),
            Identity::AssumedRole {
                account_id,
                role_name,
                session_name,
                ..
            } => arn(
                "sts",
                region,
                account_id,
                &format!("assumed-role/{role_name}/{session_name}"),
            ),
        }
    }

    /// For a role session, the role's ARN (what a policy's `Principal` names to match it, and
    /// `aws:PrincipalArn`), in the partition of `region`.
    pub fn role_arn(&self, region: &str) -> Option<String> {
        match &self.identity {
            Identity::AssumedRole {
                account_id,
                role_name,
                role_path,
                ..
            } => Some(arn(
                "iam",
                region,
                account_id,
                &format!("role{role_path}{role_name}"),
            )),
            _ => None,
        }
    }

    /// `aws:PrincipalArn`: the user's or root's ARN, or for a role session the role's ARN.
    pub fn principal_arn(&self, region: &str) -> String {
        self.role_arn(region).unwrap_or_else(|| self.arn(region))
    }

    /// CloudTrail's `principalId` and `aws:userid`: the account id for root, `AIDA...` for a
    /// user, `AROA...:session` for a role session.
    pub fn principal_id(&self) -> String {
        match &self.identity {
            Identity::Root { account_id } => account_id.clone(),
            Identity::User { user_id, .. } => user_id.clone(),
            Identity::AssumedRole {
                role_id,
                session_name,
                ..
            } => format!("{role_id}:{session_name}"),
        }
    }

    /// `aws:PrincipalType`: `Account`, `User` or `AssumedRole`.
    pub fn principal_type(&self) -> &'static str {
        match self.identity {
            Identity::Root { .. } => "Account",
            Identity::User { .. } => "User",
            Identity::AssumedRole { .. } => "AssumedRole",
        }
    }

    /// CloudTrail's `userIdentity.type`: `Root`, `IAMUser` or `AssumedRole`.
    pub fn identity_type(&self) -> &'static str {
        match self.identity {
            Identity::Root { .. } => "Root",
            Identity::User { .. } => "IAMUser",
            Identity::AssumedRole { .. } => "AssumedRole",
        }
    }

    /// `aws:username`: present for IAM users only.
    pub fn user_name(&self) -> Option<&str> {
        match &self.identity {
            Identity::User { name, .. } => Some(name),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns_and_ids_as_aws_writes_them() {
        let root = Caller::root("111122223333");
        assert_eq!(root.arn("us-east-1"), "arn:aws:iam::111122223333:root");
        assert_eq!(root.principal_id(), "111122223333");
        let user = Caller {
            identity: Identity::User {
                account_id: "111122223333".into(),
                name: "alice".into(),
                path: "/dev/".into(),
                user_id: "AIDAEXAMPLE".into(),
            },
            access_key_id: None,
        };
        assert_eq!(
            user.arn("us-east-1"),
            "arn:aws:iam::111122223333:user/dev/alice"
        );
        assert_eq!(user.user_name(), Some("alice"));
        let session = Caller {
            identity: Identity::AssumedRole {
                account_id: "111122223333".into(),
                role_name: "reader".into(),
                role_path: "/app/".into(),
                role_id: "AROAEXAMPLE".into(),
                session_name: "s1".into(),
            },
            access_key_id: None,
        };
        assert_eq!(
            session.arn("us-east-1"),
            "arn:aws:sts::111122223333:assumed-role/reader/s1"
        );
        assert_eq!(
            session.principal_arn("us-east-1"),
            "arn:aws:iam::111122223333:role/app/reader"
        );
        // The partition is the Region's: IAM and STS ARNs name no Region.
        assert_eq!(
            session.arn("cn-north-1"),
            "arn:aws-cn:sts::111122223333:assumed-role/reader/s1"
        );
        assert_eq!(
            session.principal_arn("us-gov-west-1"),
            "arn:aws-us-gov:iam::111122223333:role/app/reader"
        );
        assert_eq!(session.principal_id(), "AROAEXAMPLE:s1");
    }
}
