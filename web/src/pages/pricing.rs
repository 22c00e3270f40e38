//! The pricing calculator: inputs in, itemised monthly bill out (see [`crate::pricing`]).

use super::breadcrumbs;
use crate::components::{ErrorAlert, InfoAlert};
use crate::hooks::use_kms;
use crate::kms::ApiError;
use crate::pricing::{
    class_label, compute_bill, format_usd, input_from_bill, month_name, thousands, BillInput,
    KeyGroup, KeyKind, RequestClass, PRICES,
};
use crate::util;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
struct Row {
    /// Keys the table row, so Yew never reuses one row's inputs for another.
    id: u32,
    kind: KeyKind,
    count: String,
    hours: String,
    rotations: String,
}

impl Row {
    fn new(id: u32, kind: KeyKind, count: u32, rotations: u32) -> Row {
        Row {
            id,
            kind,
            count: count.to_string(),
            hours: "730".into(),
            rotations: rotations.to_string(),
        }
    }
}

/// Hours as an input shows them: up to 4 decimals, no trailing zeros.
fn trim_hours(h: f64) -> String {
    let s = format!("{h:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn parse_u32(s: &str) -> Option<u32> {
    s.trim().parse().ok()
}

#[function_component]
pub fn PricingPage() -> Html {
    let kms = use_kms();
    let rows = use_state(|| vec![Row::new(0, KeyKind::Symmetric, 1, 0)]);
    let next_id = use_mut_ref(|| 0u32);
    let fresh_id = move || {
        let mut n = next_id.borrow_mut();
        *n += 1;
        *n
    };
    let requests = use_state(|| {
        [
            String::from("0"),
            "0".into(),
            "0".into(),
            "0".into(),
            "0".into(),
        ]
    });
    let filling = use_state(|| false);
    let fill_note = use_state(|| None::<String>);
    let fill_error = use_state(|| None::<ApiError>);

    // Invalid numbers are flagged and left out of the bill rather than guessed.
    let mut invalid = false;
    let groups: Vec<KeyGroup> = rows
        .iter()
        .filter_map(|row| {
            let count = parse_u32(&row.count);
            let hours = row
                .hours
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|h| (0.0..=730.0).contains(h));
            let rotations = parse_u32(&row.rotations);
            match (count, hours, rotations) {
                (Some(count), Some(hours), Some(rotations_per_key)) => Some(KeyGroup {
                    kind: row.kind,
                    count,
                    hours,
                    rotations_per_key,
                }),
                _ => {
                    invalid = true;
                    None
                }
            }
        })
        .collect();
    let mut req_counts = [0u64; 5];
    for (i, s) in requests.iter().enumerate() {
        match s.trim().parse::<u64>() {
            Ok(n) => req_counts[i] = n,
            Err(_) => invalid = true,
        }
    }
    let bill = compute_bill(
        &PRICES,
        &BillInput {
            keys: groups,
            requests: req_counts,
        },
    );

    let set_row = |i: usize, f: fn(&mut Row, String)| {
        let rows = rows.clone();
        Callback::from(move |e: InputEvent| {
            let mut v = (*rows).clone();
            f(&mut v[i], util::input_value(&e));
            rows.set(v);
        })
    };
    let fill = {
        let fresh = fresh_id.clone();
        let (kms, rows, requests, filling, fill_note, fill_error) = (
            kms.clone(),
            rows.clone(),
            requests.clone(),
            filling.clone(),
            fill_note.clone(),
            fill_error.clone(),
        );
        Callback::from(move |_| {
            let fresh = fresh.clone();
            let (kms, rows, requests, filling, fill_note, fill_error) = (
                kms.clone(),
                rows.clone(),
                requests.clone(),
                filling.clone(),
                fill_note.clone(),
                fill_error.clone(),
            );
            filling.set(true);
            wasm_bindgen_futures::spawn_local(async move {
                // The same numbers as the Bill page: this month of sandbox time, every Region.
                match kms.bill(None, None).await {
                    Ok(bill) => {
                        let input = input_from_bill(&bill);
                        rows.set(
                            input
                                .keys
                                .iter()
                                .map(|g| Row {
                                    hours: trim_hours(g.hours),
                                    ..Row::new(fresh(), g.kind, g.count, g.rotations_per_key)
                                })
                                .collect(),
                        );
                        requests.set(input.requests.map(|n| n.to_string()));
                        fill_note.set(Some(format!(
                            "Filled from this sandbox's bill for {} so far ({} in all Regions): its key-months as keys of a \
                             730-hour month, its billed rotations, and its requests by price class. AWS managed keys and keys \
                             pending deletion are free and left out.",
                            month_name(bill.year, bill.month),
                            format_usd(bill.usd)
                        )));
                        fill_error.set(None);
                    }
                    Err(e) => fill_error.set(Some(e)),
                }
                filling.set(false);
            });
        })
    };

    let price_rows: Vec<(String, String, &str)> = {
        let mut v = vec![
            (
                "Customer managed KMS key (any key spec), per month, prorated by the hour"
                    .to_string(),
                format_usd(PRICES.key_usd_per_month),
                "-",
            ),
            (
                format!(
                    "Each of a key's first {} rotations, per month (later rotations are free)",
                    PRICES.billed_rotations_per_key
                ),
                format_usd(PRICES.rotation_usd_per_month),
                "-",
            ),
            (
                "AWS managed key, or a key pending deletion".to_string(),
                "$0.00".to_string(),
                "-",
            ),
        ];
        for class in RequestClass::ALL {
            let price = PRICES.request_price(class);
            v.push((
                format!("{}, per 10,000 requests", class_label(class)),
                format_usd(price.usd_per_10k),
                if price.free_tier { "Yes" } else { "No" },
            ));
        }
        v
    };

    html! {
        <div class="page pricing">
            { breadcrumbs(&[("Pricing calculator", None)]) }
            <h1>{"Pricing calculator"}</h1>
            <p class="lead">{ format!("Estimate the monthly AWS KMS bill for keys and requests in {} (Asia Pacific (Sydney)), \
                with the prices AWS publishes. The sandbox itself is free.", PRICES.region) }</p>
            <div class="panel">
                <div class="panel-header">
                    <h2>{"Keys"}</h2>
                    <button class="btn" onclick={fill} disabled={*filling}>{ if *filling { "Reading the bill..." } else { "Fill from this sandbox" } }</button>
                </div>
                <div class="panel-body">
                    if let Some(n) = &*fill_note { <InfoAlert>{ n }</InfoAlert> }
                    if let Some(e) = &*fill_error { <ErrorAlert error={e.clone()} /> }
                    <div class="table-scroll"><table class="table compact inputs" data-testid="key-inputs">
                        <thead><tr><th>{"Kind of key"}</th><th>{"Number of keys"}</th><th>{"Hours in the month"}</th><th>{"Rotations per key"}</th><th><span class="visually-hidden">{"Actions"}</span></th></tr></thead>
                        <tbody>
                            if rows.is_empty() { <tr><td colspan="5" class="muted">{"No keys. Add some, or fill from this sandbox."}</td></tr> }
                            { for rows.iter().enumerate().map(|(i, row)| {
                                let on_kind = { let rows = rows.clone(); Callback::from(move |e: Event| {
                                    let mut v = (*rows).clone();
                                    v[i].kind = KeyKind::from_id(&util::select_value(&e)).unwrap_or(KeyKind::Symmetric);
                                    rows.set(v);
                                }) };
                                let remove = { let rows = rows.clone(); Callback::from(move |_| { let mut v = (*rows).clone(); v.remove(i); rows.set(v); }) };
                                html! {
                                    <tr key={row.id} data-row={i.to_string()}>
                                        <td><select aria-label={format!("Kind of key, row {}", i + 1)} onchange={on_kind} name={format!("kind-{i}")}>
                                            { for KeyKind::ALL.iter().map(|k| html! { <option value={k.id()} selected={*k == row.kind}>{ k.label() }</option> }) }
                                        </select></td>
                                        <td><input type="number" min="0" value={row.count.clone()} name={format!("count-{i}")} aria-label={format!("Number of keys, row {}", i + 1)}
                                            aria-invalid={parse_u32(&row.count).is_none().to_string()} oninput={set_row(i, |r, v| r.count = v)} /></td>
                                        <td><input type="number" min="0" max="730" value={row.hours.clone()} name={format!("hours-{i}")} aria-label={format!("Hours in the month, row {}", i + 1)}
                                            oninput={set_row(i, |r, v| r.hours = v)} /></td>
                                        <td><input type="number" min="0" value={row.rotations.clone()} name={format!("rotations-{i}")} aria-label={format!("Rotations per key, row {}", i + 1)}
                                            oninput={set_row(i, |r, v| r.rotations = v)} /></td>
                                        <td class="num"><button class="btn btn-small" onclick={remove} aria-label={format!("Remove row {}", i + 1)}>{"Remove"}</button></td>
                                    </tr>
                                }
                            }) }
                        </tbody>
                    </table></div>
                    <div class="button-row">
                        <button class="btn" onclick={ let rows = rows.clone(); let fresh = fresh_id.clone(); Callback::from(move |_| { let mut v = (*rows).clone(); v.push(Row::new(fresh(), KeyKind::Symmetric, 1, 0)); rows.set(v); }) }>{"Add keys"}</button>
                    </div>
                    <p class="hint">{"Hours: how long the keys exist in the month (730 = the whole month). Rotations: only a key's first two rotations add to its monthly fee."}</p>
                </div>
            </div>
            <div class="grid-2">
                <div class="panel">
                    <div class="panel-header"><h2>{"Requests per month"}</h2></div>
                    <div class="panel-body">
                        { for RequestClass::ALL.iter().enumerate().map(|(i, class)| {
                            let requests2 = requests.clone();
                            let oninput = Callback::from(move |e: InputEvent| { let mut v = (*requests2).clone(); v[i] = util::input_value(&e); requests2.set(v); });
                            let price = PRICES.request_price(*class);
                            html! {
                                <div class="field inline-field">
                                    <label for={format!("requests-{i}")}>{ class_label(*class) }
                                        <span class="hint">{ format!(" - {} per 10,000{}", format_usd(price.usd_per_10k), if price.free_tier { "" } else { ", no free tier" }) }</span></label>
                                    <input id={format!("requests-{i}")} type="number" min="0" value={requests[i].clone()} {oninput}
                                        aria-invalid={requests[i].trim().parse::<u64>().is_err().to_string()} />
                                </div>
                            }
                        }) }
                    </div>
                </div>
                <div class="panel bill" data-testid="bill">
                    <div class="panel-header"><h2>{"Estimated monthly bill"}</h2></div>
                    <div class="panel-body">
                        if invalid { <div class="field-error">{"Some inputs are not valid numbers and are left out of the bill."}</div> }
                        <table class="table compact">
                            <thead><tr><th>{"Item"}</th><th class="num">{"Amount"}</th></tr></thead>
                            <tbody>
                                if bill.lines.is_empty() { <tr><td colspan="2" class="muted">{"Nothing to bill."}</td></tr> }
                                { for bill.lines.iter().map(|l| html! {
                                    <tr data-testid="bill-line"><td>{ &l.description }<div class="hint">{ &l.detail }</div></td><td class="num">{ format_usd(l.usd) }</td></tr>
                                }) }
                            </tbody>
                            <tfoot><tr><th>{"Total per month"}</th><th class="num" data-testid="bill-total">{ format_usd(bill.total_usd) }</th></tr></tfoot>
                        </table>
                        <p class="hint" data-testid="free-tier">{ format!("Free tier used: {} of {} requests (symmetric requests only; asymmetric and GenerateDataKeyPair requests are excluded).",
                            thousands(bill.free_requests_used), thousands(PRICES.free_requests_per_month)) }</p>
                        <p class="hint">{"An estimate before tax. AWS bills may differ."}</p>
                    </div>
                </div>
            </div>
            <div class="panel" data-testid="price-table">
                <div class="panel-header"><h2>{"Prices used"}</h2></div>
                <div class="panel-body">
                    <table class="table compact">
                        <thead><tr><th>{"Item"}</th><th class="num">{"Price (USD)"}</th><th>{"Free tier"}</th></tr></thead>
                        <tbody>
                            { for price_rows.iter().map(|(item, price, free)| html! {
                                <tr><td>{ item }</td><td class="num">{ price }</td><td>{ *free }</td></tr>
                            }) }
                        </tbody>
                    </table>
                    <p class="hint source">{ format!("Free tier: {} requests per month, shared by the request types marked Yes. Region {}. Source: {}, as of {}.",
                        thousands(PRICES.free_requests_per_month), PRICES.region, PRICES.source, PRICES.as_of) }</p>
                </div>
            </div>
        </div>
    }
}
