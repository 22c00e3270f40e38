//! "Bill": what AWS would charge for this sandbox in a month of sandbox time, per Region, from
//! what the sandbox recorded (`Sandbox::bill`, priced by kms_core's price table).

use super::breadcrumbs;
use crate::components::{ErrorAlert, Spinner};
use crate::hooks::{use_kms, use_loader, Load};
use crate::model::region_name;
use crate::pricing::{class_label, format_usd, month_name, thousands, usd_column};
use crate::route::Route;
use kms_web::types::bill::{month_of, Bill, DayCost, LineItem, LineKind};
use yew::prelude::*;
use yew_router::prelude::*;

/// Months the picker offers, the current one included.
const MONTHS_SHOWN: u32 = 13;

fn months_back(from: (i64, u32), n: u32) -> Vec<(i64, u32)> {
    let (mut y, mut m) = from;
    let mut out = Vec::new();
    for _ in 0..n {
        out.push((y, m));
        if m == 1 {
            y -= 1;
            m = 12;
        } else {
            m -= 1;
        }
    }
    out
}

#[function_component]
pub fn BillPage() -> Html {
    let kms = use_kms();
    let current = month_of(kms.now());
    let picked = use_state(|| None::<(i64, u32)>);
    let month = picked.unwrap_or(current);
    let (bill, _) = use_loader((kms.clone(), month), |(kms, (y, m))| async move {
        kms.bill(Some(y), Some(m)).await
    });
    let onchange = {
        let picked = picked.clone();
        Callback::from(move |e: Event| {
            let v = crate::util::select_value(&e);
            if let Some((y, m)) = v.split_once('-') {
                if let (Ok(y), Ok(m)) = (y.parse(), m.parse()) {
                    picked.set(Some((y, m)));
                }
            }
        })
    };
    html! {
        <div class="page bill-page">
            { breadcrumbs(&[("Bill", None)]) }
            <div class="page-header">
                <h1>{"Bill"}</h1>
                <div class="field month-picker">
                    <label for="bill-month">{"Billing period"}</label>
                    <select id="bill-month" {onchange} data-testid="bill-month">
                        { for months_back(current, MONTHS_SHOWN).into_iter().map(|(y, m)| html! {
                            <option value={format!("{y}-{m}")} selected={(y, m) == month}>
                                { format!("{}{}", month_name(y, m), if (y, m) == current { " (current)" } else { "" }) }
                            </option>
                        }) }
                    </select>
                </div>
            </div>
            <p class="lead">{"What AWS would charge for this sandbox's keys and requests, by Region, from what the sandbox recorded, \
                with the prices of the "}<Link<Route> to={Route::Pricing}>{"pricing calculator"}</Link<Route>>
                {". Months are months of sandbox time; the sandbox itself is free."}</p>
            { match &*bill {
                Load::Loading => html! { <Spinner label="Computing the bill" /> },
                Load::Failed(e) => html! { <ErrorAlert error={e.clone()} /> },
                Load::Ready(b) => html! { <BillView bill={b.clone()} current={month == current} /> },
            } }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct BillViewProps {
    bill: Bill,
    current: bool,
}

#[function_component]
fn BillView(p: &BillViewProps) -> Html {
    let b = &p.bill;
    let until = js_sys::Date::new(&(b.until as f64).into())
        .to_iso_string()
        .as_string()
        .unwrap_or_default();
    let free_pct = b.free_requests_used as f64 * 100.0 / b.free_requests.max(1) as f64;
    // One precision for every Region's table, so that their amounts read alike.
    let usd = usd_column(
        b.regions
            .iter()
            .flat_map(|r| r.line_items.iter().map(|l| l.usd).chain([r.usd])),
    );
    html! {
        <>
            <div class="panel bill-summary" data-testid="bill-summary">
                <div class="panel-header"><h2>{ format!("{} summary", month_name(b.year, b.month)) }</h2></div>
                <div class="panel-body grid-3">
                    <div class="kv"><div class="kv-key">{"Total"}</div>
                        <div class="kv-value bill-total" data-testid="bill-month-total">{ format_usd(b.usd) }</div></div>
                    <div class="kv"><div class="kv-key">{ if p.current { "Billed up to (sandbox time)" } else { "Period" } }</div>
                        <div class="kv-value">{ if p.current { until.get(..16).unwrap_or_default().replace('T', " ") + " UTC" } else { "Whole month".into() } }</div></div>
                    <div class="kv"><div class="kv-key">{"Free tier used"}</div>
                        <div class="kv-value" data-testid="bill-free-tier">
                            { format!("{} of {} requests", thousands(b.free_requests_used), thousands(b.free_requests)) }
                            <div class="meter" role="meter" aria-label="Free tier used" aria-valuemin="0" aria-valuemax={b.free_requests.to_string()}
                                aria-valuenow={b.free_requests_used.to_string()}>
                                // An SVG attribute, not a style attribute: the page's CSP refuses inline styles.
                                <svg class="meter-bar" viewBox="0 0 100 1" preserveAspectRatio="none" aria-hidden="true">
                                    <rect width={format!("{free_pct:.1}")} height="1" />
                                </svg></div>
                        </div></div>
                </div>
            </div>
            <DailyChart daily={b.daily.clone()} />
            if b.regions.is_empty() {
                <div class="panel"><div class="panel-body"><p class="muted">{"No charges and no usage in this month."}</p></div></div>
            }
            { for b.regions.iter().map(|r| {
                let usd = &usd;
                html! {
                <div class="panel" data-testid="bill-region" data-region={r.region.clone()}>
                    <div class="panel-header">
                        <h2>{ format!("{} ({})", region_name(&r.region), r.region) }</h2>
                        <span class="bill-region-total">{ usd(r.usd) }</span>
                    </div>
                    <div class="table-scroll"><table class="table compact bill-lines">
                        <thead><tr><th scope="col">{"Item"}</th><th scope="col" class="num">{"Quantity"}</th>
                            <th scope="col" class="num">{"Free tier"}</th><th scope="col" class="num">{"Amount"}</th></tr></thead>
                        <tbody>
                            { for r.line_items.iter().map(|l| line_row(l, usd)) }
                        </tbody>
                        <tfoot><tr><th scope="row">{"Region total"}</th><td></td><td></td><td class="num">{ usd(r.usd) }</td></tr></tfoot>
                    </table></div>
                </div>
            }}) }
            <p class="hint">{"Customer managed keys are billed by the hour they exist, except while pending deletion; AWS managed keys are free. \
                A key's first two rotations each add $1.00 a month. The 20,000 free requests a month cover symmetric requests only. \
                An estimate before tax, as AWS would compute it."}</p>
        </>
    }
}

fn line_row(l: &LineItem, usd: &impl Fn(f64) -> String) -> Html {
    let (item, quantity) = match l.kind {
        LineKind::Keys => (
            "Customer managed keys".to_string(),
            format!("{:.4} key-months", l.quantity),
        ),
        LineKind::Rotations => (
            "Key rotations (first two per key)".to_string(),
            format!("{:.4} rotation-months", l.quantity),
        ),
        LineKind::Requests => (
            l.price_class
                .map(class_label)
                .unwrap_or("Requests")
                .to_string(),
            {
                let n = l.quantity.round() as u64;
                format!("{} request{}", thousands(n), if n == 1 { "" } else { "s" })
            },
        ),
    };
    let free = if l.kind == LineKind::Requests && l.free > 0.0 {
        thousands(l.free.round() as u64)
    } else {
        "-".to_string()
    };
    html! {
        <tr data-testid="bill-line" data-kind={format!("{:?}", l.kind)}>
            <td>{ item }<div class="hint">{ &l.description }</div></td>
            <td class="num">{ quantity }</td>
            <td class="num">{ free }</td>
            <td class="num">{ usd(l.usd) }</td>
        </tr>
    }
}

#[derive(Properties, PartialEq)]
struct ChartProps {
    daily: Vec<DayCost>,
}

/// Cost per day as bars, with the numbers in words for screen readers.
#[function_component]
fn DailyChart(p: &ChartProps) -> Html {
    const BAR: f64 = 20.0;
    const HEIGHT: f64 = 120.0;
    let max = p.daily.iter().map(|d| d.usd).fold(0.0, f64::max);
    let day_usd = usd_column(p.daily.iter().map(|d| d.usd));
    let width = (p.daily.len().max(1) as f64) * BAR;
    let peak = p
        .daily
        .iter()
        .max_by(|a, b| a.usd.total_cmp(&b.usd))
        .filter(|d| d.usd > 0.0);
    let summary = match peak {
        Some(d) => format!(
            "Cost per day over {} days; the highest is {} on {}.",
            p.daily.len(),
            format_usd(d.usd),
            d.date
        ),
        None => format!("Cost per day over {} days: nothing charged.", p.daily.len()),
    };
    html! {
        <div class="panel" data-testid="bill-chart">
            <div class="panel-header"><h2>{"Cost per day"}</h2></div>
            <div class="panel-body">
                <p class="hint" id="bill-chart-summary">{ &summary }</p>
                <svg class="bill-chart" viewBox={format!("0 0 {width} {}", HEIGHT + 16.0)} role="img" aria-labelledby="bill-chart-summary">
                    { for p.daily.iter().enumerate().map(|(i, d)| {
                        let h = if max > 0.0 { (d.usd / max * HEIGHT).max(if d.usd > 0.0 { 1.0 } else { 0.0 }) } else { 0.0 };
                        let x = i as f64 * BAR;
                        html! {
                            <g>
                                <rect x={format!("{}", x + 2.0)} y={format!("{}", HEIGHT - h)} width={format!("{}", BAR - 4.0)} height={format!("{h}")} class="bar">
                                    <title>{ format!("{}: {}", d.date, day_usd(d.usd)) }</title>
                                </rect>
                                // Every day of a short period, else every fifth: a lone bar
                                // needs its own date under it, not its neighbour's.
                                if p.daily.len() <= 10 || i % 5 == 0 {
                                    <text x={format!("{}", x + 2.0)} y={format!("{}", HEIGHT + 13.0)} class="bar-label">{ d.date.get(8..10).unwrap_or_default().to_string() }</text>
                                }
                            </g>
                        }
                    }) }
                    <line x1="0" y1={HEIGHT.to_string()} x2={width.to_string()} y2={HEIGHT.to_string()} class="axis" />
                </svg>
                <details class="bill-days">
                    <summary>{"Cost per day as a table"}</summary>
                    <table class="table compact">
                        <thead><tr><th scope="col">{"Day"}</th><th scope="col" class="num">{"Cost"}</th></tr></thead>
                        <tbody>{ for p.daily.iter().map(|d| html! { <tr><td>{ &d.date }</td><td class="num">{ day_usd(d.usd) }</td></tr> }) }</tbody>
                    </table>
                </details>
            </div>
        </div>
    }
}
