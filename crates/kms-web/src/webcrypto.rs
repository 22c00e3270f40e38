//! WebCrypto and JavaScript plumbing the shell's modules share: `crypto.subtle`, WebCrypto's
//! parameter dictionaries, promises as futures, buffers taken as secrets, and exceptions as
//! text. It depends on no other module of the shell, so that the HSM, entropy, store, backup
//! and platform modules depend on it rather than on each other.

use js_sys::{ArrayBuffer, Object, Reflect, Uint8Array};
use kms_core::Secret;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Crypto, SubtleCrypto};

thread_local! {
    /// `globalThis.crypto`, looked up once.
    static CRYPTO: Option<Crypto> = Reflect::get(&js_sys::global(), &"crypto".into())
        .ok()
        .and_then(|c| c.dyn_into::<Crypto>().ok());
}

/// `globalThis.crypto` (window or worker).
pub(crate) fn crypto() -> Result<Crypto, String> {
    CRYPTO
        .with(Clone::clone)
        .ok_or_else(|| "WebCrypto is not available in this context".to_string())
}

/// `crypto.subtle` (needs a secure context: https or localhost).
pub(crate) fn subtle() -> Result<SubtleCrypto, String> {
    let subtle = crypto()?.subtle();
    if subtle.is_undefined() {
        return Err("crypto.subtle is not available (the page is not a secure context)".into());
    }
    Ok(subtle)
}

/// Builds a plain object from name/value pairs (for WebCrypto's parameter dictionaries).
pub(crate) fn dict(entries: &[(&str, &JsValue)]) -> Object {
    let o = Object::new();
    for (k, v) in entries {
        // Setting a property on a fresh plain object cannot throw.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o
}

pub(crate) async fn await_promise(p: Result<js_sys::Promise, JsValue>) -> Result<JsValue, String> {
    let p = p.map_err(|e| describe(&e))?;
    JsFuture::from(p).await.map_err(|e| describe(&e))
}

/// A promise of `future`'s result, already settled when the future finishes on its first poll:
/// most calls do, having nothing to wait for, and are spared a task on wasm-bindgen's queue. A
/// future still pending goes to the queue, which polls it again (every future of the shell
/// checks its state when polled, so a wake-up lost to the first poll's no-op waker loses nothing).
pub(crate) fn promise_of(
    future: impl std::future::Future<Output = Result<JsValue, JsValue>> + 'static,
) -> js_sys::Promise {
    use std::task::{Context, Poll, Waker};
    let mut future = Box::pin(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(Ok(value)) => js_sys::Promise::resolve(&value),
        Poll::Ready(Err(error)) => js_sys::Promise::reject(&error),
        Poll::Pending => wasm_bindgen_futures::future_to_promise(future),
    }
}

/// Copies an ArrayBuffer WebCrypto produced into a [`Secret`], then zeroes the buffer.
pub(crate) fn take_secret(buffer: &ArrayBuffer) -> Secret {
    let mut secret = Secret::zeroed(buffer.byte_length() as usize);
    take_into(buffer, secret.expose_mut());
    secret
}

/// Copies an ArrayBuffer WebCrypto produced to the start of `out`, which must hold it, then
/// zeroes the buffer. Returns how many bytes it copied.
pub(crate) fn take_into(buffer: &ArrayBuffer, out: &mut [u8]) -> usize {
    let view = Uint8Array::new(buffer);
    let len = view.length() as usize;
    view.copy_to(&mut out[..len]);
    view.fill(0, 0, view.length());
    len
}

/// A JavaScript exception as one line of text (for KMSInternalException messages).
pub(crate) fn describe(e: &JsValue) -> String {
    if let Some(err) = e.dyn_ref::<js_sys::Error>() {
        let name = String::from(err.name());
        let message = String::from(err.message());
        return if message.is_empty() {
            name
        } else {
            format!("{name}: {message}")
        };
    }
    if let Some(s) = e.as_string() {
        return s;
    }
    // DOMException is not a js_sys::Error subclass in every engine; read its fields directly.
    let field = |k: &str| Reflect::get(e, &k.into()).ok().and_then(|v| v.as_string());
    match (field("name"), field("message")) {
        (Some(n), Some(m)) if !m.is_empty() => format!("{n}: {m}"),
        (Some(n), _) => n,
        _ => format!("{e:?}"),
    }
}
