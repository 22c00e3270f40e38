//! The sandbox's CloudTrail event history: [`Trail`] keeps the events [`crate::Sandbox`] records
//! and answers LookupEvents over them.
//!
//! Recording is off the critical path of the call it records: an event is built when the call
//! answers (by a [`trail::Recorder`], cheap for calls that repeat), appended to an in-memory
//! queue, and written to IndexedDB's `events` store later, the events waiting at that moment as
//! one value in one transaction (see [`crate::store`]): [`FLUSH_DELAY_MS`] after the first of
//! them was recorded, at once when [`FLUSH_BATCH`] events are waiting, on `pagehide` and when the page becomes hidden, when
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

use crate::store::{self, on_page_hide, schedule, unschedule};
use kms_core::trail::{
    self, CallRecordInput, Recorded, Recorder, StoredEvent, MAX_EVENTS, RETENTION_DAYS,
};
use kms_core::{KmsError, Value, MILLIS_PER_DAY};
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::IdbDatabase;

/// Events waiting for IndexedDB that start a write at once rather than at the next timer. Each
/// write is one transaction of five requests; at 1,000 an IndexedDB sandbox encrypting in a loop
/// wrote 80 a second, and ran 5 to 15% slower than with 4,000 (issue 12's benchmark, alternating
/// builds). At 10,000 a write of a megabyte made single rounds of calls slower.
const FLUSH_BATCH: usize = 4000;

/// How long recorded events wait for more before they are written. Each write also saves the
/// usage and, at the history's cap, trims the oldest chunk: calls that await IndexedDB (a big
/// sandbox reads a key on first use) wrote one event each with a zero delay, and those writes
/// held up the calls and LookupEvents.
const FLUSH_DELAY_MS: u32 = 100;

/// How many stored events the first read of a LookupEvents takes; each further read takes four
/// times as many.
const FIRST_READ: u32 = 256;

/// One recorded event and its key in the `events` store, as the recorder made it: a repeated
/// call's record text is made only when it is read or written. (An in-memory sandbox that kept
/// its 100,000 events whole held about 1.5 KB each, and its calls slowed fourfold as that
/// memory grew.)
pub(crate) struct Entry {
    key: String,
    event: Recorded,
}

impl Entry {
    /// The event, borrowed when it is whole.
    fn event(&self) -> Cow<'_, StoredEvent> {
        match self.event.as_event() {
            Some(e) => Cow::Borrowed(e),
            None => Cow::Owned(self.event.to_event()),
        }
    }
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
    recorder: RefCell<Recorder>,
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
    /// The timer that will flush the queue, if one is set; cleared when the state goes (a timer
    /// that fired after its callback was freed would throw in the page).
    timer: RefCell<Option<JsValue>>,
    /// The timer's and `pagehide`'s callback (it holds a weak reference to this state).
    callback: RefCell<Option<Closure<dyn FnMut()>>>,
    /// Stops the `pagehide` listener.
    unlisten: RefCell<Option<js_sys::Function>>,
    /// The first failed write's error since the last [`Trail::flush`], for it to report.
    failure: RefCell<Option<String>>,
    /// The account's usage, saved with the events (see [`Trail::save_usage_from`]).
    usage: RefCell<Option<Box<dyn UsageSource>>>,
}

/// Where the usage to save with the events comes from: the sandbox's engine.
pub(crate) trait UsageSource {
    /// The usage's text if it changed since it was last taken.
    fn take_saved(&self) -> Option<String>;
    /// The text taken was not saved.
    fn mark_unsaved(&self);
}

impl Trail {
    /// The history of a sandbox stored in `db` (`None`: kept in memory only).
    pub fn new(db: Option<IdbDatabase>) -> Trail {
        let persistent = db.is_some();
        let state = Rc::new(State {
            db,
            enabled: Cell::new(true),
            recorder: RefCell::new(Recorder::new()),
            cap: Cell::new(MAX_EVENTS),
            seq: Cell::new(0),
            last_now: Cell::new(0),
            queue: RefCell::new(VecDeque::new()),
            in_flight: RefCell::new(BTreeMap::new()),
            next_batch: Cell::new(0),
            timer: RefCell::new(None),
            callback: RefCell::new(None),
            unlisten: RefCell::new(None),
            failure: RefCell::new(None),
            usage: RefCell::new(None),
        });
        if persistent {
            let weak = Rc::downgrade(&state);
            let callback = Closure::<dyn FnMut()>::new(move || {
                if let Some(state) = weak.upgrade() {
                    state.timer.take();
                    state.start_flush();
                }
            });
            let unlisten = on_page_hide(callback.as_ref().unchecked_ref());
            *state.unlisten.borrow_mut() = Some(unlisten);
            *state.callback.borrow_mut() = Some(callback);
        }
        Trail { state }
    }

    /// Saves the account's usage with each write of events (and on its own when it changed and
    /// no event waits): a write per batch of calls, not per call.
    pub fn save_usage_from(&self, source: Box<dyn UsageSource>) {
        *self.state.usage.borrow_mut() = Some(source);
    }

    /// Whether calls are recorded (on unless switched off to measure what recording costs).
    pub fn enabled(&self) -> bool {
        self.state.enabled.get()
    }

    pub fn set_enabled(&self, on: bool) {
        self.state.enabled.set(on);
    }

    /// Records one API call at sandbox time `now`.
    pub fn record_call(&self, input: &CallRecordInput<'_>, now: i64) {
        let event = self.state.recorder.borrow_mut().record_compact(input);
        self.keep(event, now);
    }

    /// Records one CloudTrail record (from `trail::api_call_record` or
    /// `trail::service_event_record`) at sandbox time `now`.
    pub fn record(&self, record: &Value, now: i64) {
        self.keep(Recorded::from(StoredEvent::from_record(record)), now);
    }

    fn keep(&self, event: Recorded, now: i64) {
        let state = &self.state;
        state.last_now.set(state.last_now.get().max(now));
        let seq = (state.seq.get() + 1).max(u64::try_from(now).unwrap_or(0) * 1000);
        state.seq.set(seq);
        let key = queue_key(event.event_time().max(0), seq, event.event_id());
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
            } else if state.timer.borrow().is_none() {
                let timer =
                    state.callback.borrow().as_ref().map(|callback| {
                        schedule(callback.as_ref().unchecked_ref(), FLUSH_DELAY_MS)
                    });
                *state.timer.borrow_mut() = timer;
            }
        }
    }

    /// Writes what waits now, without waiting [`FLUSH_DELAY_MS`] for more, and resolves once it
    /// is written: a change's event is durable before the change is reported, since a browser
    /// drops the writes of a page that closes or reloads at once. A failed write is kept for the
    /// next [`Trail::flush`] to report, as for a batch.
    pub async fn write_now(&self) {
        self.state.start_flush();
        self.writes_done().await;
    }

    /// Resolves once the writes in flight are done (a failure is kept in `failure` by the
    /// write's own completion).
    async fn writes_done(&self) {
        let writes: Vec<js_sys::Promise> = self
            .state
            .in_flight
            .borrow()
            .values()
            .map(|(_, p)| p.clone())
            .collect();
        for write in writes {
            let _ = JsFuture::from(write).await;
        }
    }

    /// Writes every recorded event to IndexedDB and resolves once they are there; reports a
    /// write that failed since the last flush.
    pub async fn flush(&self) -> Result<(), KmsError> {
        self.write_now().await;
        match self.state.failure.borrow_mut().take() {
            Some(e) => Err(KmsError::internal(format!(
                "The sandbox could not save its event history: {e}"
            ))),
            None => Ok(()),
        }
    }

    /// The event history a page at a time, for a backup. Writes what waits first.
    pub async fn pages(&self) -> Result<EventPages, KmsError> {
        let state = &self.state;
        if state.db.is_some() {
            self.flush().await?;
        }
        Ok(EventPages {
            db: state.db.clone(),
            before: None,
            stored_done: state.db.is_none(),
            waiting: state.queue.borrow().iter().cloned().collect(),
        })
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
            // Filtered as they are; only the page's events have their records made.
            return trail::lookup_events(memory.iter().map(|e| &e.event), region, request, now);
        };
        let memory: Vec<(&str, Cow<'_, StoredEvent>)> =
            memory.iter().map(|e| (e.key.as_str(), e.event())).collect();
        let mut stored: Vec<(String, StoredEvent)> = Vec::new();
        let mut before: Option<String> = None;
        let mut limit = FIRST_READ;
        loop {
            let read = store::read_events(db, before.as_deref(), limit)
                .await
                .map_err(|e| {
                    KmsError::internal(format!("The sandbox could not read its event history: {e}"))
                })?;
            if let Some((key, _)) = read.chunks.last() {
                before = Some(key.clone());
            }
            for (_, text) in &read.chunks {
                stored.extend(decode_lines(text).map_err(|e| {
                    KmsError::internal(format!("The sandbox could not read its event history: {e}"))
                })?);
            }
            // Until every chunk is read, only events at or after the last chunk's key are
            // known in full: older ones may sit among events of chunks not read yet.
            let floor = if read.done { None } else { before.as_deref() };
            let mut events: Vec<(&str, &StoredEvent)> = stored
                .iter()
                .map(|(k, e)| (k.as_str(), e))
                .chain(memory.iter().map(|(k, e)| (*k, &**e)))
                .filter(|(k, _)| floor.is_none_or(|f| *k >= f))
                .collect();
            events.sort_by(|a, b| b.0.cmp(a.0));
            events.dedup_by(|a, b| a.0 == b.0);
            let answer = trail::lookup_events(events.iter().map(|(_, e)| *e), region, request, now);
            let complete = match &answer {
                Err(_) => true,
                Ok(v) => v.get("NextToken").is_some(),
            };
            if read.done || complete {
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
        let usage = self.usage.borrow().as_ref().and_then(|u| u.take_saved());
        let saves_usage = usage.is_some();
        if self.queue.borrow().is_empty() && !saves_usage {
            return;
        }
        let batch: Vec<Rc<Entry>> = {
            let mut queue = self.queue.borrow_mut();
            // Events that waited while the clock moved on may have expired meanwhile.
            retain(&mut queue, self.last_now.get(), self.cap.get());
            queue.drain(..).collect()
        };
        // The queue is in key order: the chunk's key is its last event's.
        let chunk_key = batch.last().map(|e| e.key.clone()).unwrap_or_default();
        let json = encode_lines(&batch);
        let cutoff = (self.last_now.get() - RETENTION_DAYS * MILLIS_PER_DAY).max(0);
        let cutoff = format!("{cutoff:015}");
        let cap = u32::try_from(self.cap.get()).unwrap_or(u32::MAX);
        let count = u32::try_from(batch.len()).unwrap_or(u32::MAX);
        let write = store::append_events(db, &chunk_key, &json, count, &cutoff, cap, usage);
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
                    .get_or_insert(crate::webcrypto::describe(&e));
                if saves_usage {
                    if let Some(u) = state.usage.borrow().as_ref() {
                        u.mark_unsaved();
                    }
                }
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

/// Byte ranges of the quoted `eventTime`, `requestID` and `eventID` values in a record's text.
type Spans = [(usize, usize); 3];

/// The byte ranges of the quoted `eventTime`, `requestID` and `eventID` values of a record's
/// text (see [`trail::Recorder`]), if they are plain strings in that order.
fn varying_spans(text: &str) -> Option<[(usize, usize); 3]> {
    let span = |at: Option<usize>| -> Option<(usize, usize)> {
        let at = at?;
        let start = at + text[at..].find(':')? + 1;
        let rest = text[start..].strip_prefix('"')?;
        let len = rest.find('"')?;
        // An escaped character would end the search early: such a record is stored whole.
        (!rest[..len].contains('\\')).then_some((start, start + len + 2))
    };
    let spans = [
        span(text.find("\"eventTime\":"))?,
        span(text.rfind("\"requestID\":"))?,
        span(text.rfind("\"eventID\":"))?,
    ];
    (spans[0].1 <= spans[1].0 && spans[1].1 <= spans[2].0).then_some(spans)
}

/// An event's key (see the module doc): `{time:015}-{seq:018}-{event_id}`, written without
/// `format!`, whose machinery was about 2% of a symmetric `send`.
fn queue_key(time: i64, seq: u64, event_id: &str) -> String {
    fn digits(out: &mut String, mut n: u64, width: usize) {
        let mut buf = [b'0'; 20];
        let mut at = buf.len();
        loop {
            at -= 1;
            buf[at] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        let start = at.min(buf.len() - width);
        out.extend(buf[start..].iter().map(|&b| char::from(b)));
    }
    let mut key = String::with_capacity(35 + event_id.len());
    digits(&mut key, u64::try_from(time).unwrap_or(0), 15);
    key.push('-');
    digits(&mut key, seq, 18);
    key.push('-');
    key.push_str(event_id);
    key
}

/// An event key's time and event id (see the module doc).
fn key_parts(key: &str) -> Option<(i64, &str)> {
    let time = key.get(..15)?.parse().ok()?;
    Some((time, key.get(35..)?))
}

/// The text of a chunk of events (oldest first), as stored: JSON Lines, one per event. An event
/// is `["<key>",<record>]`, its CloudTrail record embedded as it is (nothing to escape, so this is
/// little more than a copy), or `["<key>","<requestID>"]` when its record is the one before it but
/// for `eventTime`, `requestID` and `eventID`, which the key gives but for the request id: an app
/// that encrypts in a loop stores a sixth of the bytes.
fn encode_lines(batch: &[Rc<Entry>]) -> String {
    let mut out = String::with_capacity(batch.len() * 256);
    // The last event written, and the last record text written whole (its values' spans).
    let mut previous: Option<&Recorded> = None;
    let mut whole: Option<(Cow<'_, str>, Spans)> = None;
    // The last eventTime formatted, by time.
    let mut formatted: Option<(i64, String)> = None;
    for entry in batch {
        out.push_str("[\"");
        // Keys are digits, dashes and a UUID: nothing to escape.
        out.push_str(&entry.key);
        out.push_str("\",");
        let event = &entry.event;
        let last = previous.replace(event);
        // A repeat of the template of the event before: its request id is all there is to write.
        if let (Some(request_id), Some(last)) = (event.repeated_request_id(), last) {
            if last.same_template(event) && plain(request_id) {
                out.push('"');
                out.push_str(request_id);
                out.push_str("\"]\n");
                continue;
            }
        }
        let text: Cow<'_, str> = match event.as_event() {
            Some(e) => Cow::Borrowed(e.cloud_trail_event.as_str()),
            None => Cow::Owned(event.to_event().cloud_trail_event),
        };
        // A record like the one before has its values where that one's are.
        let spans = whole
            .as_ref()
            .and_then(|(before, b)| {
                (before.len() == text.len() && plain_at(&text, *b)).then_some(*b)
            })
            .or_else(|| varying_spans(&text));
        let repeated = match (&whole, spans, key_parts(&entry.key)) {
            (Some((before, b)), Some(s), Some((time, event_id))) => {
                let time = match &formatted {
                    Some((t, text)) if *t == time => text.as_str(),
                    _ => &formatted.insert((time, trail::event_time(time))).1,
                };
                before[..b[0].0] == text[..s[0].0]
                    && before[b[0].1..b[1].0] == text[s[0].1..s[1].0]
                    && before[b[1].1..b[2].0] == text[s[1].1..s[2].0]
                    && before[b[2].1..] == text[s[2].1..]
                    && text[s[0].0 + 1..s[0].1 - 1] == *time
                    && text[s[2].0 + 1..s[2].1 - 1] == *event_id
            }
            _ => false,
        };
        match spans {
            Some(s) if repeated => out.push_str(&text[s[1].0..s[1].1]),
            _ => out.push_str(&text),
        }
        out.push_str("]\n");
        whole = spans.map(|s| (text, s));
    }
    out
}

/// Whether a string needs no escaping in JSON.
fn plain(s: &str) -> bool {
    s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// Whether `text` holds plain quoted strings (no quote or backslash inside) at `spans`.
fn plain_at(text: &str, spans: [(usize, usize); 3]) -> bool {
    let bytes = text.as_bytes();
    spans.iter().all(|&(start, end)| {
        end >= start + 2
            && bytes[start] == b'"'
            && bytes[end - 1] == b'"'
            && !bytes[start + 1..end - 1]
                .iter()
                .any(|&b| b == b'"' || b == b'\\')
    })
}

/// The events of a chunk's text (see [`encode_lines`]), with their keys.
fn decode_lines(text: &str) -> Result<Vec<(String, StoredEvent)>, String> {
    let mut out: Vec<(String, StoredEvent)> = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let malformed = || {
            format!(
                "a stored event is malformed: {}",
                &line[..line.len().min(80)]
            )
        };
        let rest = line.strip_prefix("[\"").ok_or_else(malformed)?;
        let (key, rest) = rest.split_once("\",").ok_or_else(malformed)?;
        let value = rest.strip_suffix(']').ok_or_else(malformed)?;
        let event = if let Some(request_id) = value.strip_prefix('"') {
            // The record before it, with this event's time and ids.
            let request_id = request_id.strip_suffix('"').ok_or_else(malformed)?;
            let (time, event_id) = key_parts(key).ok_or_else(malformed)?;
            let before = &out.last().ok_or_else(malformed)?.1;
            let b = varying_spans(&before.cloud_trail_event).ok_or_else(malformed)?;
            let t = &before.cloud_trail_event;
            let record_text = format!(
                "{}\"{}\"{}\"{request_id}\"{}\"{event_id}\"{}",
                &t[..b[0].0],
                trail::event_time(time),
                &t[b[0].1..b[1].0],
                &t[b[1].1..b[2].0],
                &t[b[2].1..],
            );
            StoredEvent {
                event_id: event_id.to_string(),
                event_time: time,
                cloud_trail_event: record_text,
                ..before.clone()
            }
        } else {
            let record: Value =
                serde_json::from_str(value).map_err(|e| format!("a stored event: {e}"))?;
            let mut event = StoredEvent::from_record(&record);
            // The text as recorded, byte for byte.
            event.cloud_trail_event = value.to_string();
            event
        };
        out.push((key.to_string(), event));
    }
    Ok(out)
}

fn is_closed(db: &IdbDatabase) -> bool {
    js_sys::Reflect::get(db, &"kmsSandboxClosed".into()).is_ok_and(|v| v.is_truthy())
}

/// How many events a page of [`EventPages`] holds (about a stored chunk).
const EXPORT_PAGE: u32 = 1_000;

/// The event history a page at a time ([`Trail::pages`]): the stored chunks as they were when it
/// began, newest first, then the events that waited in memory (for an in-memory sandbox, every
/// event). An event written while it runs may come twice: an import drops repeats. A backup of
/// 100,000 events held them all at once, about 100 MB of wasm memory.
pub(crate) struct EventPages {
    db: Option<IdbDatabase>,
    /// The oldest chunk read so far: the next page is of the chunks before it.
    before: Option<String>,
    stored_done: bool,
    waiting: VecDeque<Rc<Entry>>,
}

impl EventPages {
    /// The next page of `(key, record text)`, or `None` once every event was given.
    pub async fn next(&mut self) -> Result<Option<Vec<(String, String)>>, KmsError> {
        let read_failed = |e: String| {
            KmsError::internal(format!("The sandbox could not read its event history: {e}"))
        };
        while let (false, Some(db)) = (self.stored_done, &self.db) {
            let read = store::read_events(db, self.before.as_deref(), EXPORT_PAGE)
                .await
                .map_err(read_failed)?;
            self.stored_done = read.done || read.chunks.is_empty();
            let mut page = Vec::new();
            // Newest first: the last is the oldest.
            for (key, text) in read.chunks {
                page.extend(
                    decode_lines(&text)
                        .map_err(read_failed)?
                        .into_iter()
                        .map(|(key, e)| (key, e.cloud_trail_event)),
                );
                self.before = Some(key);
            }
            if !page.is_empty() {
                return Ok(Some(page));
            }
        }
        if self.waiting.is_empty() {
            return Ok(None);
        }
        let n = self.waiting.len().min(EXPORT_PAGE as usize);
        Ok(Some(
            self.waiting
                .drain(..n)
                .map(|e| (e.key.clone(), e.event().cloud_trail_event.clone()))
                .collect(),
        ))
    }
}

/// CloudTrail's retention rule on events in key order: none older than the window, at most
/// `cap` ([`MAX_EVENTS`]).
fn retain(queue: &mut VecDeque<Rc<Entry>>, now: i64, cap: usize) {
    let cutoff = now - RETENTION_DAYS * MILLIS_PER_DAY;
    while queue
        .front()
        .is_some_and(|e| e.event.event_time() < cutoff || queue.len() > cap)
    {
        queue.pop_front();
    }
}

impl Drop for State {
    fn drop(&mut self) {
        if let Some(timer) = self.timer.take() {
            unschedule(&timer);
        }
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
