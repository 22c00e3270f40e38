//! Who makes a request: the account root, an IAM user, or a session of an IAM role. The shell
//! decides (from `sandbox.as(...)` or the SigV4 access key id); the engine authorizes the
//! request for that caller and names it in errors and events.

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

    /// The caller's ARN, as GetCallerIdentity and AccessDeniedException messages give it.
    pub fn arn(&self) -> String {
        match &self.identity {
            Identity::Root { account_id } => format!("arn:aws:iam::{account_id}:root"),
            Identity::User {
                account_id,
                name,
                path,
                ..
            } => format!("arn:aws:iam::{account_id}:user{path}{name}"),
            Identity::AssumedRole {
                account_id,
                role_name,
                session_name,
                ..
            } => format!("arn:aws:sts::{account_id}:assumed-role/{role_name}/{session_name}"),
        }
    }

    /// For a role session, the role's ARN (what a policy's `Principal` names to match it, and
    /// `aws:PrincipalArn`).
    pub fn role_arn(&self) -> Option<String> {
        match &self.identity {
            Identity::AssumedRole {
                account_id,
                role_name,
                role_path,
                ..
            } => Some(format!(
                "arn:aws:iam::{account_id}:role{role_path}{role_name}"
            )),
            _ => None,
        }
    }

    /// `aws:PrincipalArn`: the user's or root's ARN, or for a role session the role's ARN.
    pub fn principal_arn(&self) -> String {
        self.role_arn().unwrap_or_else(|| self.arn())
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
        assert_eq!(root.arn(), "arn:aws:iam::111122223333:root");
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
        assert_eq!(user.arn(), "arn:aws:iam::111122223333:user/dev/alice");
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
            session.arn(),
            "arn:aws:sts::111122223333:assumed-role/reader/s1"
        );
        assert_eq!(
            session.principal_arn(),
            "arn:aws:iam::111122223333:role/app/reader"
        );
        assert_eq!(session.principal_id(), "AROAEXAMPLE:s1");
    }
}
