//! The engine with an in-memory store, a manual clock and seeded randomness: for tests, and for
//! anything that wants a KMS without persistence. It keeps the account's CloudTrail event history
//! too, recording each call as the browser shell does (see [`crate::trail`]).

use crate::env::{Clock, Entropy, ManualClock, Millis, SeededEntropy, MILLIS_PER_DAY};
use crate::trail::{self, CallRecordInput, ServiceEvent, StoredEvent};
use crate::{Caller, Engine, Outcome, Result, Service, DEFAULT_ACCOUNT_ID, DEFAULT_REGION};
use serde_json::Value;

/// The `sourceIPAddress` and `userAgent` of the sandbox's own calls.
const SOURCE_IP: &str = "192.0.2.0";
const USER_AGENT: &str = "kms-core/Sandbox";

pub struct Sandbox {
    pub engine: Engine,
    pub clock: ManualClock,
    pub entropy: Box<dyn Entropy>,
    pub region: String,
    /// Who calls: the account root unless a test says otherwise.
    pub caller: Caller,
    /// The account's CloudTrail events, every Region's, oldest first by `eventTime`.
    pub trail: Vec<StoredEvent>,
    /// Numbers the request and event ids (deterministic, and apart from `entropy` so that
    /// recording draws nothing the engine would have drawn).
    ids: u64,
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
            trail: Vec::new(),
            ids: 0,
        }
    }

    /// Runs an operation and applies its changes at once (memory is the store).
    pub fn call(&mut self, operation: &str, request: Value) -> Result<Value> {
        let outcome = self.outcome(operation, request);
        outcome.result
    }

    pub fn outcome(&mut self, operation: &str, request: Value) -> Outcome {
        let now = self.clock.now();
        let outcome = self.engine.handle(
            &self.region,
            operation,
            &request,
            &self.caller,
            now,
            self.entropy.as_mut(),
        );
        self.engine.apply(outcome.changes.clone());
        let caller = self.caller.clone();
        self.record(Service::Kms, operation, &request, &outcome, &caller, now);
        outcome
    }

    /// Runs an operation of any service of the account as `self.caller` (STS decides AssumeRole
    /// by the role's trust policy; CloudTrail answers from [`Sandbox::trail`]) and applies its
    /// changes.
    pub fn call_service(
        &mut self,
        service: crate::Service,
        operation: &str,
        request: Value,
    ) -> Result<Value> {
        let now = self.clock.now();
        let outcome = if service == Service::CloudTrail {
            let result = match operation {
                "LookupEvents" => self
                    .engine
                    .check_lookup_events(&self.region, &self.caller, now)
                    .and_then(|_| self.lookup_events(&request)),
                _ => Err(crate::model::cloudtrail().unknown_operation(operation)),
            };
            Outcome::new(result, vec![])
        } else {
            self.engine.handle_service(
                service,
                &self.region,
                operation,
                &request,
                &self.caller,
                now,
                self.entropy.as_mut(),
            )
        };
        self.engine.apply(outcome.changes.clone());
        let caller = self.caller.clone();
        self.record(service, operation, &request, &outcome, &caller, now);
        outcome.result
    }

    /// CloudTrail's LookupEvents in the sandbox's Region, over [`Sandbox::trail`].
    pub fn lookup_events(&self, request: &Value) -> Result<Value> {
        trail::lookup_events(
            self.trail.iter().rev(),
            &self.region,
            request,
            self.clock.now(),
        )
    }

    /// Lets KMS do what the clock has made due in every Region (deletions, rotations) without a
    /// request, as the shell does when the sandbox clock moves; records the service events.
    pub fn catch_up(&mut self) {
        let regions: Vec<String> = self.engine.regions().map(str::to_string).collect();
        for region in regions {
            let outcome = self
                .engine
                .catch_up(&region, self.clock.now(), self.entropy.as_mut());
            self.engine.apply(outcome.changes);
            self.record_service_events(&outcome.service_events);
        }
    }

    pub fn advance_days(&self, days: i64) {
        self.clock.set(self.clock.now() + days * MILLIS_PER_DAY);
    }

    /// Records a call, and what KMS did on its own before answering it, as the shell does once
    /// the outcome's changes are durable.
    pub(crate) fn record(
        &mut self,
        service: Service,
        operation: &str,
        request: &Value,
        outcome: &Outcome,
        caller: &Caller,
        time: Millis,
    ) {
        self.record_service_events(&outcome.service_events);
        let (request_id, event_id) = (self.next_id(), self.next_id());
        let record = trail::api_call_record(&CallRecordInput {
            service,
            region: &self.region,
            operation,
            request,
            result: &outcome.result,
            caller,
            time,
            request_id: &request_id,
            event_id: &event_id,
            user_agent: USER_AGENT,
            source_ip: SOURCE_IP,
            facts: &outcome.trail,
            session_created: self.engine.session_created(caller),
        });
        self.keep(&record);
        let second_id = self.next_id();
        if let Some(second) = trail::second_region_record(&record, &second_id) {
            self.keep(&second);
        }
        if service == Service::Kms {
            self.engine.note_request(&crate::usage::NotedRequest {
                region: &self.region,
                operation,
                request,
                succeeded: outcome.result.is_ok(),
                resources: &outcome.trail.resources,
                time,
                request_id: &request_id,
                event_id: &event_id,
            });
        }
    }

    fn record_service_events(&mut self, events: &[ServiceEvent]) {
        for event in events {
            let id = self.next_id();
            let record = trail::service_event_record(event, &id);
            self.keep(&record);
        }
    }

    fn keep(&mut self, record: &Value) {
        let event = StoredEvent::from_record(record);
        let at = self
            .trail
            .partition_point(|e| e.event_time <= event.event_time);
        self.trail.insert(at, event);
        let now = self.clock.now();
        let expired = trail::expired_events(self.trail.iter().rev(), now);
        if !expired.is_empty() {
            self.trail.retain(|e| !expired.contains(&e.event_id));
        }
    }

    fn next_id(&mut self) -> String {
        self.ids += 1;
        format!("00000000-0000-4000-8000-{:012x}", self.ids)
    }
}
