//! Hooks shared by the pages.

use crate::kms::{ApiError, Kms};
use std::future::Future;
use std::rc::Rc;
use yew::prelude::*;

/// How many changes to the open sandbox the app has heard of, made by this tab (a page, the
/// terminal, `window.kms`) or by other tabs and workers: every [`use_loader`] reloads when it
/// moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct RemoteChanges(pub u64);

/// What a page has loaded so far.
#[derive(Clone, Debug, PartialEq)]
pub enum Load<T> {
    Loading,
    Ready(T),
    Failed(ApiError),
}

/// Loads data with `load(deps)` whenever `deps` change, and again on `reload.emit(())`.
/// A reload keeps the current data on screen until the new data arrives; answers to outdated
/// requests are dropped.
#[hook]
pub fn use_loader<T, D, F, Fut>(deps: D, load: F) -> (Rc<Load<T>>, Callback<()>)
where
    T: 'static,
    D: PartialEq + Clone + 'static,
    F: Fn(D) -> Fut + 'static,
    Fut: Future<Output = Result<T, ApiError>> + 'static,
{
    let state = use_state(|| Rc::new(Load::Loading));
    let tick = use_state(|| 0u32);
    let latest = use_mut_ref(|| 0u64);
    let loaded_for = use_mut_ref(|| None::<D>);
    let load = Rc::new(load);
    // The sandbox changed: reload, keeping what is on screen.
    let remote = use_context::<RemoteChanges>().map_or(0, |r| r.0);
    {
        let state = state.clone();
        let latest = latest.clone();
        let load = load.clone();
        use_effect_with((deps.clone(), *tick, remote), move |(deps, _, _)| {
            // New deps (another key, another Region) show Loading; a reload of the same keeps
            // what is on screen.
            if loaded_for.borrow().as_ref() != Some(deps) {
                state.set(Rc::new(Load::Loading));
                *loaded_for.borrow_mut() = Some(deps.clone());
            }
            *latest.borrow_mut() += 1;
            let me = *latest.borrow();
            let fut = load(deps.clone());
            wasm_bindgen_futures::spawn_local(async move {
                let result = fut.await;
                if *latest.borrow() == me {
                    state.set(Rc::new(match result {
                        Ok(v) => Load::Ready(v),
                        Err(e) => Load::Failed(e),
                    }));
                }
            });
        });
    }
    let reload = {
        let tick = tick.clone();
        Callback::from(move |_| tick.set(*tick + 1))
    };
    ((*state).clone(), reload)
}

/// The KMS of the console (provided by the app once the sandbox is open).
#[hook]
pub fn use_kms() -> Kms {
    use_context::<Kms>().expect("pages render inside the Kms provider")
}

#[hook]
pub fn use_console() -> crate::state::ConsoleContext {
    use_context::<crate::state::ConsoleContext>().expect("pages render inside the console provider")
}
