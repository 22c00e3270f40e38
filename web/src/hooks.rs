//! Hooks shared by the pages, and sending a change made of several KMS requests.

use crate::key_list::{Described, KeyListing, ListedKey};
use crate::kms::{ApiError, Kms, Request};
use std::cell::RefCell;
use std::collections::HashMap;
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

/// Sends `requests` in turn ([`Kms::send_each`]): once all succeed, clears `error` and hands
/// them to `done`; a refusal shows in `error`. Reloads either way, since the requests before a
/// refusal did change the keys.
pub fn send_in_turn(
    kms: &Kms,
    requests: Vec<Request>,
    error: &UseStateHandle<Option<ApiError>>,
    reload: &Callback<()>,
    done: impl FnOnce(Vec<Request>) + 'static,
) {
    let (kms, error, reload) = (kms.clone(), error.clone(), reload.clone());
    wasm_bindgen_futures::spawn_local(async move {
        match kms.send_each(&requests).await {
            Ok(_) => {
                error.set(None);
                done(requests);
            }
            Err(e) => error.set(Some(e)),
        }
        reload.emit(());
    });
}

/// The DescribeKey answers a view has had for its key listing (see [`crate::key_list`]): the
/// cache is emptied whenever the listing is another one (`generation`: a reload, a live change,
/// another Region or caller). Read it during render; [`use_describe`] fills it.
#[hook]
pub fn use_described(generation: Option<u64>) -> Rc<RefCell<Described>> {
    let cache = use_mut_ref(Described::default);
    if let Some(g) = generation {
        cache.borrow_mut().reset_for(g);
    }
    cache
}

/// How many keys one turn of the main thread describes. A page (at most 100 keys, plus the
/// selection) is one batch, so it shows without a yield; a metadata sort or filter over many
/// keys yields to the browser between batches.
const DESCRIBE_BATCH: usize = 250;

/// Describes the keys of `listing` named in `wanted` that `cache` does not know yet, in batches,
/// and renders the view again after each batch. A new `wanted` (another page, sort or filter)
/// or unmounting stops a run between batches; what it described stays cached.
#[hook]
pub fn use_describe(
    cache: &Rc<RefCell<Described>>,
    kms: &Kms,
    listing: Option<Rc<KeyListing>>,
    wanted: Rc<Vec<String>>,
) {
    let update = use_force_update();
    let run = use_mut_ref(|| 0u64);
    let generation = listing.as_ref().map(|l| l.generation);
    let (cache, kms) = (cache.clone(), kms.clone());
    use_effect_with((generation, wanted), move |(_, wanted)| {
        // This run supersedes any other (which stops at its next key) and owns the progress.
        *run.borrow_mut() += 1;
        let me = *run.borrow();
        cache.borrow_mut().progress = None;
        let missing: Vec<String> = {
            let c = cache.borrow();
            wanted.iter().filter(|id| !c.knows(id)).cloned().collect()
        };
        if let (Some(listing), false) = (listing, missing.is_empty()) {
            let run = run.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let by_id: HashMap<&str, &ListedKey> = listing
                    .keys
                    .iter()
                    .map(|k| (k.key_id.as_str(), k))
                    .collect();
                let total = missing.len();
                let live =
                    || *run.borrow() == me && cache.borrow().generation() == listing.generation;
                'batches: for (n, batch) in missing.chunks(DESCRIBE_BATCH).enumerate() {
                    if n > 0 {
                        cache.borrow_mut().progress = Some((n * DESCRIBE_BATCH, total));
                        update.force_update();
                        crate::util::yield_to_browser(0).await;
                    }
                    for id in batch {
                        if !live() {
                            // Stopped (a new page, sort or filter, or the view is gone): what
                            // was described stays cached, for orders that read metadata.
                            let mut c = cache.borrow_mut();
                            if c.generation() == listing.generation {
                                c.version += 1;
                            }
                            return;
                        }
                        let Some(key) = by_id.get(id.as_str()) else {
                            continue;
                        };
                        let answer = kms.describe_key(id).await;
                        let mut c = cache.borrow_mut();
                        if c.generation() != listing.generation {
                            return;
                        }
                        match answer {
                            Ok(meta) => c.insert(key, meta),
                            // Deleted since it was listed: its row goes.
                            Err(e) if e.error_type == "NotFoundException" => c.insert_gone(id),
                            // Refused (access denied, say): the run ends there rather than
                            // ask again for every key.
                            Err(e) => {
                                c.insert_failed(id, e);
                                break 'batches;
                            }
                        }
                    }
                }
                {
                    let mut c = cache.borrow_mut();
                    c.progress = None;
                    c.version += 1;
                }
                update.force_update();
            });
        }
        move || *run.borrow_mut() += 1
    });
}
