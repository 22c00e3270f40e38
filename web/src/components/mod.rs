//! Reusable pieces of the console's look: layout, alerts, dialogs, editors, the API panel.

mod api_panel;
mod basics;
mod caller_switcher;
mod clock;
mod deletion;
mod event_record;
mod icons;
mod key_table;
mod kv_editor;
mod layout;
mod policy_editor;
mod seed;
mod why;

pub use api_panel::ApiPanel;
pub use basics::{
    CopyButton, ErrorAlert, InfoAlert, Modal, SameOriginNotice, Spinner, StatusBadge, Tabs,
};
pub use caller_switcher::{load_caller, CallerControl, CallerSwitcher};
pub use clock::{ClockControl, SandboxClock};
pub use deletion::ScheduleDeletionDialog;
pub use event_record::EventRecordDialog;
pub use icons::Icon;
pub use key_table::KeyTable;
pub use kv_editor::KvEditor;
pub use layout::Frame;
pub use policy_editor::PolicyEditor;
pub use seed::{clear_seed_from_location, seed_from_location, SeedDialog};
pub use why::{DecisionList, WhyButton};
