//! The engine with an in-memory store, a manual clock and seeded randomness: for tests, and for
//! anything that wants a KMS without persistence.

use crate::env::{Clock, Entropy, ManualClock, SeededEntropy, MILLIS_PER_DAY};
use crate::{Caller, Engine, Outcome, Result, DEFAULT_ACCOUNT_ID, DEFAULT_REGION};
use serde_json::Value;

pub struct Sandbox {
    pub engine: Engine,
    pub clock: ManualClock,
    pub entropy: Box<dyn Entropy>,
    pub region: String,
    /// Who calls: the account root unless a test says otherwise.
    pub caller: Caller,
}

impl Sandbox {
    /// A sandbox for account 111122223333 in ap-southeast-2, at 2025-01-01T00:00:00Z, with
    /// deterministic randomness from `seed`.
    pub fn in_memory(seed: u64) -> Self {
        Sandbox {
            engine: Engine::new(DEFAULT_ACCOUNT_ID),
            clock: ManualClock::new(1_735_689_600_000),
            entropy: Box::new(SeededEntropy::new(seed)),
            region: DEFAULT_REGION.to_string(),
            caller: Caller::root(DEFAULT_ACCOUNT_ID),
        }
    }

    /// Runs an operation and applies its changes at once (memory is the store).
    pub fn call(&mut self, operation: &str, request: Value) -> Result<Value> {
        let outcome = self.outcome(operation, request);
        outcome.result
    }

    pub fn outcome(&mut self, operation: &str, request: Value) -> Outcome {
        let outcome = self.engine.handle(
            &self.region,
            operation,
            &request,
            &self.caller,
            self.clock.now(),
            self.entropy.as_mut(),
        );
        self.engine.apply(outcome.changes.clone());
        outcome
    }

    /// Runs an operation of any service of the account as `self.caller` (STS decides AssumeRole
    /// by the role's trust policy) and applies its changes.
    pub fn call_service(
        &mut self,
        service: crate::Service,
        operation: &str,
        request: Value,
    ) -> Result<Value> {
        let outcome = self.engine.handle_service(
            service,
            &self.region,
            operation,
            &request,
            &self.caller,
            self.clock.now(),
            self.entropy.as_mut(),
        );
        self.engine.apply(outcome.changes);
        outcome.result
    }

    pub fn advance_days(&self, days: i64) {
        self.clock.set(self.clock.now() + days * MILLIS_PER_DAY);
    }
}
