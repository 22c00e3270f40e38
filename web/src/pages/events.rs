//! CloudTrail's "Event history": the sandbox's events in the selected Region, newest first,
//! filtered by one lookup attribute and a time range, 50 at a time (LookupEvents).

use super::breadcrumbs;
use crate::components::{ApiPanel, ErrorAlert, EventRecordDialog, Spinner};
use crate::hooks::{use_kms, RemoteChanges};
use crate::kms::{ApiError, Request};
use crate::trail::{download_json, Lookup, TrailEvent, LOOKUP_ATTRIBUTES, MAX_RESULTS};
use crate::util;
use yew::prelude::*;
use yew_router::prelude::*;

/// The events shown so far and the token of the next page.
#[derive(Clone, PartialEq, Default)]
struct Shown {
    events: Vec<TrailEvent>,
    next: Option<String>,
}

/// `2026-11-30T01:23` (a datetime-local input, read as UTC) as epoch seconds.
fn parse_utc_input(text: &str) -> Option<f64> {
    if text.is_empty() {
        return None;
    }
    let ms = js_sys::Date::parse(&format!("{text}:00Z"));
    (!ms.is_nan()).then_some(ms / 1000.0)
}

/// Epoch seconds as a datetime-local input's value (UTC).
fn utc_input(secs: f64) -> String {
    let iso: String = js_sys::Date::new(&(secs * 1000.0).into())
        .to_iso_string()
        .into();
    iso.get(..16).unwrap_or_default().to_string()
}

#[function_component]
pub fn EventsPage() -> Html {
    let kms = use_kms();
    let navigator = use_navigator().expect("router");
    // The lookup lives in the URL, so that links (a key's events) and reloads keep it.
    let query = use_location()
        .map(|l| l.query_str().to_string())
        .unwrap_or_default();
    let lookup = Lookup::from_query(&query);

    let shown = use_state(|| None::<Result<Shown, ApiError>>);
    let loading_more = use_state(|| false);
    let more_error = use_state(|| None::<ApiError>);
    let open_event = use_state(|| None::<TrailEvent>);
    let tick = use_state(|| 0u32);
    {
        let (shown, more_error) = (shown.clone(), more_error.clone());
        use_effect_with(
            (kms.clone(), lookup.clone(), *tick),
            move |(kms, lookup, _)| {
                shown.set(None);
                more_error.set(None);
                let (kms, lookup) = (kms.clone(), lookup.clone());
                wasm_bindgen_futures::spawn_local(async move {
                    let page = kms
                        .lookup_events(lookup.request(MAX_RESULTS, None))
                        .await
                        .map(|(events, next)| Shown { events, next });
                    shown.set(Some(page));
                });
            },
        );
    }
    // A change to the sandbox (another page, tab, the terminal or `window.kms`) shows its
    // events: the first page is read again, kept on screen meanwhile. Not once more pages are
    // loaded, so that a reader's place is not lost.
    let remote = use_context::<RemoteChanges>().map_or(0, |r| r.0);
    {
        let (kms, lookup, shown) = (kms.clone(), lookup.clone(), shown.clone());
        let first = use_mut_ref(|| true);
        use_effect_with(remote, move |_| {
            if std::mem::replace(&mut *first.borrow_mut(), false) {
                return;
            }
            let on_first_page = match &*shown {
                Some(Ok(s)) => s.events.len() <= MAX_RESULTS as usize,
                _ => false,
            };
            if on_first_page {
                wasm_bindgen_futures::spawn_local(async move {
                    if let Ok((events, next)) =
                        kms.lookup_events(lookup.request(MAX_RESULTS, None)).await
                    {
                        shown.set(Some(Ok(Shown { events, next })));
                    }
                });
            }
        });
    }

    let on_apply = {
        let navigator = navigator.clone();
        Callback::from(move |l: Lookup| push_lookup(&navigator, &l))
    };
    let refresh = {
        let tick = tick.clone();
        Callback::from(move |_| tick.set(*tick + 1))
    };
    let load_more = {
        let captured = (
            kms.clone(),
            lookup.clone(),
            shown.clone(),
            loading_more.clone(),
            more_error.clone(),
        );
        Callback::from(move |_| {
            let (kms, lookup, shown, loading_more, more_error) = captured.clone();
            let Some(Ok(current)) = (*shown).clone() else {
                return;
            };
            let Some(token) = current.next.clone() else {
                return;
            };
            loading_more.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                match kms
                    .lookup_events(lookup.request(MAX_RESULTS, Some(&token)))
                    .await
                {
                    Ok((events, next)) => {
                        let mut all = current.events;
                        all.extend(events);
                        shown.set(Some(Ok(Shown { events: all, next })));
                        more_error.set(None);
                    }
                    Err(e) => more_error.set(Some(e)),
                }
                loading_more.set(false);
            });
        })
    };
    let download = {
        let shown = shown.clone();
        Callback::from(move |_| {
            if let Some(Ok(s)) = &*shown {
                util::download(
                    "event_history.json",
                    download_json(&s.events).as_bytes(),
                    "application/json",
                );
            }
        })
    };

    let events = match &*shown {
        Some(Ok(s)) => Some(s),
        _ => None,
    };
    let count = events.map(|s| s.events.len()).unwrap_or(0);
    let request = Request {
        operation: "LookupEvents",
        body: lookup.request(MAX_RESULTS, None),
    };
    html! {
        <div class="page events-page">
            { breadcrumbs(&[("Event history", None)]) }
            <h1>{"Event history"}</h1>
            <p class="lead">{ format!("CloudTrail's record of the last 90 days of this sandbox's management events in {}: \
                every request, answered or refused, and what KMS did on its own. Times are the sandbox clock's.", kms.region()) }</p>
            <div class="panel table-panel">
                <div class="panel-header">
                    <h2>{"Events "}<span class="count">{ format!("({count}{})", if events.is_some_and(|s| s.next.is_some()) { "+" } else { "" }) }</span></h2>
                    <div class="panel-actions">
                        <button class="btn" onclick={refresh} aria-label="Refresh events">{"Refresh"}</button>
                        <button class="btn" onclick={download} disabled={count == 0} data-testid="download-events">{"Download events"}</button>
                    </div>
                </div>
                <EventFilter lookup={lookup.clone()} {on_apply} />
                { match &*shown {
                    None => html! { <Spinner label="Looking up events" /> },
                    Some(Err(e)) => html! { <div class="panel-body"><ErrorAlert error={e.clone()} /></div> },
                    Some(Ok(s)) => html! {
                        <EventTable events={s.events.clone()} on_open={ let o = open_event.clone(); Callback::from(move |e| o.set(Some(e))) } />
                    },
                } }
                if let Some(s) = events {
                    if s.next.is_some() {
                        <div class="load-more">
                            <button class="btn" onclick={load_more} disabled={*loading_more}>
                                { if *loading_more { "Loading..." } else { "Load more events" } }
                            </button>
                        </div>
                    }
                }
                if let Some(e) = &*more_error { <div class="panel-body"><ErrorAlert error={e.clone()} /></div> }
                <ApiPanel requests={vec![request]} />
            </div>
            if let Some(e) = &*open_event {
                <EventRecordDialog event={e.clone()} on_close={ let o = open_event.clone(); Callback::from(move |_| o.set(None)) } />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct FilterProps {
    lookup: Lookup,
    on_apply: Callback<Lookup>,
}

/// The lookup attribute and time range form, filled from the shown lookup.
#[function_component]
fn EventFilter(p: &FilterProps) -> Html {
    let attr = use_state(|| "EventName".to_string());
    let value = use_state(String::new);
    let start = use_state(String::new);
    let end = use_state(String::new);
    {
        let (attr, value, start, end) = (attr.clone(), value.clone(), start.clone(), end.clone());
        use_effect_with(p.lookup.clone(), move |l| {
            if let Some((a, v)) = &l.attribute {
                attr.set(a.clone());
                value.set(v.clone());
            } else {
                value.set(String::new());
            }
            start.set(l.start.map(utc_input).unwrap_or_default());
            end.set(l.end.map(utc_input).unwrap_or_default());
        });
    }
    let apply = {
        let (on_apply, attr, value, start, end) = (
            p.on_apply.clone(),
            attr.clone(),
            value.clone(),
            start.clone(),
            end.clone(),
        );
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let v = value.trim().to_string();
            on_apply.emit(Lookup {
                attribute: (!v.is_empty()).then(|| ((*attr).clone(), v)),
                start: parse_utc_input(&start),
                end: parse_utc_input(&end),
            });
        })
    };
    let text = |state: &UseStateHandle<String>| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.set(util::input_value(&e)))
    };
    html! {
        <form class="event-filter" onsubmit={apply} aria-label="Filter events">
            <div class="field">
                <label for="lookup-attribute">{"Lookup attribute"}</label>
                <select id="lookup-attribute" onchange={ let a = attr.clone(); Callback::from(move |e: Event| a.set(util::select_value(&e))) }>
                    { for LOOKUP_ATTRIBUTES.iter().map(|(k, label)| html! {
                        <option value={*k} selected={*k == attr.as_str()}>{ *label }</option>
                    }) }
                </select>
            </div>
            <div class="field grow">
                <label for="lookup-value">{"Value"}</label>
                <input id="lookup-value" type="text" value={(*value).clone()} placeholder={lookup_placeholder(&attr)} oninput={text(&value)} />
            </div>
            <div class="field">
                <label for="lookup-start">{"Start time (UTC)"}</label>
                <input id="lookup-start" type="datetime-local" value={(*start).clone()} oninput={text(&start)} />
            </div>
            <div class="field">
                <label for="lookup-end">{"End time (UTC)"}</label>
                <input id="lookup-end" type="datetime-local" value={(*end).clone()} oninput={text(&end)} />
            </div>
            <div class="field buttons">
                <button type="submit" class="btn btn-primary">{"Apply filter"}</button>
                <button type="button" class="btn" onclick={p.on_apply.reform(|_| Lookup::default())}>{"Clear"}</button>
            </div>
        </form>
    }
}

fn push_lookup(navigator: &Navigator, lookup: &Lookup) {
    let query = lookup.to_query();
    if query.is_empty() {
        navigator.push(&crate::route::Route::Events);
    } else {
        // Already encoded by `Lookup::to_query`.
        let _ =
            navigator.push_with_query(&crate::route::Route::Events, yew_router::query::Raw(query));
    }
}

fn lookup_placeholder(attribute: &str) -> &'static str {
    match attribute {
        "EventName" => "CreateKey",
        "ReadOnly" => "true or false",
        "Username" => "root",
        "ResourceType" => "AWS::KMS::Key",
        "ResourceName" => "arn:aws:kms:...:key/...",
        "EventSource" => "kms.amazonaws.com",
        "AccessKeyId" => "AKIA...",
        _ => "",
    }
}

#[derive(Properties, PartialEq)]
struct EventTableProps {
    events: Vec<TrailEvent>,
    on_open: Callback<TrailEvent>,
}

/// The events, one row each, the event name opening its record.
#[function_component]
fn EventTable(p: &EventTableProps) -> Html {
    html! {
        <div class="table-scroll">
            <table class="table compact events" data-testid="events-table">
                <thead><tr>
                    <th scope="col">{"Event time"}</th><th scope="col">{"User name"}</th><th scope="col">{"Event name"}</th>
                    <th scope="col">{"Resource type"}</th><th scope="col">{"Resource name"}</th>
                    <th scope="col">{"Event source"}</th><th scope="col">{"Error code"}</th>
                </tr></thead>
                <tbody>
                    if p.events.is_empty() {
                        <tr><td colspan="7" class="empty"><strong>{"No events"}</strong>{"No events match this filter and time range."}</td></tr>
                    }
                    { for p.events.iter().map(|e| {
                        let open = { let (cb, e) = (p.on_open.clone(), e.clone()); Callback::from(move |_| cb.emit(e.clone())) };
                        html! {
                            <tr key={e.event_id.clone()} data-event-name={e.event_name.clone()} class={classes!(e.is_service_event().then_some("service-event"))}>
                                <td class="nowrap">{ util::format_date(e.event_time) }</td>
                                <td>{ e.user_name() }</td>
                                <td><button class="link-button" onclick={open}>{ &e.event_name }</button></td>
                                <td>{ for e.resources.iter().map(|(t, _)| html! { <div>{ t }</div> }) }</td>
                                <td class="mono small resource-name">{ for e.resources.iter().map(|(_, n)| html! { <div>{ n }</div> }) }</td>
                                <td>{ &e.event_source }</td>
                                <td>{ e.error_code().map(|c| html! { <span class="error-code">{ c }</span> }).unwrap_or_else(|| html! { "-" }) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}
