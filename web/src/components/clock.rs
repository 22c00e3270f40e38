//! The sandbox clock in the header: the sandbox's time, how far ahead of real time it is, and a
//! dialog that moves it forward and lists what KMS did meanwhile (its AwsServiceEvent events:
//! keys deleted, keys rotated).

use super::{ErrorAlert, Modal};
use crate::kms::{ApiError, Kms};
use crate::trail::{ahead_label, events_href, short_utc, Lookup, TrailEvent, ADVANCES};
use crate::util;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// What the header's clock needs from the app: the console's KMS (once the sandbox is open) and
/// how to tell every page that time moved (they reload: deleted keys disappear).
#[derive(Clone, PartialEq)]
pub struct ClockControl {
    pub kms: Option<Kms>,
    pub advanced: Callback<()>,
}

fn iso(ms: i64) -> String {
    js_sys::Date::new(&(ms as f64).into())
        .to_iso_string()
        .into()
}

#[function_component]
pub fn SandboxClock() -> Html {
    let control = use_context::<ClockControl>();
    let open = use_state(|| false);
    // The shown minute follows real time too.
    let redraw = use_force_update();
    use_effect_with((), move |_| {
        let tick = Closure::<dyn Fn()>::new(move || redraw.force_update());
        let id = util::window()
            .set_interval_with_callback_and_timeout_and_arguments_0(
                tick.as_ref().unchecked_ref(),
                20_000,
            )
            .ok();
        move || {
            if let Some(id) = id {
                util::window().clear_interval_with_handle(id);
            }
            drop(tick);
        }
    });
    let Some(ClockControl {
        kms: Some(kms),
        advanced,
    }) = control
    else {
        return html! {};
    };
    let now = kms.now();
    let ahead = ahead_label(now - js_sys::Date::now() as i64);
    let toggle = {
        let open = open.clone();
        Callback::from(move |_| open.set(!*open))
    };
    html! {
        <div class="sandbox-clock">
            <button type="button" class={classes!("clock-button", ahead.is_some().then_some("ahead"))}
                aria-haspopup="dialog" aria-expanded={open.to_string()} onclick={toggle} data-testid="sandbox-clock"
                title="The sandbox's clock: advance it to see what KMS does over time">
                // On narrow screens only the time of day shows; the rest stays in the accessible name.
                <span class="clock-label">{"Sandbox time: "}</span>
                <strong data-testid="sandbox-time">{ match short_utc(&iso(now)).split_once(' ') {
                    Some((date, time)) => html! { <><span class="clock-day">{ format!("{date} ") }</span>{ time.to_string() }</> },
                    None => html! { short_utc(&iso(now)) },
                } }</strong>
                if let Some(a) = &ahead { <span class="clock-ahead">{ format!(" ({a})") }</span> }
            </button>
            if *open {
                <ClockDialog kms={kms.clone()} {advanced} on_close={ let o = open.clone(); Callback::from(move |_| o.set(false)) } />
            }
        </div>
    }
}

/// What advancing the clock did: KMS's own events between the old and the new time.
#[derive(Clone, PartialEq)]
struct Happened {
    from: i64,
    to: i64,
    /// (Region, event), oldest first.
    events: Vec<(String, TrailEvent)>,
}

#[derive(Properties, PartialEq)]
struct DialogProps {
    kms: Kms,
    advanced: Callback<()>,
    on_close: Callback<()>,
}

#[function_component]
fn ClockDialog(p: &DialogProps) -> Html {
    let busy = use_state(|| false);
    let error = use_state(|| None::<ApiError>);
    let happened = use_state(|| None::<Happened>);
    let date = use_state(String::new);
    let now = p.kms.now();

    let advance = {
        let (kms, advanced, busy, error, happened) = (
            p.kms.clone(),
            p.advanced.clone(),
            busy.clone(),
            error.clone(),
            happened.clone(),
        );
        Callback::from(move |seconds: f64| {
            // The buttons stay enabled (a disabled button would drop the keyboard focus out of
            // the dialog); a click while advancing is ignored.
            if *busy {
                return;
            }
            let (kms, advanced, busy, error, happened) = (
                kms.clone(),
                advanced.clone(),
                busy.clone(),
                error.clone(),
                happened.clone(),
            );
            busy.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                let from = kms.now();
                let result = match kms.advance_clock(seconds).await {
                    Ok(to) => service_events(&kms, from, to).await.map(|events| Happened {
                        from,
                        to,
                        events,
                    }),
                    Err(e) => Err(e),
                };
                match result {
                    Ok(h) => {
                        happened.set(Some(h));
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
                advanced.emit(());
            });
        })
    };
    let to_date = {
        let (advance, date, error) = (advance.clone(), date.clone(), error.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let target = js_sys::Date::parse(&format!("{}T00:00:00Z", *date));
            let seconds = (target - now as f64) / 1000.0;
            if target.is_nan() || seconds <= 0.0 {
                error.set(Some(ApiError::local(
                    "ValidationException",
                    "Choose a date after the sandbox's current time: the clock only moves forward.",
                )));
                return;
            }
            advance.emit(seconds);
        })
    };
    // The first date the picker offers: the sandbox's tomorrow.
    let min_date = iso(now + 86_400_000)
        .get(..10)
        .unwrap_or_default()
        .to_string();
    let footer = html! { <button class="btn btn-primary" onclick={p.on_close.reform(|_| ())}>{"Close"}</button> };
    html! {
        <Modal title="Sandbox clock" on_close={p.on_close.clone()} {footer}>
            <p>{"Sandbox time: "}<strong data-testid="clock-now">{ short_utc(&iso(now)) }</strong>
                { ahead_label(now - js_sys::Date::now() as i64).map(|a| format!(" ({a} of real time)")).unwrap_or_else(|| " (real time)".into()) }</p>
            <p class="hint">{"Move the sandbox's time forward to see what AWS KMS does over time: keys pending deletion are deleted when their \
                waiting period ends, keys with automatic rotation rotate. Time only moves forward."}</p>
            <div class="button-row clock-advances" role="group" aria-label="Advance the clock">
                { for ADVANCES.iter().map(|(label, secs)| {
                    let advance = advance.clone();
                    let secs = *secs;
                    html! { <button class="btn" onclick={Callback::from(move |_| advance.emit(secs))}>{ *label }</button> }
                }) }
            </div>
            <form class="clock-date" onsubmit={to_date}>
                <label for="clock-date">{"To a date (UTC midnight)"}</label>
                <input id="clock-date" type="date" min={min_date} value={(*date).clone()}
                    oninput={ let d = date.clone(); Callback::from(move |e: InputEvent| d.set(util::input_value(&e))) } />
                <button type="submit" class="btn" disabled={date.is_empty()}>{"Advance to date"}</button>
            </form>
            if *busy { <p role="status" class="hint">{"Advancing the clock..."}</p> }
            if let Some(e) = &*error { <ErrorAlert error={e.clone()} /> }
            if let Some(h) = &*happened {
                <WhatHappened happened={h.clone()} on_close={p.on_close.clone()} />
            }
        </Modal>
    }
}

/// KMS's own events between `from` and `to` (ms) in every Region the sandbox uses, oldest first,
/// each with its Region.
async fn service_events(
    kms: &Kms,
    from: i64,
    to: i64,
) -> Result<Vec<(String, TrailEvent)>, ApiError> {
    let lookup = Lookup {
        attribute: None,
        start: Some(from as f64 / 1000.0),
        end: Some(to as f64 / 1000.0),
    };
    let mut out = Vec::new();
    for region in kms.regions_in_use() {
        let mut token: Option<String> = None;
        // A handful of pages per Region: the list is a summary, the event history has the rest.
        for _ in 0..10 {
            let (events, next) = kms
                .lookup_events_in(
                    &region,
                    lookup.request(crate::trail::MAX_RESULTS, token.as_deref()),
                )
                .await?;
            out.extend(
                events
                    .into_iter()
                    .filter(TrailEvent::is_service_event)
                    .map(|e| (region.clone(), e)),
            );
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    out.sort_by(|a, b| a.1.event_time.total_cmp(&b.1.event_time));
    Ok(out)
}

#[derive(Properties, PartialEq)]
struct HappenedProps {
    happened: Happened,
    on_close: Callback<()>,
}

#[function_component]
fn WhatHappened(p: &HappenedProps) -> Html {
    let h = &p.happened;
    let href = events_href(&Lookup {
        attribute: None,
        start: Some((h.from / 1000) as f64),
        end: Some((h.to / 1000 + 60) as f64),
    });
    html! {
        <section class="what-happened" aria-live="polite" data-testid="what-happened">
            <h3>{ format!("What happened from {} to {}", short_utc(&iso(h.from)), short_utc(&iso(h.to))) }</h3>
            if h.events.is_empty() {
                <p class="muted">{"Nothing: no key was due for deletion, rotation or material expiry in any Region."}</p>
            } else {
                <ul class="happened-list">
                    { for h.events.iter().map(|(region, e)| html! {
                        <li data-event-name={e.event_name.clone()} data-region={region.clone()}>
                            <span class="mono small">{ short_utc(&iso((e.event_time * 1000.0) as i64)) }</span>
                            {" "}<strong>{ &e.event_name }</strong>{" "}
                            <span class="mono small">{ e.resources.first().map(|(_, n)| n.rsplit('/').next().unwrap_or(n).to_string()).unwrap_or_default() }</span>
                            {" "}<span class="muted small">{ region }</span>
                        </li>
                    }) }
                </ul>
            }
            <a href={href} onclick={p.on_close.reform(|_| ())}>{"See these events in Event history (selected Region)"}</a>
        </section>
    }
}
