//! The console's plain-data UI state: selected Region and the flash messages at the top of the
//! page. Changes only through [`Action`]; no DOM or KMS access here.

use crate::kms::Request;
use std::rc::Rc;
use yew::Reducible;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashKind {
    Success,
    Error,
}

/// A banner above the page content, optionally linking to a key.
#[derive(Clone, Debug, PartialEq)]
pub struct Flash {
    pub id: u32,
    pub kind: FlashKind,
    pub message: String,
    pub link_key: Option<(String, String)>,
    /// The page (route path) the banner belongs to; it goes when the user leaves that page.
    /// `None` until the next page shows: the banner of an action that ends by navigating.
    pub page: Option<String>,
    /// The requests the action sent, shown as their CLI / SDK equivalents.
    pub requests: Vec<Request>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConsoleState {
    pub region: String,
    pub flashes: Vec<Flash>,
    /// The route path on screen.
    page: String,
    next_id: u32,
}

pub enum Action {
    /// Kind, message, and an optional (link text, key id).
    Flash(FlashKind, String, Option<(String, String)>),
    /// The same, for an action that then navigates: the banner shows on the next page.
    FlashNextPage(FlashKind, String, Option<(String, String)>),
    /// A success banner for an action that has no form of its own (enable, cancel deletion):
    /// it shows the requests that were sent.
    FlashCalls(String, Vec<Request>),
    Dismiss(u32),
    /// The Region selector chose another Region: the banners of the old one go.
    SetRegion(String),
    /// The route on screen changed to this path.
    Navigated(String),
}

impl ConsoleState {
    pub fn new(region: String) -> Self {
        ConsoleState {
            region,
            flashes: Vec::new(),
            page: String::new(),
            next_id: 1,
        }
    }
}

impl ConsoleState {
    fn push(
        &mut self,
        kind: FlashKind,
        message: String,
        link_key: Option<(String, String)>,
        page: Option<String>,
    ) {
        // The newest banner replaces older ones of the same outcome, like the console.
        self.flashes.retain(|f| f.kind != kind);
        self.flashes.push(Flash {
            id: self.next_id,
            kind,
            message,
            link_key,
            page,
            requests: Vec::new(),
        });
        self.next_id += 1;
    }
}

impl Reducible for ConsoleState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Flash(kind, message, link_key) => {
                let page = Some(s.page.clone());
                s.push(kind, message, link_key, page);
            }
            Action::FlashNextPage(kind, message, link_key) => s.push(kind, message, link_key, None),
            Action::FlashCalls(message, requests) => {
                let page = Some(s.page.clone());
                s.push(FlashKind::Success, message, None, page);
                if let Some(f) = s.flashes.last_mut() {
                    f.requests = requests;
                }
            }
            Action::Navigated(path) => {
                s.flashes
                    .retain(|f| f.page.as_ref().is_none_or(|p| *p == path));
                for f in &mut s.flashes {
                    f.page.get_or_insert_with(|| path.clone());
                }
                s.page = path;
            }
            Action::Dismiss(id) => s.flashes.retain(|f| f.id != id),
            Action::SetRegion(region) => {
                s.region = region;
                s.flashes.clear();
            }
        }
        Rc::new(s)
    }
}

pub type ConsoleContext = yew::UseReducerHandle<ConsoleState>;
