//! The console's icons as small inline SVGs (stroked in the text colour), so they look the same
//! whatever fonts the browser has: symbol characters like "ⓘ" or "⧉" are missing from many.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct IconProps {
    /// info, warning, error, success, copy, refresh, settings, download, close
    pub name: &'static str,
}

#[function_component]
pub fn Icon(p: &IconProps) -> Html {
    let body = match p.name {
        "info" => html! { <>
            <circle cx="8" cy="8" r="7" />
            <path d="M8 7v5" /><circle cx="8" cy="4.5" r=".6" class="dot" />
        </> },
        "warning" => html! { <>
            <path d="M8 1.5l6.8 12.5H1.2z" stroke-linejoin="round" />
            <path d="M8 6v4" /><circle cx="8" cy="12" r=".6" class="dot" />
        </> },
        "error" => html! { <>
            <circle cx="8" cy="8" r="7" />
            <path d="M5.5 5.5l5 5M10.5 5.5l-5 5" />
        </> },
        "success" => html! { <>
            <circle cx="8" cy="8" r="7" />
            <path d="M4.8 8.3l2.2 2.2 4.2-4.6" stroke-linejoin="round" />
        </> },
        "copy" => html! { <>
            <rect x="5.5" y="5.5" width="8.5" height="8.5" rx="1" />
            <path d="M10.5 5.5V2H2v8.5h3.5" />
        </> },
        "refresh" => html! { <>
            <path d="M13.5 8a5.5 5.5 0 1 1-1.6-3.9" />
            <path d="M12.5 1.5v3.2H9.3" stroke-linejoin="round" />
        </> },
        "settings" => html! { <>
            <circle cx="8" cy="8" r="5.2" stroke-width="2.6" stroke-dasharray="2.04 2.04" />
            <circle cx="8" cy="8" r="4" />
            <circle cx="8" cy="8" r="1.6" />
        </> },
        "download" => html! { <>
            <path d="M8 1.5v9M4.5 7l3.5 3.5L11.5 7" stroke-linejoin="round" />
            <path d="M2 12v2.5h12V12" />
        </> },
        _ => html! { <path d="M3.5 3.5l9 9M12.5 3.5l-9 9" /> },
    };
    html! {
        <svg class={classes!("icon", format!("icon-{}", p.name))} viewBox="0 0 16 16" width="16" height="16"
            fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" aria-hidden="true" focusable="false">
            { body }
        </svg>
    }
}
