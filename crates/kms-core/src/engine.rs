//! Where requests enter the engine: one dispatcher that answers every operation of the model
//! against the state ([`crate::state`]), and the [`Outcome`] it returns. The modules depend in one
//! direction: `state` <- `tx` <- `ops` <- `engine`; the services below it return an
//! [`Outcome`] of their own module, [`crate::outcome`].
//!
//! An operation never mutates the engine directly. It runs in a [`Tx`] that overlays the records
//! it changes; the engine returns those [`Change`]s with the response, the shell makes them
//! durable, and only then calls [`Engine::apply`]. A failed write therefore leaves the engine as
//! it was.

use crate::bill::PriceClass;
use crate::caller::Caller;
use crate::env::{Entropy, Millis, SeededEntropy};
use crate::error::{KmsError, Result};
use crate::outcome::Outcome;
use crate::service::Service;
use crate::spec::KeySpec;
use crate::state::Engine;
use crate::trail::TrailFacts;
use crate::tx::{Req, Tx};
use crate::{model, ops};
use serde_json::Value;

impl Engine {
    /// Answers one request: `operation` is what follows `TrentService.` in `X-Amz-Target`, `body`
    /// the JSON request body.
    pub fn handle_json(
        &self,
        region: &str,
        operation: &str,
        body: &[u8],
        caller: &Caller,
        now: Millis,
        entropy: &mut dyn Entropy,
    ) -> Outcome {
        let request: Value = if body.iter().all(u8::is_ascii_whitespace) {
            Value::Object(Default::default())
        } else {
            match serde_json::from_slice(body) {
                Ok(v) => v,
                Err(e) => {
                    return Outcome::new(
                        Err(KmsError::serialization(format!(
                            "Malformed JSON request body: {e}"
                        ))),
                        vec![],
                    )
                }
            }
        };
        self.handle(region, operation, &request, caller, now, entropy)
    }

    /// Like [`Engine::handle_json`], with the body already parsed.
    pub fn handle(
        &self,
        region: &str,
        operation: &str,
        request: &Value,
        caller: &Caller,
        now: Millis,
        entropy: &mut dyn Entropy,
    ) -> Outcome {
        let mut tx = Tx::new(self, region, caller, now, entropy);
        let mut trail = TrailFacts::default();
        // Housekeeping first: AWS managed keys exist, due deletions and rotations happen.
        let housekeeping = ops::housekeeping(&mut tx);
        let result = housekeeping.and_then(|_| {
            model::validate_input(operation, request)
                .map_err(|e| ops::policy::over_length_policy(operation, request).unwrap_or(e))?;
            let req = Req(request);
            // Before authorization, so that a denied request's record names its key too.
            trail = crate::trail::kms_facts(&tx, operation, &req);
            if self.authorize {
                ops::authorize::check(&tx, operation, &req)?;
            }
            ops::dispatch(&mut tx, operation, &req)
        });
        let service_events = std::mem::take(&mut tx.service_events);
        let unseal = tx.unseal.take();
        let delegated = tx.delegated.take().filter(|_| result.is_ok());
        Outcome {
            result,
            changes: tx.into_changes(),
            trail,
            service_events,
            unseal,
            delegated,
        }
    }

    /// Does what time has made due in `region` without a request: deletes the keys whose waiting
    /// period has ended and performs scheduled rotations, as every request does first. For the
    /// shell to call when the sandbox clock moves, so that the trail shows KMS's own DeleteKey and
    /// RotateKey events when they happened. The result is `Ok(null)`; persist the changes, then
    /// apply them and record the service events, as for any operation.
    pub fn catch_up(&self, region: &str, now: Millis, entropy: &mut dyn Entropy) -> Outcome {
        if self.region_state(region).is_none() {
            return Outcome::new(Ok(Value::Null), vec![]);
        }
        let root = Caller::root(&self.account_id);
        let mut tx = Tx::new(self, region, &root, now, entropy);
        let result = ops::housekeeping(&mut tx).map(|_| Value::Null);
        let service_events = std::mem::take(&mut tx.service_events);
        let unseal = tx.unseal.take();
        Outcome {
            result,
            changes: tx.into_changes(),
            trail: TrailFacts::default(),
            service_events,
            unseal,
            delegated: None,
        }
    }

    /// Answers one request to any service of the account, in the JSON value form (KMS's wire
    /// JSON; IAM and STS requests as the query codec decodes them).
    #[allow(clippy::too_many_arguments)]
    pub fn handle_service(
        &self,
        service: Service,
        region: &str,
        operation: &str,
        request: &Value,
        caller: &Caller,
        now: Millis,
        entropy: &mut dyn Entropy,
    ) -> Outcome {
        match service {
            Service::Kms => self.handle(region, operation, request, caller, now, entropy),
            Service::Iam => {
                let known = model::iam().operations.contains_key(operation);
                if known && self.authorize {
                    if let Err(e) =
                        ops::authorize::check_iam(self, region, operation, request, caller, now)
                    {
                        return Outcome::new(Err(e), vec![]);
                    }
                }
                self.handle_iam(region, operation, request, caller, now, entropy)
            }
            Service::Sts => {
                let trust = |role: &crate::iam::RoleRecord, caller: &Caller, request: &Value| {
                    crate::ops::authorize::may_assume_role(self, region, role, caller, request, now)
                };
                self.handle_sts(region, operation, request, caller, now, entropy, &trust)
            }
            Service::CloudFormation => {
                self.handle_cloudformation(region, operation, request, caller, now, entropy)
            }
            // The events are the shell's to store: it answers with `trail::lookup_events`.
            Service::CloudTrail => Outcome::new(
                model::cloudtrail()
                    .validate_input(operation, request)
                    .and_then(|_| {
                        Err(KmsError::new(
                            crate::ErrorType::UnsupportedOperation,
                            "CloudTrail is answered by kms_core::trail::lookup_events over the \
                             stored events",
                        ))
                    }),
                vec![],
            ),
        }
    }

    /// The caller a SigV4 access key id stands for in a request to `service`: an access key
    /// this account issued acts as its user or role session; a deactivated, deleted or expired
    /// one is refused with the error `service` gives; any other acts as the account root, so
    /// that placeholder credentials keep working.
    pub fn caller_for_signature(
        &self,
        service: Service,
        access_key_id: &str,
        now: Millis,
    ) -> Result<Caller> {
        self.signer(service, access_key_id, now, |_, _| Ok(()))
    }

    /// [`Engine::caller_for_signature`] of a whole signed request: with credentials this
    /// account issued, the signature must be the one their secret makes, and a session's
    /// request must carry its session token (`X-Amz-Security-Token`), as AWS checks them.
    pub fn caller_for_signed_request(
        &self,
        service: Service,
        auth: &crate::sigv4::Authorization,
        request: &crate::sigv4::SignedRequest,
        now: Millis,
    ) -> Result<Caller> {
        use crate::iam::AccessKeyProblem;
        self.signer(service, &auth.access_key_id, now, |secret, token| {
            let sent = request.header("x-amz-security-token");
            if sent.map(str::as_bytes) != token.map(|t| t.expose()) {
                return Err(AccessKeyProblem::BadToken);
            }
            if !request.verify(auth, secret.expose()) {
                return Err(AccessKeyProblem::BadSignature);
            }
            Ok(())
        })
    }

    /// The caller of `access_key_id` once `check` accepts its secret and session token.
    fn signer(
        &self,
        service: Service,
        access_key_id: &str,
        now: Millis,
        check: impl FnOnce(
            &crate::Secret,
            Option<&crate::Secret>,
        ) -> std::result::Result<(), crate::iam::AccessKeyProblem>,
    ) -> Result<Caller> {
        use crate::iam::AccessKeyProblem;
        let checked = self
            .caller_for_access_key(access_key_id, now)
            .and_then(|caller| match self.signing_secret(access_key_id) {
                Some((secret, token)) => check(secret, token).map(|()| caller),
                None => Err(AccessKeyProblem::Inactive),
            });
        match checked {
            Ok(caller) => Ok(caller),
            Err(AccessKeyProblem::Unknown) => Ok(Caller::root(&self.account_id)),
            // The JSON protocol's errors (KMS, CloudTrail), else the query protocol's.
            Err(problem) if matches!(service, Service::Kms | Service::CloudTrail) => {
                Err(problem.kms_error())
            }
            Err(problem) => Err(problem.query_error()),
        }
    }

    /// How AWS would decide `operation` with `request` for `caller`, without running it: for each
    /// permission it needs, `{"Action", "Resource", "Allowed", "Why"}` where `Why` names the
    /// policies, statements (by Sid) or grant that decided. For the console's "Why?" and policy
    /// check panel; the request must pass the model's validation. As for a request, keys not
    /// read yet are asked for in [`Outcome::unseal`] (then the answer is not to be used); the
    /// outcome has no changes.
    pub fn explain_access(
        &self,
        region: &str,
        operation: &str,
        request: &Value,
        caller: &Caller,
        now: Millis,
    ) -> Outcome {
        if let Err(e) = model::validate_input(operation, request) {
            return Outcome::new(Err(e), vec![]);
        }
        let mut entropy = crate::env::SeededEntropy::new(0);
        let tx = Tx::new(self, region, caller, now, &mut entropy);
        let decisions = ops::authorize::explain(&tx, operation, &Req(request));
        let mut outcome = Outcome::new(
            Ok(Value::Array(
                decisions
                    .into_iter()
                    .map(|(action, resource, allowed, why)| {
                        serde_json::json!({
                            "Action": action, "Resource": resource, "Allowed": allowed, "Why": why
                        })
                    })
                    .collect(),
            )),
            vec![],
        );
        outcome.unseal = tx.unseal.take();
        outcome
    }
}

impl Engine {
    /// The price class of a KMS request (wire JSON) in `region`, from the keys it names. Call it
    /// with the request before or after running it.
    pub fn price_class(&self, region: &str, operation: &str, request: &Value) -> PriceClass {
        let root = Caller::root(self.account_id());
        let mut entropy = SeededEntropy::new(0);
        let tx = Tx::new(self, region, &root, 0, &mut entropy);
        let facts = crate::trail::kms_facts(&tx, operation, &Req(request));
        let specs: Vec<KeySpec> = facts
            .resources
            .iter()
            .filter_map(|arn| arn.rsplit_once(":key/"))
            .filter_map(|(_, id)| tx.key(id))
            .map(|k| k.key_spec)
            .collect();
        PriceClass::of(operation, request, &specs)
    }
}
