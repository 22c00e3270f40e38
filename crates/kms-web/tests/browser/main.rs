//! The shell's browser tests, one test binary: each wasm test binary is linked, bound and run in
//! a browser of its own, so one binary instead of nine saves minutes of every CI run. The tests
//! already share a page within a file; each opens sandboxes under names of its own (`unique`).
//! The dedicated-worker test (tests/worker.rs) stays apart: it runs in another kind of context.

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod common;

mod access;
mod api;
mod backup;
mod cloudformation;
mod faults;
mod keys;
mod sdk;
mod store;
mod trail;
