//! Randomness and RSA private keys for the engine, from the browser.
//!
//! [`BrowserEntropy`] draws bytes from `crypto.getRandomValues` (straight into wasm memory) and
//! hands the engine RSA keys that WebCrypto generated before the call: WebCrypto makes an
//! RSA-4096 key in well under a second off the main thread, where the `rsa` crate in wasm
//! would block the page for 4 to 24 s.

use crate::webcrypto::{await_promise, crypto, dict, subtle, take_secret};
use js_sys::{Array, ArrayBuffer, Reflect, Uint8Array};
use kms_core::{Entropy, KeySpec, Secret, Value};
use wasm_bindgen::JsValue;
use web_sys::CryptoKey;
use zeroize::Zeroize;

/// `getRandomValues` fills at most 65,536 bytes per call.
const MAX_RANDOM_CHUNK: usize = 65_536;
/// Size of the pool small requests are served from.
const POOL_SIZE: usize = 4096;
/// Requests larger than this go straight to `getRandomValues`.
const POOL_MAX_REQUEST: usize = 256;

/// Random bytes drawn from `getRandomValues` ahead of need, 4 KiB at a time, for the many small
/// requests (nonces, IVs, data keys, ids) of an operation: one call into the browser per hundred
/// or so operations instead of one or two per operation. A byte is zeroed as it is served, so
/// none is handed out twice or stays behind in the pool.
struct Pool {
    bytes: Box<[u8; POOL_SIZE]>,
    /// Bytes before `next` have been served (and zeroed).
    next: usize,
}

thread_local! {
    static POOL: std::cell::RefCell<Pool> = std::cell::RefCell::new(Pool {
        bytes: Box::new([0; POOL_SIZE]),
        next: POOL_SIZE,
    });
}

/// Fills `dest` straight from the browser's CSPRNG.
fn fill_direct(dest: &mut [u8]) -> Result<(), String> {
    let crypto = crypto()?;
    for chunk in dest.chunks_mut(MAX_RANDOM_CHUNK) {
        crypto
            .get_random_values_with_u8_array(chunk)
            .map_err(|e| crate::webcrypto::describe(&e))?;
    }
    Ok(())
}

/// Fills `dest` from the browser's CSPRNG (through the pool for small requests).
pub(crate) fn fill(dest: &mut [u8]) -> Result<(), String> {
    if dest.len() > POOL_MAX_REQUEST {
        return fill_direct(dest);
    }
    POOL.with(|pool| {
        let mut pool = pool.borrow_mut();
        let pool = &mut *pool;
        if POOL_SIZE - pool.next < dest.len() {
            fill_direct(&mut pool.bytes[..])?;
            pool.next = 0;
        }
        let served = &mut pool.bytes[pool.next..pool.next + dest.len()];
        dest.copy_from_slice(served);
        served.zeroize();
        pool.next += dest.len();
        Ok(())
    })
}

/// A random (version 4) UUID, for request ids.
pub(crate) fn uuid() -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut b = [0u8; 16];
    // Without a CSPRNG the request id only needs to be unique enough; fall back to the clock.
    if fill(&mut b).is_err() {
        b[..8].copy_from_slice(&(js_sys::Date::now() as u64).to_be_bytes());
    }
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let mut out = String::with_capacity(36);
    for (i, x) in b.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[usize::from(x >> 4)] as char);
        out.push(HEX[usize::from(x & 0x0f)] as char);
    }
    out
}

/// The engine's [`Entropy`] in a browser: `crypto.getRandomValues`, plus at most one RSA key
/// made ahead of the call by WebCrypto.
pub(crate) struct BrowserEntropy {
    rsa: Option<(usize, Secret)>,
}

impl BrowserEntropy {
    /// `rsa`: a pre-generated key (its size in bits and PKCS#8 DER), handed out once.
    pub fn new(rsa: Option<(usize, Secret)>) -> Self {
        BrowserEntropy { rsa }
    }
}

impl BrowserEntropy {
    /// Whether the engine took the pre-generated RSA key.
    #[cfg(feature = "test-hooks")]
    pub fn rsa_taken(&self) -> bool {
        self.rsa.is_none()
    }
}

impl Entropy for BrowserEntropy {
    fn fill(&mut self, dest: &mut [u8]) {
        // The engine cannot take an error here; a browser without getRandomValues cannot run
        // a KMS at all, and this sandbox will not make keys from weaker randomness.
        if let Err(e) = fill(dest) {
            panic!("crypto.getRandomValues failed: {e}");
        }
    }

    fn rsa_private_key(&mut self, bits: usize) -> Option<Secret> {
        match self.rsa.take() {
            Some((have, key)) if have == bits => Some(key),
            other => {
                self.rsa = other;
                None
            }
        }
    }
}

/// The RSA key size an operation will need a fresh key of, read from its request: CreateKey's
/// `KeySpec`/`CustomerMasterKeySpec`, GenerateDataKeyPair*'s `KeyPairSpec`,
/// GetParametersForImport's `WrappingKeySpec`.
pub(crate) fn rsa_bits_needed(operation: &str, request: &Value) -> Option<usize> {
    let member = |name: &str| request.get(name).and_then(Value::as_str);
    let spec = match operation {
        "CreateKey" => member("KeySpec").or_else(|| member("CustomerMasterKeySpec")),
        "GenerateDataKeyPair" | "GenerateDataKeyPairWithoutPlaintext" => member("KeyPairSpec"),
        "GetParametersForImport" => member("WrappingKeySpec"),
        _ => None,
    }?;
    KeySpec::parse(spec)?.rsa_bits()
}

/// A new RSA key pair (e = 65537) from WebCrypto, exported as PKCS#8 DER. The exported buffer is
/// zeroed once copied; the `CryptoKey` objects are left to the garbage collector.
pub(crate) async fn webcrypto_rsa_pkcs8(bits: usize) -> Result<Secret, String> {
    let algorithm = dict(&[
        ("name", &"RSA-OAEP".into()),
        ("modulusLength", &JsValue::from(bits as u32)),
        ("publicExponent", &Uint8Array::from(&[1u8, 0, 1][..]).into()),
        ("hash", &"SHA-256".into()),
    ]);
    let usages = Array::of2(&"encrypt".into(), &"decrypt".into());
    let pair = await_promise(subtle()?.generate_key_with_object(&algorithm, true, &usages)).await?;
    let private: CryptoKey = Reflect::get(&pair, &"privateKey".into())
        .map_err(|e| crate::webcrypto::describe(&e))?
        .into();
    let der: ArrayBuffer = await_promise(subtle()?.export_key("pkcs8", &private))
        .await?
        .into();
    Ok(take_secret(&der))
}
