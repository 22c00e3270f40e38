//! The console's plain-data UI state: selected Region and the flash messages at the top of the
//! page. Changes only through [`Action`]; no DOM or KMS access here.

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
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConsoleState {
    pub region: String,
    pub flashes: Vec<Flash>,
    next_id: u32,
}

pub enum Action {
    SetRegion(String),
    /// Kind, message, and an optional (link text, key id).
    Flash(FlashKind, String, Option<(String, String)>),
    Dismiss(u32),
}

impl ConsoleState {
    pub fn new(region: String) -> Self {
        ConsoleState {
            region,
            flashes: Vec::new(),
            next_id: 1,
        }
    }
}

impl Reducible for ConsoleState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::SetRegion(r) => {
                s.region = r;
                s.flashes.clear();
            }
            Action::Flash(kind, message, link_key) => {
                // The newest banner replaces older ones of the same outcome, like the console.
                s.flashes.retain(|f| f.kind != kind);
                s.flashes.push(Flash {
                    id: s.next_id,
                    kind,
                    message,
                    link_key,
                });
                s.next_id += 1;
            }
            Action::Dismiss(id) => s.flashes.retain(|f| f.id != id),
        }
        Rc::new(s)
    }
}

pub type ConsoleContext = yew::UseReducerHandle<ConsoleState>;
