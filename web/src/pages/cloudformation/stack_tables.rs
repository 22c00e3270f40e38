//! The tables of a stack's Events, Resources, Outputs and Parameters tabs.

use super::{s, status, time};
use crate::route::Route;
use serde_json::Value;
use yew::prelude::*;
use yew_router::prelude::*;

/// The stack's events, newest first as DescribeStackEvents lists them.
pub(super) fn events_table(events: &[Value]) -> Html {
    html! {
        <div class="table-scroll">
            <table class="table" data-cfn-table="events">
                <thead><tr><th scope="col">{"Timestamp"}</th><th scope="col">{"Logical ID"}</th><th scope="col">{"Status"}</th><th scope="col">{"Status reason"}</th></tr></thead>
                <tbody>
                    { for events.iter().map(|e| html! {
                        <tr>
                            <td>{ time(e, "Timestamp") }</td>
                            <td>{ s(e, "LogicalResourceId") }</td>
                            <td>{ status(&s(e, "ResourceStatus")) }</td>
                            <td>{ s(e, "ResourceStatusReason") }</td>
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// A resource's physical ID links to the key it names (an alias's is its name: no link).
pub(super) fn resources_table(resources: &[Value]) -> Html {
    html! {
        <div class="table-scroll">
            <table class="table" data-cfn-table="resources">
                <thead><tr><th scope="col">{"Logical ID"}</th><th scope="col">{"Physical ID"}</th><th scope="col">{"Type"}</th><th scope="col">{"Status"}</th></tr></thead>
                <tbody>
                    { for resources.iter().map(|r| {
                        let physical = s(r, "PhysicalResourceId");
                        let ty = s(r, "ResourceType");
                        html! {
                            <tr data-logical-id={s(r, "LogicalResourceId")}>
                                <td>{ s(r, "LogicalResourceId") }</td>
                                <td class="mono small">{ if ty == "AWS::KMS::Alias" || physical.is_empty() {
                                    html! { &physical }
                                } else {
                                    html! { <Link<Route> to={Route::Key { id: physical.clone() }}>{ &physical }</Link<Route>> }
                                } }</td>
                                <td>{ ty }</td>
                                <td>{ status(&s(r, "ResourceStatus")) }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
        </div>
    }
}

/// Outputs or Parameters: key, value and, for outputs, the description.
pub(super) fn pairs_table(
    caption: &str,
    rows: &[Value],
    key: &str,
    value: &str,
    extra: Option<&str>,
) -> Html {
    if rows.is_empty() {
        return html! { <div class="panel-body empty"><strong>{ format!("No {}", caption.to_lowercase()) }</strong></div> };
    }
    html! {
        <div class="table-scroll">
            <table class="table" data-cfn-table={caption.to_lowercase()}>
                <thead><tr><th scope="col">{"Key"}</th><th scope="col">{"Value"}</th>
                    if extra.is_some() { <th scope="col">{"Description"}</th> }</tr></thead>
                <tbody>
                    { for rows.iter().map(|r| html! {
                        <tr>
                            <td>{ s(r, key) }</td>
                            <td class="mono small">{ s(r, value) }</td>
                            if let Some(x) = extra { <td>{ s(r, x) }</td> }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}
