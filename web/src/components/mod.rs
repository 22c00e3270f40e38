//! Reusable pieces of the console's look: layout, alerts, dialogs, editors, the API panel.

mod api_panel;
mod basics;
mod deletion;
mod icons;
mod key_table;
mod kv_editor;
mod layout;

pub use api_panel::ApiPanel;
pub use basics::{CopyButton, ErrorAlert, InfoAlert, Modal, Spinner, StatusBadge, Tabs};
pub use deletion::ScheduleDeletionDialog;
pub use icons::Icon;
pub use key_table::KeyTable;
pub use kv_editor::KvEditor;
pub use layout::Frame;
