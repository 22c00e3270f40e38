//! The console's icons as small inline SVGs (stroked in the text colour), so they look the same
//! whatever fonts the browser has: symbol characters like "ⓘ" or "⧉" are missing from many.

use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct IconProps {
    /// info, warning, error, success, copy, refresh, settings, download, menu, close
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
            <path stroke-width="1.3" stroke-linejoin="round" d="M12.87 6.17L15.03 6.43L15.03 9.57L12.87 9.83L12.74 10.15L14.08 11.86L11.86 14.08L10.15 12.74L9.83 12.87L9.57 15.03L6.43 15.03L6.17 12.87L5.85 12.74L4.14 14.08L1.92 11.86L3.26 10.15L3.13 9.83L0.97 9.57L0.97 6.43L3.13 6.17L3.26 5.85L1.92 4.14L4.14 1.92L5.85 3.26L6.17 3.13L6.43 0.97L9.57 0.97L9.83 3.13L10.15 3.26L11.86 1.92L14.08 4.14L12.74 5.85Z" />
            <circle cx="8" cy="8" r="2.2" />
        </> },
        "download" => html! { <>
            <path d="M8 1.5v9M4.5 7l3.5 3.5L11.5 7" stroke-linejoin="round" />
            <path d="M2 12v2.5h12V12" />
        </> },
        "menu" => html! { <path d="M2 4h12M2 8h12M2 12h12" /> },
        _ => html! { <path d="M3.5 3.5l9 9M12.5 3.5l-9 9" /> },
    };
    html! {
        <svg class={classes!("icon", format!("icon-{}", p.name))} viewBox="0 0 16 16" width="16" height="16"
            fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" aria-hidden="true" focusable="false">
            { body }
        </svg>
    }
}
