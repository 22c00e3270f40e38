//! The sandbox's CloudTrail event history: [`Trail`] keeps the events [`crate::Sandbox`] records
//! and answers LookupEvents over them.
//!
//! Recording is off the critical path of the call it records: an event is built when the call
//! answers, appended to an in-memory queue, and written to IndexedDB's `events` store later, many
//! events to one transaction: at the next turn of the event loop (a zero-delay timer), at once
//! when [`FLUSH_BATCH`] events are waiting, on `pagehide` and when the page becomes hidden, when
//! the sandbox is dropped, and on [`Trail::flush`]. An event may therefore reach IndexedDB a
//! moment after its call answered; LookupEvents sees it from the moment it is recorded (it reads
//! the store and the events still in memory).
//!
//! Each event's key is `<eventTime, 15 digits>-<sequence, 18 digits>-<eventId>`: time order first
//! (eventTime has whole seconds), then the order in which this page recorded them. The sequence
//! is the sandbox time in microseconds, bumped to stay strictly increasing, so events recorded
//! after a reload sort after those before it.
//!
//! An in-memory sandbox keeps its whole history in the queue. Both apply CloudTrail's retention
//! rule ([`trail::RETENTION_DAYS`] of sandbox time, at most [`trail::MAX_EVENTS`], the oldest
//! dropped first).

use crate::store;
use kms_core::trail::{self, StoredEvent, MAX_EVENTS, RETENTION_DAYS};
use kms_core::{KmsError, Value, MILLIS_PER_DAY};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::IdbDatabase;

/// Events waiting for IndexedDB that start a write at once rather than at the next timer.
const FLUSH_BATCH: usize = 1000;

/// How many stored events the first read of a LookupEvents takes; each further read takes four
/// times as many.
const FIRST_READ: u32 = 256;

#[wasm_bindgen(inline_js = r#"
export function schedule(callback) {
  setTimeout(callback, 0);
}
// Calls `callback` on pagehide and when the page becomes hidden; returns the function that stops
// it. In a worker (no document) there is nothing to listen to.
export function onPageHide(callback) {
  if (typeof addEventListener !== "function" || typeof document === "undefined") return () => {};
  const hidden = () => { if (document.visibilityState === "hidden") callback(); };
  addEventListener("pagehide", callback);
  document.addEventListener("visibilitychange", hidden);
  return () => {
    removeEventListener("pagehide", callback);
    document.removeEventListener("visibilitychange", hidden);
  };
}
"#)]
extern "C" {
    fn schedule(callback: &js_sys::Function);
    #[wasm_bindgen(js_name = onPageHide)]
    fn on_page_hide(callback: &js_sys::Function) -> js_sys::Function;
}

/// One recorded event and its key in the `events` store.
pub(crate) struct Entry {
    key: String,
    event: StoredEvent,
}

/// Events handed to one IndexedDB write, and the write's promise.
type Batch = (Vec<Rc<Entry>>, js_sys::Promise);

/// A sandbox's event history (its sandbox holds the one handle on it).
pub(crate) struct Trail {
    state: Rc<State>,
}

struct State {
    /// The database the events go to; `None` for an in-memory sandbox.
    db: Option<IdbDatabase>,
    enabled: Cell<bool>,
    /// The most events kept: [`MAX_EVENTS`] (a test may lower it).
    cap: Cell<usize>,
    /// The last sequence number given (see the module doc).
    seq: Cell<u64>,
    /// The sandbox time of the last event recorded: the retention rule's "now" when writing.
    last_now: Cell<i64>,
    /// Persistent: recorded and not yet handed to a write. In memory: every event. Oldest first
    /// (by key).
    queue: RefCell<VecDeque<Rc<Entry>>>,
    /// Batches whose write has started and not completed, by number, with the write's promise.
    in_flight: RefCell<BTreeMap<u64, Batch>>,
    next_batch: Cell<u64>,
    /// Whether a timer will flush the queue.
    scheduled: Cell<bool>,
    /// The timer's and `pagehide`'s callback (it holds a weak reference to this state).
    callback: RefCell<Option<Closure<dyn FnMut()>>>,
    /// Stops the `pagehide` listener.
    unlisten: RefCell<Option<js_sys::Function>>,
    /// The first failed write's error since the last [`Trail::flush`], for it to report.
    failure: RefCell<Option<String>>,
}

impl Trail {
    /// The history of a sandbox stored in `db` (`None`: kept in memory only).
    pub fn new(db: Option<IdbDatabase>) -> Trail {
        let persistent = db.is_some();
        let state = Rc::new(State {
            db,
            enabled: Cell::new(true),
            cap: Cell::new(MAX_EVENTS),
            seq: Cell::new(0),
            last_now: Cell::new(0),
            queue: RefCell::new(VecDeque::new()),
            in_flight: RefCell::new(BTreeMap::new()),
            next_batch: Cell::new(0),
            scheduled: Cell::new(false),
            callback: RefCell::new(None),
            unlisten: RefCell::new(None),
            failure: RefCell::new(None),
        });
        if persistent {
            let weak = Rc::downgrade(&state);
            let callback = Closure::<dyn FnMut()>::new(move || {
                if let Some(state) = weak.upgrade() {
                    state.scheduled.set(false);
                    state.start_flush();
                }
            });
            let unlisten = on_page_hide(callback.as_ref().unchecked_ref());
            *state.unlisten.borrow_mut() = Some(unlisten);
            *state.callback.borrow_mut() = Some(callback);
        }
        Trail { state }
    }

    /// Whether calls are recorded (on unless switched off to measure what recording costs).
    pub fn enabled(&self) -> bool {
        self.state.enabled.get()
    }

    pub fn set_enabled(&self, on: bool) {
        self.state.enabled.set(on);
    }

    /// Records one CloudTrail record (from `trail::api_call_record` or
    /// `trail::service_event_record`) at sandbox time `now`.
    pub fn record(&self, record: &Value, now: i64) {
        let event = StoredEvent::from_record(record);
        let state = &self.state;
        state.last_now.set(state.last_now.get().max(now));
        let seq = (state.seq.get() + 1).max(u64::try_from(now).unwrap_or(0) * 1000);
        state.seq.set(seq);
        let key = format!(
            "{:015}-{seq:018}-{}",
            event.event_time.max(0),
            event.event_id
        );
        let entry = Rc::new(Entry { key, event });
        {
            let mut queue = state.queue.borrow_mut();
            // Service events are dated when they happened, possibly before events already here.
            let at = match queue.back() {
                Some(last) if last.key > entry.key => queue.partition_point(|e| e.key < entry.key),
                _ => queue.len(),
            };
            queue.insert(at, entry);
            if state.db.is_none() || queue.len() > state.cap.get() {
                retain(&mut queue, now, state.cap.get());
            }
        }
        if state.db.is_some() {
            if state.queue.borrow().len() >= FLUSH_BATCH {
                state.start_flush();
            } else if !state.scheduled.replace(true) {
                if let Some(callback) = state.callback.borrow().as_ref() {
                    schedule(callback.as_ref().unchecked_ref());
                }
            }
        }
    }

    /// Writes every recorded event to IndexedDB and resolves once they are there; reports a
    /// write that failed since the last flush.
    pub async fn flush(&self) -> Result<(), KmsError> {
        self.state.start_flush();
        let writes: Vec<js_sys::Promise> = self
            .state
            .in_flight
            .borrow()
            .values()
            .map(|(_, p)| p.clone())
            .collect();
        for write in writes {
            // A failure is kept in `failure` by the write's own completion.
            let _ = JsFuture::from(write).await;
        }
        match self.state.failure.borrow_mut().take() {
            Some(e) => Err(KmsError::internal(format!(
                "The sandbox could not save its event history: {e}"
            ))),
            None => Ok(()),
        }
    }

    /// Test hook: how many events wait in memory for a write to start (for an in-memory
    /// sandbox, every event).
    #[cfg(feature = "test-hooks")]
    pub fn queued(&self) -> usize {
        self.state.queue.borrow().len()
    }

    /// Test hook: keep at most `cap` events instead of [`MAX_EVENTS`].
    #[cfg(feature = "test-hooks")]
    pub fn set_cap(&self, cap: usize) {
        self.state.cap.set(cap);
    }

    /// CloudTrail's LookupEvents in `region` at sandbox time `now`, over the stored events and
    /// those not yet written.
    pub async fn lookup(&self, region: &str, request: &Value, now: i64) -> Result<Value, KmsError> {
        let state = &self.state;
        // What is in memory now: events written meanwhile are read from the store as well, and
        // appear once (by key).
        let mut memory: Vec<Rc<Entry>> = state.queue.borrow().iter().cloned().collect();
        for (batch, _) in state.in_flight.borrow().values() {
            memory.extend(batch.iter().cloned());
        }
        memory.sort_by(|a, b| b.key.cmp(&a.key));
        let Some(db) = &state.db else {
            return trail::lookup_events(memory.iter().map(|e| &e.event), region, request, now);
        };
        let mut stored: Vec<(String, StoredEvent)> = Vec::new();
        let mut limit = FIRST_READ;
        loop {
            let before = stored.last().map(|(k, _)| k.as_str());
            let read = store::read_events(db, before, limit).await.map_err(|e| {
                KmsError::internal(format!("The sandbox could not read its event history: {e}"))
            })?;
            let exhausted = read.len() < limit as usize;
            stored.extend(read);
            // Events in memory older than the oldest read may sit among stored ones not read
            // yet: they join once the store is read that far.
            let floor = if exhausted {
                None
            } else {
                stored.last().map(|(k, _)| k.as_str())
            };
            let mut events: Vec<(&str, &StoredEvent)> = stored
                .iter()
                .map(|(k, e)| (k.as_str(), e))
                .chain(
                    memory
                        .iter()
                        .filter(|e| floor.is_none_or(|f| e.key.as_str() >= f))
                        .map(|e| (e.key.as_str(), &e.event)),
                )
                .collect();
            events.sort_by(|a, b| b.0.cmp(a.0));
            events.dedup_by(|a, b| a.0 == b.0);
            let answer = trail::lookup_events(events.iter().map(|(_, e)| *e), region, request, now);
            let complete = match &answer {
                Err(_) => true,
                Ok(v) => v.get("NextToken").is_some(),
            };
            if exhausted || complete {
                return answer;
            }
            limit = limit.saturating_mul(4);
        }
    }
}

impl State {
    /// Starts writing the queue to IndexedDB (one transaction), if anything is waiting.
    fn start_flush(self: &Rc<Self>) {
        let Some(db) = &self.db else { return };
        if self.queue.borrow().is_empty() {
            return;
        }
        let batch: Vec<Rc<Entry>> = self.queue.borrow_mut().drain(..).collect();
        let entries: Vec<(&str, &StoredEvent)> =
            batch.iter().map(|e| (e.key.as_str(), &e.event)).collect();
        let json = match serde_json::to_string(&entries) {
            Ok(json) => json,
            Err(e) => {
                self.failure.borrow_mut().get_or_insert(e.to_string());
                return;
            }
        };
        drop(entries);
        let cutoff = (self.last_now.get() - RETENTION_DAYS * MILLIS_PER_DAY).max(0);
        let cutoff = format!("{cutoff:015}");
        let cap = u32::try_from(self.cap.get()).unwrap_or(u32::MAX);
        let write = store::append_events(db, &json, &cutoff, cap);
        let number = self.next_batch.get();
        self.next_batch.set(number + 1);
        self.in_flight
            .borrow_mut()
            .insert(number, (batch, write.clone()));
        let state = self.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let done = JsFuture::from(write).await;
            let Some((batch, _)) = state.in_flight.borrow_mut().remove(&number) else {
                return;
            };
            if let Err(e) = done {
                state
                    .failure
                    .borrow_mut()
                    .get_or_insert(store::describe(&e));
                // Kept for LookupEvents and the next write, unless the database is gone.
                if !state.db.as_ref().is_some_and(is_closed) {
                    let mut queue = state.queue.borrow_mut();
                    for entry in batch.into_iter().rev() {
                        queue.push_front(entry);
                    }
                    queue.make_contiguous().sort_by(|a, b| a.key.cmp(&b.key));
                    retain(&mut queue, state.last_now.get(), state.cap.get());
                }
            }
        });
    }
}

fn is_closed(db: &IdbDatabase) -> bool {
    js_sys::Reflect::get(db, &"kmsSandboxClosed".into()).is_ok_and(|v| v.is_truthy())
}

/// CloudTrail's retention rule on events in key order: none older than the window, at most
/// `cap` ([`MAX_EVENTS`]).
fn retain(queue: &mut VecDeque<Rc<Entry>>, now: i64, cap: usize) {
    let cutoff = now - RETENTION_DAYS * MILLIS_PER_DAY;
    while queue
        .front()
        .is_some_and(|e| e.event.event_time < cutoff || queue.len() > cap)
    {
        queue.pop_front();
    }
}

impl Drop for State {
    fn drop(&mut self) {
        if let Some(unlisten) = self.unlisten.borrow_mut().take() {
            let _ = unlisten.call0(&JsValue::NULL);
        }
    }
}

impl Drop for Trail {
    /// A dropped sandbox writes what is left of its history (the write outlives it).
    fn drop(&mut self) {
        self.state.start_flush();
    }
}
