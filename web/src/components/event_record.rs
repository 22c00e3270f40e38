//! One CloudTrail event's record, as the event history shows it on click: its JSON.

use super::{CopyButton, Modal};
use crate::trail::TrailEvent;
use crate::util;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct EventRecordProps {
    pub event: TrailEvent,
    pub on_close: Callback<()>,
}

#[function_component]
pub fn EventRecordDialog(p: &EventRecordProps) -> Html {
    let e = &p.event;
    let json = e.pretty_record();
    let footer = html! {
        <button class="btn btn-primary" onclick={p.on_close.reform(|_| ())}>{"Close"}</button>
    };
    html! {
        <Modal title={format!("{} event", e.event_name)} on_close={p.on_close.clone()} {footer} wide=true>
            <dl class="event-facts">
                <div><dt>{"Event time"}</dt><dd>{ util::format_date(e.event_time) }</dd></div>
                <div><dt>{"Event ID"}</dt><dd class="mono">{ &e.event_id }</dd></div>
                <div><dt>{"Event type"}</dt><dd>{ e.event_type() }</dd></div>
                <div><dt>{"User name"}</dt><dd>{ e.user_name() }</dd></div>
            </dl>
            <div class="panel-header-inline">
                <h3>{"Event record"}</h3>
                <CopyButton text={json.clone()} label="Copy event record" />
            </div>
            <pre class="code event-json" data-testid="event-json" tabindex="0" role="region" aria-label="Event record JSON">{ json }</pre>
        </Modal>
    }
}
