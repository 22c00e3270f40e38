//! A key's "Recent events" tab: the newest events of the event history that name the key
//! (LookupEvents by ResourceName = the key's ARN), linking to the whole history filtered to it.

use crate::components::{ApiPanel, ErrorAlert, EventRecordDialog, Spinner};
use crate::hooks::{use_kms, use_loader, Load};
use crate::kms::Request;
use crate::model::KeyMetadata;
use crate::trail::{events_href, Lookup, TrailEvent};
use crate::util;
use yew::prelude::*;

/// How many events the tab shows.
const RECENT: u32 = 20;

#[derive(Properties, PartialEq)]
pub struct KeyEventsProps {
    pub meta: KeyMetadata,
}

#[function_component]
pub fn KeyEventsTab(p: &KeyEventsProps) -> Html {
    let kms = use_kms();
    let lookup = Lookup {
        attribute: Some(("ResourceName".into(), p.meta.arn.clone())),
        ..Lookup::default()
    };
    let (events, reload) = use_loader((kms.clone(), lookup.clone()), |(kms, l)| async move {
        kms.lookup_events(l.request(RECENT, None)).await
    });
    let open_event = use_state(|| None::<TrailEvent>);
    let body = match &*events {
        Load::Loading => html! { <Spinner label="Looking up events" /> },
        Load::Failed(e) => html! { <ErrorAlert error={e.clone()} /> },
        Load::Ready((list, _)) if list.is_empty() => {
            html! { <p class="muted">{"No events name this key in the last 90 days."}</p> }
        }
        Load::Ready((list, _)) => html! {
            <div class="table-scroll">
                <table class="table compact" data-testid="key-events">
                    <thead><tr>
                        <th scope="col">{"Event time"}</th><th scope="col">{"Event name"}</th>
                        <th scope="col">{"User name"}</th><th scope="col">{"Error code"}</th>
                    </tr></thead>
                    <tbody>
                        { for list.iter().map(|e| {
                            let open = { let (o, e) = (open_event.clone(), e.clone()); Callback::from(move |_| o.set(Some(e.clone()))) };
                            html! {
                                <tr key={e.event_id.clone()} data-event-name={e.event_name.clone()}>
                                    <td class="nowrap">{ util::format_date(e.event_time) }</td>
                                    <td><button class="link-button" onclick={open}>{ &e.event_name }</button></td>
                                    <td>{ e.user_name() }</td>
                                    <td>{ e.error_code().map(|c| html! { <span class="error-code">{ c }</span> }).unwrap_or_else(|| html! { "-" }) }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            </div>
        },
    };
    html! {
        <div class="panel">
            <div class="panel-header">
                <h2>{"Recent events"}</h2>
                <div class="panel-actions">
                    <button class="btn" onclick={reload.reform(|_| ())}>{"Refresh"}</button>
                    <a class="btn" href={events_href(&lookup)} data-testid="key-events-link">{"View all in Event history"}</a>
                </div>
            </div>
            <div class="panel-body">
                <p class="hint">{ format!("The {RECENT} newest CloudTrail events whose resources include this key: calls that used or changed it, and what KMS did to it on its own.") }</p>
                { body }
                <ApiPanel requests={vec![Request { operation: "LookupEvents", body: lookup.request(RECENT, None) }]} />
            </div>
            if let Some(e) = &*open_event {
                <EventRecordDialog event={e.clone()} on_close={ let o = open_event.clone(); Callback::from(move |_| o.set(None)) } />
            }
        </div>
    }
}
