//! The engine's cryptography, on RustCrypto crates. Private key material is passed in as
//! PKCS#8 DER (RSA, ECC, Ed25519, ML-DSA, ML-KEM), raw bytes (AES, HMAC); nothing here keeps
//! state.
//!
//! Failures are deliberately opaque (`CryptoError`): no detail that could become an oracle.

mod ecc;
mod eddsa;
mod lattice;

pub use ecc::{sm2_digest, SM2_DEFAULT_DISTID};
pub use eddsa::private_pkcs8 as ed25519_private_pkcs8;
pub use lattice::{ml_dsa_private_pkcs8, ml_kem_encapsulate_to_spki, ml_kem_private_pkcs8};

use crate::env::{Entropy, RngAdapter};
use crate::spec::{KeySpec, MacAlgorithm, SigningAlgorithm};
use crate::Secret;
use ecc::with_curve;
use ghash::universal_hash::UniversalHash;
use ghash::GHash;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use rsa::pkcs8::der::asn1::BitStringRef;
use rsa::pkcs8::der::Encode;
use rsa::pkcs8::{
    AlgorithmIdentifierRef, DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey,
    ObjectIdentifier, PrivateKeyInfo, SubjectPublicKeyInfoRef,
};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Oaep, Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use zeroize::Zeroize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CryptoError;

/// OAEP's hash (MGF1 uses the same hash, as in AWS KMS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaepHash {
    Sha1,
    Sha256,
}

/// The prime-order Weierstrass curves of KMS's ECC and SM2 key specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
    P521,
    Secp256k1,
    Sm2,
}

/// ML-DSA's parameter sets (ML_DSA_44/65/87).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MlDsa {
    MlDsa44,
    MlDsa65,
    MlDsa87,
}

/// ML-KEM's parameter sets (ML_KEM_512/768/1024).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MlKem {
    MlKem512,
    MlKem768,
    MlKem1024,
}

/// What Sign/Verify are given (`MessageType`): the message itself (RAW), its digest (DIGEST), or
/// ML-DSA's 64-byte message representative μ (EXTERNAL_MU).
#[derive(Debug, Clone, Copy)]
pub enum Message<'a> {
    Raw(&'a [u8]),
    Digest(&'a [u8]),
    ExternalMu(&'a [u8]),
}

const GCM_TAG_LEN: usize = 16;

/// The RSA key sizes KMS offers (RSA_2048/3072/4096); the `rsa` crate also caps public keys at
/// 4096 bits, so a bigger key could sign but never verify.
const RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;
const RSA_EXPONENT: u32 = 65537;

const OID_RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const OID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const OID_SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const OID_SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");
const OID_SECP521R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.35");
const OID_SECP256K1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.10");
const OID_SM2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.156.10197.1.301");
/// RFC 8410.
const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
/// NIST's (CSOR) algorithm registrations, as the IETF LAMPS drafts use them.
const OID_ML_DSA_44: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.17");
const OID_ML_DSA_65: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.18");
const OID_ML_DSA_87: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.3.19");
const OID_ML_KEM_512: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.4.1");
const OID_ML_KEM_768: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.4.2");
const OID_ML_KEM_1024: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.4.3");

impl Curve {
    fn oid(self) -> ObjectIdentifier {
        match self {
            Curve::P256 => OID_SECP256R1,
            Curve::P384 => OID_SECP384R1,
            Curve::P521 => OID_SECP521R1,
            Curve::Secp256k1 => OID_SECP256K1,
            Curve::Sm2 => OID_SM2,
        }
    }

    /// The ECDSA algorithm KMS pairs with the curve (none for SM2, which signs with SM2DSA).
    fn ecdsa(self) -> Option<SigningAlgorithm> {
        match self {
            Curve::P256 | Curve::Secp256k1 => Some(SigningAlgorithm::EcdsaSha256),
            Curve::P384 => Some(SigningAlgorithm::EcdsaSha384),
            Curve::P521 => Some(SigningAlgorithm::EcdsaSha512),
            Curve::Sm2 => None,
        }
    }
}

impl MlDsa {
    fn oid(self) -> ObjectIdentifier {
        match self {
            MlDsa::MlDsa44 => OID_ML_DSA_44,
            MlDsa::MlDsa65 => OID_ML_DSA_65,
            MlDsa::MlDsa87 => OID_ML_DSA_87,
        }
    }
}

impl MlKem {
    fn oid(self) -> ObjectIdentifier {
        match self {
            MlKem::MlKem512 => OID_ML_KEM_512,
            MlKem::MlKem768 => OID_ML_KEM_768,
            MlKem::MlKem1024 => OID_ML_KEM_1024,
        }
    }
}

/// AES-GCM under a 32-byte key (AES-256), or a 16-byte one (AES-128: imported symmetric key
/// material in the China Regions is 128 bits); a 12-byte nonce. Returns ciphertext || 16-byte tag.
///
/// # Panics
/// If `key` is neither 16 nor 32 bytes. Keys come from the engine's own records, never from a
/// caller, so a wrong length is an engine bug; there is no ciphertext that could stand in for an
/// error.
pub fn aes_gcm_seal(key: &[u8], nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    Gcm::new(key).seal(nonce, aad, plaintext)
}

/// Opens what [`aes_gcm_seal`] made; `None` for any tampering or a wrong key/nonce/aad.
pub fn aes_gcm_open(key: &[u8], nonce: &[u8; 12], aad: &[u8], sealed: &[u8]) -> Option<Secret> {
    Gcm::try_new(key)?.open(nonce, aad, sealed)
}

/// For benchmarks: `count` AES-GCM seals of `plaintext` with `aad` under `key`, with the cipher
/// the engine encrypts with (key schedule and GHASH key made once, as for a backing key). The
/// ceiling no symmetric Encrypt can pass. Every seal uses the same nonce: only the time counts,
/// and the ciphertexts are dropped. Returns the bytes sealed, so that nothing is optimised away.
pub fn aes_gcm_seal_repeatedly(key: &[u8], aad: &[u8], plaintext: &[u8], count: u32) -> usize {
    let gcm = Gcm::new(key);
    let nonce = [0u8; 12];
    (0..count)
        .map(|_| gcm.seal(&nonce, aad, plaintext).len())
        .sum()
}

/// AES-GCM (NIST SP 800-38D) with a 12-byte nonce and a 16-byte tag: the key's schedule and
/// GHASH key, computed once. Composed from RustCrypto's `aes`, `ctr` and `ghash` as its `aes-gcm`
/// composes them (the tests check the two agree, and Wycheproof's vectors), for the one thing
/// `aes-gcm` cannot do: hash a prefix of the additional data once. Every ciphertext of a key
/// binds the same ARN and backing key id first ([`crate::ciphertext`]): 9 of an Encrypt's 17
/// GHASH blocks, about a fifth of its seal. Round keys and GHASH state are zeroized on drop.
pub(crate) struct Gcm {
    aes: Aes,
    ghash: GHash,
    /// The GHASH state after the whole blocks of the additional data's fixed part, made by the
    /// first [`Gcm::seal_bound`] or [`Gcm::open_bound`].
    prefix: std::sync::OnceLock<AadPrefix>,
}

// One per backing key, boxed in its cache: the variants' size difference costs nothing, and
// boxing a variant would add an indirection to every Encrypt and Decrypt.
#[allow(clippy::large_enum_variant)]
enum Aes {
    Aes128(aes::Aes128),
    Aes256(aes::Aes256),
}

struct AadPrefix {
    /// The bytes hashed: whole blocks. Not secret (an ARN and a backing key id).
    bytes: Vec<u8>,
    hashed: GHash,
}

type Block = ghash::Block;

impl Gcm {
    /// # Panics
    /// If `key` is neither 16 nor 32 bytes (see [`aes_gcm_seal`]).
    pub(crate) fn new(key: &[u8]) -> Gcm {
        Gcm::try_new(key).expect("AES-GCM needs a 16- or 32-byte key")
    }

    /// `None` for a key that is neither 16 nor 32 bytes.
    fn try_new(key: &[u8]) -> Option<Gcm> {
        use aes::cipher::{BlockEncrypt, KeyInit};
        let aes = match key.len() {
            16 => Aes::Aes128(aes::Aes128::new_from_slice(key).ok()?),
            32 => Aes::Aes256(aes::Aes256::new_from_slice(key).ok()?),
            _ => return None,
        };
        // H = E_K(0^128).
        let mut h = Block::default();
        match &aes {
            Aes::Aes128(c) => c.encrypt_block(&mut h),
            Aes::Aes256(c) => c.encrypt_block(&mut h),
        }
        let ghash = GHash::new(&h);
        h.zeroize();
        Some(Gcm {
            aes,
            ghash,
            prefix: std::sync::OnceLock::new(),
        })
    }

    /// Ciphertext || 16-byte tag.
    pub(crate) fn seal(&self, nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
        self.seal_bound(nonce, aad, 0, plaintext)
    }

    /// [`Gcm::seal`] for additional data whose first `fixed` bytes are the same on every call
    /// with this cipher (checked: other bytes are hashed in full).
    pub(crate) fn seal_bound(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        fixed: usize,
        plaintext: &[u8],
    ) -> Vec<u8> {
        // Encrypt in place in a buffer already big enough for the tag, so no copy of the
        // plaintext is left behind by a reallocation.
        let mut sealed = Vec::with_capacity(plaintext.len() + GCM_TAG_LEN);
        sealed.extend_from_slice(plaintext);
        let mut ghash = self.hash_aad(aad, fixed);
        let mask = self.keystream(nonce, Some(&mut sealed));
        ghash.update_padded(&sealed);
        let tag = tag(ghash, aad.len(), sealed.len(), &mask);
        sealed.extend_from_slice(&tag);
        sealed
    }

    pub(crate) fn open(&self, nonce: &[u8; 12], aad: &[u8], sealed: &[u8]) -> Option<Secret> {
        self.open_bound(nonce, aad, 0, sealed)
    }

    /// [`Gcm::open`] with the fixed part of the additional data of [`Gcm::seal_bound`].
    pub(crate) fn open_bound(
        &self,
        nonce: &[u8; 12],
        aad: &[u8],
        fixed: usize,
        sealed: &[u8],
    ) -> Option<Secret> {
        use subtle::ConstantTimeEq;
        let (ciphertext, given) = sealed.split_at(sealed.len().checked_sub(GCM_TAG_LEN)?);
        let mut ghash = self.hash_aad(aad, fixed);
        ghash.update_padded(ciphertext);
        let mask = self.keystream(nonce, None);
        let expected = tag(ghash, aad.len(), ciphertext.len(), &mask);
        if !bool::from(expected.as_slice().ct_eq(given)) {
            return None;
        }
        // Decrypt straight into the Secret so the plaintext never sits in an unzeroized buffer;
        // nothing is decrypted before the tag is checked.
        let mut plaintext = Secret::new(ciphertext.to_vec());
        self.keystream(nonce, Some(plaintext.expose_mut()));
        Some(plaintext)
    }

    /// GHASH of the additional data, padded to a block: from the cached state of its fixed
    /// prefix when it starts with it.
    fn hash_aad(&self, aad: &[u8], fixed: usize) -> GHash {
        let whole = fixed.min(aad.len()) / 16 * 16;
        let mut ghash;
        let mut rest = aad;
        if whole == 0 {
            ghash = self.ghash.clone();
        } else {
            let prefix = self.prefix.get_or_init(|| {
                let mut hashed = self.ghash.clone();
                hashed.update_padded(&aad[..whole]);
                AadPrefix {
                    bytes: aad[..whole].to_vec(),
                    hashed,
                }
            });
            match aad.strip_prefix(prefix.bytes.as_slice()) {
                Some(after) => {
                    ghash = prefix.hashed.clone();
                    rest = after;
                }
                None => ghash = self.ghash.clone(),
            }
        }
        ghash.update_padded(rest);
        ghash
    }

    /// E_K(J0), the tag's mask; then, given `data`, XORs it with the keystream from J0 + 1 (CTR
    /// with a 32-bit big-endian counter).
    fn keystream(&self, nonce: &[u8; 12], data: Option<&mut [u8]>) -> Block {
        fn run<C>(cipher: &C, j0: &Block, data: Option<&mut [u8]>) -> Block
        where
            C: aes::cipher::BlockCipher
                + aes::cipher::BlockEncrypt
                + aes::cipher::BlockSizeUser<BlockSize = aes::cipher::consts::U16>,
        {
            use aes::cipher::{InnerIvInit, StreamCipherCore};
            let mut ctr = ctr::CtrCore::<&C, ctr::flavors::Ctr32BE>::inner_iv_init(cipher, j0);
            let mut mask = Block::default();
            ctr.write_keystream_block(&mut mask);
            if let Some(data) = data {
                ctr.apply_keystream_partial(data.into());
            }
            mask
        }
        let mut j0 = Block::default();
        j0[..12].copy_from_slice(nonce);
        j0[15] = 1;
        match &self.aes {
            Aes::Aes128(c) => run(c, &j0, data),
            Aes::Aes256(c) => run(c, &j0, data),
        }
    }
}

/// The tag: GHASH over the lengths block, XORed with the mask.
fn tag(mut ghash: GHash, aad_len: usize, text_len: usize, mask: &Block) -> Block {
    let mut lengths = Block::default();
    lengths[..8].copy_from_slice(&((aad_len as u64) * 8).to_be_bytes());
    lengths[8..].copy_from_slice(&((text_len as u64) * 8).to_be_bytes());
    ghash.update(&[lengths]);
    let mut tag = ghash.finalize();
    for (t, m) in tag.iter_mut().zip(mask.iter()) {
        *t ^= *m;
    }
    tag
}

/// A backing key's [`Gcm`], made on first use and shared by every copy of the record (an
/// operation works on a copy): expanding the key again on every Encrypt and Decrypt was about a
/// quarter of their AES time on 32-bit soft AES, as on wasm. A new material gets a new cache.
/// The expanded key (about 500 bytes) is boxed, so that a key never used costs a pointer: an
/// export of 100,000 keys had held 53 MB of empty caches.
#[derive(Clone, Default)]
pub struct GcmCache(pub(crate) std::sync::Arc<std::sync::OnceLock<Box<Gcm>>>);

impl GcmCache {
    pub(crate) fn get(&self, key: &[u8]) -> &Gcm {
        self.0.get_or_init(|| Box::new(Gcm::new(key)))
    }
}

impl std::fmt::Debug for GcmCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GcmCache")
    }
}

/// A new RSA private key (e = 65537) as PKCS#8 DER.
///
/// Takes the key from [`Entropy::rsa_private_key`] when the source has one ready (the browser
/// shell does, since generating in wasm is slow), after checking it is a sound key of the size
/// asked for; otherwise generates one from the entropy.
pub fn rsa_generate(bits: usize, rng: &mut dyn Entropy) -> Result<Secret, CryptoError> {
    if !RSA_BITS.contains(&bits) {
        return Err(CryptoError);
    }
    let key = match rng.rsa_private_key(bits) {
        Some(supplied) => {
            let key = rsa_private(supplied.expose())?;
            key.validate().map_err(|_| CryptoError)?;
            if key.n().bits() != bits || *key.e() != BigUint::from(RSA_EXPONENT) {
                return Err(CryptoError);
            }
            key
        }
        None => RsaPrivateKey::new(&mut RngAdapter(rng), bits).map_err(|_| CryptoError)?,
    };
    let der = key.to_pkcs8_der().map_err(|_| CryptoError)?;
    Ok(Secret::new(der.as_bytes().to_vec()))
}

/// A new ECC or SM2 private key as PKCS#8 DER.
pub fn ec_generate(curve: Curve, rng: &mut dyn Entropy) -> Secret {
    curve.generate(rng)
}

/// A new private key for any asymmetric key spec but RSA's (see [`rsa_generate`]), as PKCS#8
/// DER: what CreateKey stores and GenerateDataKeyPair returns.
pub fn generate(spec: KeySpec, rng: &mut dyn Entropy) -> Result<Secret, CryptoError> {
    Ok(match KeyKind::of_spec(spec).ok_or(CryptoError)? {
        KeyKind::Rsa => return Err(CryptoError),
        KeyKind::Ec(curve) => ec_generate(curve, rng),
        KeyKind::Ed25519 => eddsa::generate(rng),
        KeyKind::MlDsa(level) => lattice::ml_dsa_generate(level, rng),
        KeyKind::MlKem(level) => lattice::ml_kem_generate(level, rng),
    })
}

/// The kinds of key KMS hands out for asymmetric specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    Ec(Curve),
    Ed25519,
    MlDsa(MlDsa),
    MlKem(MlKem),
}

impl KeyKind {
    fn of_spec(spec: KeySpec) -> Option<KeyKind> {
        Some(match spec {
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => KeyKind::Rsa,
            KeySpec::EccNistP256 => KeyKind::Ec(Curve::P256),
            KeySpec::EccNistP384 => KeyKind::Ec(Curve::P384),
            KeySpec::EccNistP521 => KeyKind::Ec(Curve::P521),
            KeySpec::EccSecgP256k1 => KeyKind::Ec(Curve::Secp256k1),
            KeySpec::Sm2 => KeyKind::Ec(Curve::Sm2),
            KeySpec::EccNistEdwards25519 => KeyKind::Ed25519,
            KeySpec::MlDsa44 => KeyKind::MlDsa(MlDsa::MlDsa44),
            KeySpec::MlDsa65 => KeyKind::MlDsa(MlDsa::MlDsa65),
            KeySpec::MlDsa87 => KeyKind::MlDsa(MlDsa::MlDsa87),
            KeySpec::MlKem512 => KeyKind::MlKem(MlKem::MlKem512),
            KeySpec::MlKem768 => KeyKind::MlKem(MlKem::MlKem768),
            KeySpec::MlKem1024 => KeyKind::MlKem(MlKem::MlKem1024),
            _ => return None,
        })
    }
}

/// Reads the key kind from a PKCS#8 or SPKI algorithm identifier: rsaEncryption, id-ecPublicKey
/// with a named curve, or an algorithm OID without parameters (Ed25519, ML-DSA, ML-KEM).
fn key_kind(algorithm: &AlgorithmIdentifierRef<'_>) -> Result<KeyKind, CryptoError> {
    let curves = [
        Curve::P256,
        Curve::P384,
        Curve::P521,
        Curve::Secp256k1,
        Curve::Sm2,
    ];
    let ml_dsa = [MlDsa::MlDsa44, MlDsa::MlDsa65, MlDsa::MlDsa87];
    let ml_kem = [MlKem::MlKem512, MlKem::MlKem768, MlKem::MlKem1024];
    match algorithm.oids().map_err(|_| CryptoError)? {
        (oid, None) if oid == OID_RSA_ENCRYPTION => Ok(KeyKind::Rsa),
        (oid, Some(curve)) if oid == OID_EC_PUBLIC_KEY => curves
            .into_iter()
            .find(|c| c.oid() == curve)
            .map(KeyKind::Ec)
            .ok_or(CryptoError),
        // RFC 8410 and the LAMPS drafts: the parameters are absent.
        (oid, None) if algorithm.parameters.is_none() => {
            if oid == OID_ED25519 {
                return Ok(KeyKind::Ed25519);
            }
            if let Some(level) = ml_dsa.into_iter().find(|l| l.oid() == oid) {
                return Ok(KeyKind::MlDsa(level));
            }
            ml_kem
                .into_iter()
                .find(|l| l.oid() == oid)
                .map(KeyKind::MlKem)
                .ok_or(CryptoError)
        }
        _ => Err(CryptoError),
    }
}

fn rsa_private(private_pkcs8: &[u8]) -> Result<RsaPrivateKey, CryptoError> {
    RsaPrivateKey::from_pkcs8_der(private_pkcs8).map_err(|_| CryptoError)
}

/// A PKCS#8 PrivateKeyInfo (version 1, no parameters, no public key) around `private_key`.
fn pkcs8_private(oid: ObjectIdentifier, private_key: &[u8]) -> Secret {
    let info = PrivateKeyInfo {
        algorithm: AlgorithmIdentifierRef {
            oid,
            parameters: None,
        },
        private_key,
        public_key: None,
    };
    // Encoding a few dozen bytes of well-formed DER cannot fail.
    Secret::new(info.to_der().expect("a PrivateKeyInfo encodes"))
}

/// A SubjectPublicKeyInfo (no parameters) around a raw public key.
fn spki(oid: ObjectIdentifier, public_key: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let info = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef {
            oid,
            parameters: None,
        },
        subject_public_key: BitStringRef::from_bytes(public_key).map_err(|_| CryptoError)?,
    };
    info.to_der().map_err(|_| CryptoError)
}

/// The raw public key of an SPKI whose algorithm is `oid` without parameters.
fn spki_key_bits(spki_der: &[u8], oid: ObjectIdentifier) -> Result<&[u8], CryptoError> {
    let info = SubjectPublicKeyInfoRef::try_from(spki_der).map_err(|_| CryptoError)?;
    if info.algorithm.oid != oid || info.algorithm.parameters.is_some() {
        return Err(CryptoError);
    }
    info.subject_public_key.as_bytes().ok_or(CryptoError)
}

/// A private key's kind and its privateKey bytes (for EC keys, the SEC1 ECPrivateKey's scalar).
fn private_parts(private_pkcs8: &[u8]) -> Result<(KeyKind, &[u8]), CryptoError> {
    let info = PrivateKeyInfo::try_from(private_pkcs8).map_err(|_| CryptoError)?;
    let kind = key_kind(&info.algorithm)?;
    let bytes = match kind {
        KeyKind::Ec(_) => {
            sec1::EcPrivateKey::try_from(info.private_key)
                .map_err(|_| CryptoError)?
                .private_key
        }
        _ => info.private_key,
    };
    Ok((kind, bytes))
}

/// The DER SubjectPublicKeyInfo of a private key given as PKCS#8 DER (what GetPublicKey and
/// GenerateDataKeyPair return). Works out the algorithm from the PKCS#8 itself.
pub fn public_key_der(private_pkcs8: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let (kind, private_key) = private_parts(private_pkcs8)?;
    match kind {
        KeyKind::Rsa => RsaPublicKey::from(&rsa_private(private_pkcs8)?)
            .to_public_key_der()
            .map(|d| d.into_vec())
            .map_err(|_| CryptoError),
        // One scalar multiplication, not the two of SecretKey::from_pkcs8_der + public_key.
        KeyKind::Ec(curve) => with_curve!(curve, ecc::public_spki(private_key)),
        KeyKind::Ed25519 => eddsa::public_spki(private_key),
        KeyKind::MlDsa(level) => lattice::ml_dsa_public_spki(level, private_key),
        KeyKind::MlKem(level) => lattice::ml_kem_public_spki(level, private_key),
    }
}

/// The modulus size of an RSA private key given as PKCS#8 DER (2048 for an RSA_2048 key).
pub fn rsa_modulus_bits(private_pkcs8: &[u8]) -> Result<usize, CryptoError> {
    Ok(rsa_private(private_pkcs8)?.n().bits())
}

/// Largest plaintext RSAES-OAEP takes under this key: k - 2*hLen - 2 (AWS's documented limits:
/// 214/190 bytes for RSA_2048 with SHA-1/SHA-256, 342/318 for 3072, 470/446 for 4096).
pub fn rsa_oaep_max_plaintext(modulus_bits: usize, hash: OaepHash) -> usize {
    let h = match hash {
        OaepHash::Sha1 => 20,
        OaepHash::Sha256 => 32,
    };
    modulus_bits / 8 - 2 * h - 2
}

/// OAEP with MGF1 over the same hash and an empty label, as AWS KMS does.
fn oaep(hash: OaepHash) -> Oaep {
    match hash {
        OaepHash::Sha1 => Oaep::new::<Sha1>(),
        OaepHash::Sha256 => Oaep::new::<Sha256>(),
    }
}

pub fn rsa_oaep_encrypt(
    private_pkcs8: &[u8],
    hash: OaepHash,
    plaintext: &[u8],
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    let public = RsaPublicKey::from(&rsa_private(private_pkcs8)?);
    public
        .encrypt(&mut RngAdapter(rng), oaep(hash), plaintext)
        .map_err(|_| CryptoError)
}

pub fn rsa_oaep_decrypt(
    private_pkcs8: &[u8],
    hash: OaepHash,
    ciphertext: &[u8],
    rng: &mut dyn Entropy,
) -> Result<Secret, CryptoError> {
    let key = rsa_private(private_pkcs8)?;
    // The private-key operation is blinded with fresh randomness (the injected entropy): a
    // blinding factor derived from the key and input would repeat for a repeated ciphertext.
    let plaintext = key
        .decrypt_blinded(&mut RngAdapter(rng), oaep(hash), ciphertext)
        .map_err(|_| CryptoError)?;
    Ok(Secret::new(plaintext))
}

/// The hash a signing algorithm uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SigHash {
    Sha256,
    Sha384,
    Sha512,
}

impl SigHash {
    fn of(alg: SigningAlgorithm) -> Option<SigHash> {
        use SigningAlgorithm::*;
        match alg {
            RsassaPssSha256 | RsassaPkcs1V15Sha256 | EcdsaSha256 => Some(SigHash::Sha256),
            RsassaPssSha384 | RsassaPkcs1V15Sha384 | EcdsaSha384 => Some(SigHash::Sha384),
            RsassaPssSha512 | RsassaPkcs1V15Sha512 | EcdsaSha512 => Some(SigHash::Sha512),
            _ => None,
        }
    }

    fn len(self) -> usize {
        match self {
            SigHash::Sha256 => 32,
            SigHash::Sha384 => 48,
            SigHash::Sha512 => 64,
        }
    }

    fn digest(self, message: &[u8]) -> Vec<u8> {
        match self {
            SigHash::Sha256 => Sha256::digest(message).to_vec(),
            SigHash::Sha384 => Sha384::digest(message).to_vec(),
            SigHash::Sha512 => Sha512::digest(message).to_vec(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    RsaPss(SigHash),
    RsaPkcs1(SigHash),
    Ecdsa(Curve, SigHash),
    Sm2Dsa,
    Ed25519(eddsa::Variant),
    MlDsa(MlDsa),
}

/// The scheme `alg` names on a key of this kind, if KMS pairs the two: ECDSA is tied to its
/// curve (ECC_NIST_P256 and ECC_SECG_P256K1 sign with ECDSA_SHA_256, ECC_NIST_P384 with
/// ECDSA_SHA_384, ECC_NIST_P521 with ECDSA_SHA_512), SM2 to SM2DSA, and so on.
fn scheme(kind: KeyKind, alg: SigningAlgorithm) -> Result<Scheme, CryptoError> {
    use SigningAlgorithm::*;
    let hash = SigHash::of(alg);
    Ok(match (kind, alg) {
        (KeyKind::Rsa, RsassaPssSha256 | RsassaPssSha384 | RsassaPssSha512) => {
            Scheme::RsaPss(hash.ok_or(CryptoError)?)
        }
        (KeyKind::Rsa, RsassaPkcs1V15Sha256 | RsassaPkcs1V15Sha384 | RsassaPkcs1V15Sha512) => {
            Scheme::RsaPkcs1(hash.ok_or(CryptoError)?)
        }
        (KeyKind::Ec(curve), _) if curve.ecdsa() == Some(alg) => {
            Scheme::Ecdsa(curve, hash.ok_or(CryptoError)?)
        }
        (KeyKind::Ec(Curve::Sm2), Sm2Dsa) => Scheme::Sm2Dsa,
        (KeyKind::Ed25519, Ed25519Sha512) => Scheme::Ed25519(eddsa::Variant::Pure),
        (KeyKind::Ed25519, Ed25519PhSha512) => Scheme::Ed25519(eddsa::Variant::Prehash),
        (KeyKind::MlDsa(level), MlDsaShake256) => Scheme::MlDsa(level),
        _ => return Err(CryptoError),
    })
}

/// The digest that gets signed: RAW messages are hashed here, DIGEST messages must already
/// have the hash's length.
fn prehash(hash: SigHash, message: Message<'_>) -> Result<Vec<u8>, CryptoError> {
    match message {
        Message::Raw(m) => Ok(hash.digest(m)),
        Message::Digest(d) if d.len() == hash.len() => Ok(d.to_vec()),
        Message::Digest(_) | Message::ExternalMu(_) => Err(CryptoError),
    }
}

/// What pure or prehash Ed25519 signs, by the MessageType rules of Sign's documentation:
/// ED25519_SHA_512 takes only RAW, ED25519_PH_SHA_512 only a 64-byte DIGEST (which it hashes
/// once more).
fn ed25519_input(variant: eddsa::Variant, message: Message<'_>) -> Result<&[u8], CryptoError> {
    match (variant, message) {
        (eddsa::Variant::Pure, Message::Raw(m)) => Ok(m),
        (eddsa::Variant::Prehash, Message::Digest(d)) if d.len() == 64 => Ok(d),
        _ => Err(CryptoError),
    }
}

/// ML-DSA takes RAW messages and EXTERNAL_MU's 64-byte μ, never a DIGEST.
fn ml_dsa_input(message: Message<'_>) -> Result<lattice::MlDsaInput<'_>, CryptoError> {
    match message {
        Message::Raw(m) => Ok(lattice::MlDsaInput::Message(m)),
        Message::ExternalMu(mu) if mu.len() == 64 => Ok(lattice::MlDsaInput::Mu(mu)),
        _ => Err(CryptoError),
    }
}

/// SM2DSA signs SM3(ZA || M) for RAW, or a given 32-byte SM3 digest for DIGEST.
fn sm2_input(message: Message<'_>) -> Result<(Option<&[u8]>, &[u8]), CryptoError> {
    match message {
        Message::Raw(m) => Ok((Some(m), &[])),
        Message::Digest(d) if d.len() == 32 => Ok((None, d)),
        _ => Err(CryptoError),
    }
}

/// RSASSA-PSS with MGF1 over the same hash and salt length = hash length, as AWS KMS signs.
/// "Blinded" here is RSA blinding of the private-key operation (it only affects signing).
fn pss(hash: SigHash) -> Pss {
    match hash {
        SigHash::Sha256 => Pss::new_blinded_with_salt::<Sha256>(hash.len()),
        SigHash::Sha384 => Pss::new_blinded_with_salt::<Sha384>(hash.len()),
        SigHash::Sha512 => Pss::new_blinded_with_salt::<Sha512>(hash.len()),
    }
}

fn pkcs1v15(hash: SigHash) -> Pkcs1v15Sign {
    match hash {
        SigHash::Sha256 => Pkcs1v15Sign::new::<Sha256>(),
        SigHash::Sha384 => Pkcs1v15Sign::new::<Sha384>(),
        SigHash::Sha512 => Pkcs1v15Sign::new::<Sha512>(),
    }
}

/// Signs as AWS KMS does: RSA, Ed25519 and ML-DSA signatures are the raw signature bytes, ECDSA
/// and SM2DSA signatures are DER (`Ecdsa-Sig-Value`). A `Message::Digest` is signed as the
/// already-hashed message. `Err` when `alg` does not suit the key or the message type and length
/// do not suit `alg` (the caller checks both first, to answer KMS's errors).
pub fn sign(
    private_pkcs8: &[u8],
    alg: SigningAlgorithm,
    message: Message<'_>,
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    let (kind, private_key) = private_parts(private_pkcs8)?;
    match scheme(kind, alg)? {
        // The rng gives PSS its salt and blinds the private-key operation in both schemes.
        Scheme::RsaPss(hash) => {
            let digest = prehash(hash, message)?;
            rsa_private(private_pkcs8)?
                .sign_with_rng(&mut RngAdapter(rng), pss(hash), &digest)
                .map_err(|_| CryptoError)
        }
        Scheme::RsaPkcs1(hash) => {
            let digest = prehash(hash, message)?;
            rsa_private(private_pkcs8)?
                .sign_with_rng(&mut RngAdapter(rng), pkcs1v15(hash), &digest)
                .map_err(|_| CryptoError)
        }
        // Signing from the scalar alone spares the two scalar multiplications that decoding a
        // SigningKey spends on the public point (checking the PKCS#8's copy, then deriving its
        // own): the material is the engine's own, authenticated by the HSM's AES-GCM.
        Scheme::Ecdsa(curve, hash) => {
            let digest = prehash(hash, message)?;
            with_curve!(curve, ecc::ecdsa_sign(private_key, &digest, rng))
        }
        Scheme::Sm2Dsa => {
            let (raw, digest) = sm2_input(message)?;
            ecc::sm2_sign(private_key, raw, digest, rng)
        }
        Scheme::Ed25519(variant) => {
            eddsa::sign(private_key, variant, ed25519_input(variant, message)?, rng)
        }
        Scheme::MlDsa(level) => {
            lattice::ml_dsa_sign(level, private_key, ml_dsa_input(message)?, rng)
        }
    }
}

/// `Ok(false)` for a signature that does not verify (including malformed signatures).
pub fn verify(
    private_pkcs8: &[u8],
    alg: SigningAlgorithm,
    message: Message<'_>,
    signature: &[u8],
) -> Result<bool, CryptoError> {
    verify_spki(&public_key_der(private_pkcs8)?, alg, message, signature)
}

/// Verifies against a public key given as DER SubjectPublicKeyInfo (what GetPublicKey returns,
/// so what a client verifying offline has). `Ok(false)` for a signature that does not verify,
/// malformed ones included; `Err` when the key cannot be read or does not suit `alg`, or the
/// message does not suit `alg`.
pub fn verify_spki(
    public_spki_der: &[u8],
    alg: SigningAlgorithm,
    message: Message<'_>,
    signature: &[u8],
) -> Result<bool, CryptoError> {
    let spki = SubjectPublicKeyInfoRef::try_from(public_spki_der).map_err(|_| CryptoError)?;
    let kind = key_kind(&spki.algorithm)?;
    let raw_key = || spki.subject_public_key.as_bytes().ok_or(CryptoError);
    match scheme(kind, alg)? {
        Scheme::RsaPss(hash) | Scheme::RsaPkcs1(hash) => {
            let digest = prehash(hash, message)?;
            let key =
                RsaPublicKey::from_public_key_der(public_spki_der).map_err(|_| CryptoError)?;
            let verified = match scheme(kind, alg)? {
                Scheme::RsaPss(_) => key.verify(pss(hash), &digest, signature),
                _ => key.verify(pkcs1v15(hash), &digest, signature),
            };
            Ok(verified.is_ok())
        }
        Scheme::Ecdsa(curve, hash) => {
            let digest = prehash(hash, message)?;
            with_curve!(
                curve,
                ecc::ecdsa_verify(public_spki_der, &digest, signature)
            )
        }
        Scheme::Sm2Dsa => {
            let (raw, digest) = sm2_input(message)?;
            ecc::sm2_verify(public_spki_der, raw, digest, signature)
        }
        Scheme::Ed25519(variant) => eddsa::verify(
            raw_key()?,
            variant,
            ed25519_input(variant, message)?,
            signature,
        ),
        Scheme::MlDsa(level) => {
            lattice::ml_dsa_verify(level, raw_key()?, ml_dsa_input(message)?, signature)
        }
    }
}

/// ECDH with the private key (PKCS#8, on a NIST curve or SM2) and a peer's public key (DER
/// SubjectPublicKeyInfo on the same curve): the raw shared secret, the x-coordinate, as
/// DeriveSharedSecret returns it. `Err` for a peer key that is malformed, not on the curve or on
/// another curve.
pub fn ecdh(private_pkcs8: &[u8], peer_spki_der: &[u8]) -> Result<Secret, CryptoError> {
    match private_parts(private_pkcs8)? {
        (KeyKind::Ec(curve), private_key) => {
            with_curve!(curve, ecc::ecdh(private_key, peer_spki_der))
        }
        _ => Err(CryptoError),
    }
}

/// SM2PKE's largest plaintext in KMS (Encrypt's documentation).
pub const SM2PKE_MAX_PLAINTEXT: usize = 1024;

/// SM2PKE (GM/T 0003.4) encryption under an SM2 key's public key; the ciphertext is DER.
pub fn sm2_encrypt(
    private_pkcs8: &[u8],
    plaintext: &[u8],
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    match private_parts(private_pkcs8)? {
        (KeyKind::Ec(Curve::Sm2), private_key) => ecc::sm2_encrypt(private_key, plaintext, rng),
        _ => Err(CryptoError),
    }
}

pub use ecc::sm2_encrypt_spki;

pub fn sm2_decrypt(private_pkcs8: &[u8], ciphertext: &[u8]) -> Result<Secret, CryptoError> {
    match private_parts(private_pkcs8)? {
        (KeyKind::Ec(Curve::Sm2), private_key) => ecc::sm2_decrypt(private_key, ciphertext),
        _ => Err(CryptoError),
    }
}

/// ML-KEM encapsulation to an ML-KEM key (its private key given as PKCS#8): the ciphertext and
/// the 32-byte shared secret.
pub fn ml_kem_encapsulate(
    private_pkcs8: &[u8],
    rng: &mut dyn Entropy,
) -> Result<(Vec<u8>, Secret), CryptoError> {
    match private_parts(private_pkcs8)? {
        (KeyKind::MlKem(level), private_key) => {
            lattice::ml_kem_encapsulate(level, private_key, rng)
        }
        _ => Err(CryptoError),
    }
}

/// ML-KEM decapsulation: `Err` for a key that is not ML-KEM or a ciphertext whose length does
/// not fit the parameter set; otherwise a 32-byte secret, implicit rejection included.
pub fn ml_kem_decapsulate(private_pkcs8: &[u8], ciphertext: &[u8]) -> Result<Secret, CryptoError> {
    match private_parts(private_pkcs8)? {
        (KeyKind::MlKem(level), private_key) => {
            lattice::ml_kem_decapsulate(level, private_key, ciphertext)
        }
        _ => Err(CryptoError),
    }
}

fn mac_of<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> M {
    // HMAC takes keys of any length, so this never fails.
    let mut mac = <M as Mac>::new_from_slice(key).expect("HMAC accepts any key length");
    mac.update(message);
    mac
}

pub fn hmac(alg: MacAlgorithm, key: &[u8], message: &[u8]) -> Vec<u8> {
    fn tag<M: Mac + KeyInit>(key: &[u8], message: &[u8]) -> Vec<u8> {
        mac_of::<M>(key, message).finalize().into_bytes().to_vec()
    }
    match alg {
        MacAlgorithm::HmacSha224 => tag::<Hmac<Sha224>>(key, message),
        MacAlgorithm::HmacSha256 => tag::<Hmac<Sha256>>(key, message),
        MacAlgorithm::HmacSha384 => tag::<Hmac<Sha384>>(key, message),
        MacAlgorithm::HmacSha512 => tag::<Hmac<Sha512>>(key, message),
    }
}

/// Constant-time comparison against a fresh MAC.
pub fn hmac_verify(alg: MacAlgorithm, key: &[u8], message: &[u8], mac: &[u8]) -> bool {
    // `verify_slice` compares in constant time; a tag of the wrong length (truncated) fails.
    fn check<M: Mac + KeyInit>(key: &[u8], message: &[u8], mac: &[u8]) -> bool {
        mac_of::<M>(key, message).verify_slice(mac).is_ok()
    }
    match alg {
        MacAlgorithm::HmacSha224 => check::<Hmac<Sha224>>(key, message, mac),
        MacAlgorithm::HmacSha256 => check::<Hmac<Sha256>>(key, message, mac),
        MacAlgorithm::HmacSha384 => check::<Hmac<Sha384>>(key, message, mac),
        MacAlgorithm::HmacSha512 => check::<Hmac<Sha512>>(key, message, mac),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SeededEntropy;
    use std::sync::OnceLock;

    #[test]
    fn a_cipher_cache_never_used_is_small_and_copies_share_it() {
        // What each key record carries before its first Encrypt or Decrypt.
        assert!(std::mem::size_of::<OnceLock<Box<Gcm>>>() <= 16);
        let cache = GcmCache::default();
        let copy = cache.clone();
        let key = [7u8; 32];
        let sealed = cache.get(&key).seal(&[0; 12], b"aad", b"data");
        assert!(std::ptr::eq(cache.get(&key), copy.get(&key)));
        assert_eq!(
            copy.get(&key)
                .open(&[0; 12], b"aad", &sealed)
                .unwrap()
                .expose(),
            b"data"
        );
    }

    const RSA_ALGS: [SigningAlgorithm; 6] = [
        SigningAlgorithm::RsassaPssSha256,
        SigningAlgorithm::RsassaPssSha384,
        SigningAlgorithm::RsassaPssSha512,
        SigningAlgorithm::RsassaPkcs1V15Sha256,
        SigningAlgorithm::RsassaPkcs1V15Sha384,
        SigningAlgorithm::RsassaPkcs1V15Sha512,
    ];
    const MAC_ALGS: [MacAlgorithm; 4] = [
        MacAlgorithm::HmacSha224,
        MacAlgorithm::HmacSha256,
        MacAlgorithm::HmacSha384,
        MacAlgorithm::HmacSha512,
    ];

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    /// RSA-2048 generation is slow: each test binary makes two keys once and shares them.
    fn rsa_key() -> &'static Secret {
        static KEY: OnceLock<Secret> = OnceLock::new();
        KEY.get_or_init(|| rsa_generate(2048, &mut SeededEntropy::new(1)).unwrap())
    }
    fn other_rsa_key() -> &'static Secret {
        static KEY: OnceLock<Secret> = OnceLock::new();
        KEY.get_or_init(|| rsa_generate(2048, &mut SeededEntropy::new(2)).unwrap())
    }

    fn ecdsa_alg(curve: Curve) -> SigningAlgorithm {
        curve.ecdsa().unwrap()
    }

    fn hash_of(alg: SigningAlgorithm, message: &[u8]) -> Vec<u8> {
        SigHash::of(alg).unwrap().digest(message)
    }

    // --- AES-256-GCM ---

    #[test]
    fn aes_gcm_round_trip() {
        let key = [7u8; 32];
        let nonce = [9u8; 12];
        for plaintext in [&b""[..], b"x", &[0xA5; 4096]] {
            let sealed = aes_gcm_seal(&key, &nonce, b"context", plaintext);
            assert_eq!(sealed.len(), plaintext.len() + 16);
            let opened = aes_gcm_open(&key, &nonce, b"context", &sealed).unwrap();
            assert_eq!(opened.expose(), plaintext);
        }
    }

    /// The composition agrees with RustCrypto's `aes-gcm` for both key sizes, every length of
    /// additional data and text around the block size, and any fixed prefix: cached, missed
    /// (additional data that does not start with the cached prefix) or longer than the data.
    #[test]
    fn gcm_agrees_with_aes_gcm_with_and_without_a_cached_prefix() {
        use aes_gcm::aead::{AeadInPlace, KeyInit};
        let mut bytes = (0u32..).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8);
        let mut take = |n: usize| bytes.by_ref().take(n).collect::<Vec<u8>>();
        for key_len in [16, 32] {
            let key = take(key_len);
            let reference = |nonce: &[u8; 12], aad: &[u8], text: &[u8]| {
                let mut buf = text.to_vec();
                let nonce = aes_gcm::Nonce::from_slice(nonce);
                let tag = if key_len == 16 {
                    aes_gcm::Aes128Gcm::new_from_slice(&key)
                        .unwrap()
                        .encrypt_in_place_detached(nonce, aad, &mut buf)
                } else {
                    aes_gcm::Aes256Gcm::new_from_slice(&key)
                        .unwrap()
                        .encrypt_in_place_detached(nonce, aad, &mut buf)
                }
                .unwrap();
                buf.extend_from_slice(&tag);
                buf
            };
            for fixed in [0usize, 5, 16, 33, 144, 200] {
                // A new cipher per prefix: the first call caches it.
                let gcm = Gcm::new(&key);
                let prefix = take(fixed);
                for (aad_extra, text_len) in
                    [(0, 0), (4, 1), (13, 15), (27, 16), (0, 100), (40, 257)]
                {
                    let nonce: [u8; 12] = take(12).try_into().unwrap();
                    let text = take(text_len);
                    let mut aad = prefix.clone();
                    aad.extend(take(aad_extra));
                    let expected = reference(&nonce, &aad, &text);
                    assert_eq!(gcm.seal_bound(&nonce, &aad, fixed, &text), expected);
                    assert_eq!(gcm.seal(&nonce, &aad, &text), expected);
                    let opened = gcm.open_bound(&nonce, &aad, fixed, &expected).unwrap();
                    assert_eq!(opened.expose(), &text[..]);
                    // Other additional data misses the cache and is hashed whole.
                    let other = take(aad.len().max(1));
                    assert_eq!(
                        gcm.seal_bound(&nonce, &other, fixed, &text),
                        reference(&nonce, &other, &text),
                        "key {key_len}, fixed {fixed}"
                    );
                    assert!(gcm.open_bound(&nonce, &other, fixed, &expected).is_none());
                }
            }
        }
    }

    #[test]
    fn aes_gcm_detects_tampering_and_wrong_inputs() {
        let key = [7u8; 32];
        let nonce = [9u8; 12];
        let sealed = aes_gcm_seal(&key, &nonce, b"aad", b"attack at dawn");
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(
                aes_gcm_open(&key, &nonce, b"aad", &bad).is_none(),
                "flipped byte {i}"
            );
        }
        assert!(aes_gcm_open(&[8u8; 32], &nonce, b"aad", &sealed).is_none());
        assert!(aes_gcm_open(&key, &[0u8; 12], b"aad", &sealed).is_none());
        assert!(aes_gcm_open(&key, &nonce, b"AAD", &sealed).is_none());
        assert!(aes_gcm_open(&key, &nonce, b"aad", &sealed[..sealed.len() - 1]).is_none());
        let mut longer = sealed.clone();
        longer.push(0);
        assert!(aes_gcm_open(&key, &nonce, b"aad", &longer).is_none());
    }

    #[test]
    fn aes_gcm_open_rejects_short_input_and_bad_keys() {
        let nonce = [0u8; 12];
        for len in 0..16 {
            assert!(aes_gcm_open(&[1u8; 32], &nonce, b"", &vec![0u8; len]).is_none());
        }
        let sealed = aes_gcm_seal(&[1u8; 32], &nonce, b"", b"data");
        for key_len in [0, 16, 24, 31, 33, 64] {
            assert!(aes_gcm_open(&vec![1u8; key_len], &nonce, b"", &sealed).is_none());
        }
    }

    #[test]
    fn aes_gcm_matches_a_known_answer() {
        // NIST GCM test case 14 (AES-256, zero key, zero IV, one zero block).
        let sealed = aes_gcm_seal(&[0u8; 32], &[0u8; 12], b"", &[0u8; 16]);
        assert_eq!(
            sealed,
            hex("cea7403d4d606b6e074ec5d3baf39d18d0d1c8a799996bf0265b98b5d48ab919")
        );
    }

    // --- RSA keys ---

    #[test]
    fn rsa_generate_makes_a_2048_bit_pkcs8_key_with_e_65537() {
        let key = rsa_key();
        assert_eq!(rsa_modulus_bits(key.expose()), Ok(2048));
        let parsed = RsaPrivateKey::from_pkcs8_der(key.expose()).unwrap();
        assert_eq!(*parsed.e(), BigUint::from(65537u32));
        parsed.validate().unwrap();
        assert_ne!(rsa_key().expose(), other_rsa_key().expose());
    }

    #[test]
    fn rsa_generate_is_deterministic_under_a_seeded_source() {
        let again = rsa_generate(2048, &mut SeededEntropy::new(1)).unwrap();
        assert_eq!(again.expose(), rsa_key().expose());
    }

    #[test]
    fn rsa_generate_rejects_sizes_kms_does_not_offer() {
        for bits in [0, 512, 1024, 2047, 4097, 8192] {
            assert_eq!(
                rsa_generate(bits, &mut SeededEntropy::new(3)).unwrap_err(),
                CryptoError
            );
        }
    }

    /// An entropy source that has an RSA key ready, as the browser shell does.
    struct Supplies(Option<Secret>, SeededEntropy);
    impl Entropy for Supplies {
        fn fill(&mut self, dest: &mut [u8]) {
            self.1.fill(dest)
        }
        fn rsa_private_key(&mut self, _bits: usize) -> Option<Secret> {
            self.0.take()
        }
    }

    #[test]
    fn rsa_generate_takes_a_supplied_key_of_the_right_size() {
        let mut source = Supplies(Some(rsa_key().clone()), SeededEntropy::new(4));
        let key = rsa_generate(2048, &mut source).unwrap();
        assert_eq!(key.expose(), rsa_key().expose());
        // A supplied key of the wrong size, or something that is not an RSA key, is refused.
        let mut source = Supplies(Some(rsa_key().clone()), SeededEntropy::new(4));
        assert!(rsa_generate(3072, &mut source).is_err());
        let ec = ec_generate(Curve::P256, &mut SeededEntropy::new(4));
        assert!(rsa_generate(2048, &mut Supplies(Some(ec), SeededEntropy::new(4))).is_err());
        assert!(rsa_generate(
            2048,
            &mut Supplies(Some(Secret::new(vec![0x30, 0])), SeededEntropy::new(4))
        )
        .is_err());
    }

    #[test]
    fn rsa_public_key_der_is_an_rsa_spki_of_the_same_key() {
        let spki = public_key_der(rsa_key().expose()).unwrap();
        let public = RsaPublicKey::from_public_key_der(&spki).unwrap();
        let private = RsaPrivateKey::from_pkcs8_der(rsa_key().expose()).unwrap();
        assert_eq!(public, RsaPublicKey::from(&private));
        // Starts SEQUENCE { SEQUENCE { rsaEncryption, NULL } ... }, what GetPublicKey returns.
        assert_eq!(&spki[4..19], &hex("300d06092a864886f70d0101010500")[..]);
    }

    #[test]
    fn public_key_der_rejects_garbage() {
        assert!(public_key_der(b"").is_err());
        assert!(public_key_der(b"not a key").is_err());
        let key = rsa_key().expose();
        assert!(public_key_der(&key[..key.len() / 2]).is_err());
        assert!(rsa_modulus_bits(b"garbage").is_err());
        let ec = ec_generate(Curve::P256, &mut SeededEntropy::new(5));
        assert!(rsa_modulus_bits(ec.expose()).is_err());
    }

    // --- RSAES-OAEP ---

    #[test]
    fn oaep_round_trip_with_both_hashes() {
        for hash in [OaepHash::Sha1, OaepHash::Sha256] {
            let mut rng = SeededEntropy::new(10);
            let ct = rsa_oaep_encrypt(rsa_key().expose(), hash, b"a data key", &mut rng).unwrap();
            assert_eq!(ct.len(), 256);
            let pt = rsa_oaep_decrypt(rsa_key().expose(), hash, &ct, &mut SeededEntropy::new(20))
                .unwrap();
            assert_eq!(pt.expose(), b"a data key");
            // OAEP is randomised: the same plaintext encrypts differently each time.
            let ct2 = rsa_oaep_encrypt(rsa_key().expose(), hash, b"a data key", &mut rng).unwrap();
            assert_ne!(ct, ct2);
            // The hash is part of the padding: decrypting under the other one fails.
            let other = if hash == OaepHash::Sha1 {
                OaepHash::Sha256
            } else {
                OaepHash::Sha1
            };
            assert!(
                rsa_oaep_decrypt(rsa_key().expose(), other, &ct, &mut SeededEntropy::new(20))
                    .is_err()
            );
        }
    }

    #[test]
    fn oaep_max_plaintext_boundary() {
        assert_eq!(rsa_oaep_max_plaintext(2048, OaepHash::Sha1), 214);
        assert_eq!(rsa_oaep_max_plaintext(2048, OaepHash::Sha256), 190);
        assert_eq!(rsa_oaep_max_plaintext(3072, OaepHash::Sha1), 342);
        assert_eq!(rsa_oaep_max_plaintext(3072, OaepHash::Sha256), 318);
        assert_eq!(rsa_oaep_max_plaintext(4096, OaepHash::Sha1), 470);
        assert_eq!(rsa_oaep_max_plaintext(4096, OaepHash::Sha256), 446);
        let mut rng = SeededEntropy::new(11);
        for hash in [OaepHash::Sha1, OaepHash::Sha256] {
            let max = rsa_oaep_max_plaintext(2048, hash);
            let pt = vec![0xEE; max];
            let ct = rsa_oaep_encrypt(rsa_key().expose(), hash, &pt, &mut rng).unwrap();
            assert_eq!(
                rsa_oaep_decrypt(rsa_key().expose(), hash, &ct, &mut SeededEntropy::new(20))
                    .unwrap()
                    .expose(),
                &pt[..]
            );
            assert_eq!(
                rsa_oaep_encrypt(rsa_key().expose(), hash, &vec![0xEE; max + 1], &mut rng),
                Err(CryptoError)
            );
        }
    }

    #[test]
    fn oaep_detects_tampering_wrong_keys_and_bad_lengths() {
        let key = rsa_key().expose();
        let ct = rsa_oaep_encrypt(
            key,
            OaepHash::Sha256,
            b"secret",
            &mut SeededEntropy::new(12),
        )
        .unwrap();
        for i in [0, 1, 100, 255] {
            let mut bad = ct.clone();
            bad[i] ^= 0x40;
            assert!(
                rsa_oaep_decrypt(key, OaepHash::Sha256, &bad, &mut SeededEntropy::new(20)).is_err(),
                "flipped byte {i}"
            );
        }
        assert!(rsa_oaep_decrypt(
            other_rsa_key().expose(),
            OaepHash::Sha256,
            &ct,
            &mut SeededEntropy::new(20)
        )
        .is_err());
        for bad in [
            &[][..],
            &ct[..255],
            &[ct.clone(), vec![0]].concat()[..],
            &[0xFF; 256][..],
        ] {
            assert!(
                rsa_oaep_decrypt(key, OaepHash::Sha256, bad, &mut SeededEntropy::new(20)).is_err()
            );
        }
        assert!(rsa_oaep_decrypt(
            b"not a key",
            OaepHash::Sha256,
            &ct,
            &mut SeededEntropy::new(20)
        )
        .is_err());
        let ec = ec_generate(Curve::P256, &mut SeededEntropy::new(12));
        assert!(rsa_oaep_encrypt(
            ec.expose(),
            OaepHash::Sha256,
            b"x",
            &mut SeededEntropy::new(12)
        )
        .is_err());
    }

    // --- RSA signatures ---

    #[test]
    fn rsa_signatures_round_trip_for_every_algorithm() {
        let key = rsa_key().expose();
        let spki = public_key_der(key).unwrap();
        let mut rng = SeededEntropy::new(20);
        for alg in RSA_ALGS {
            let message = b"the message";
            let sig = sign(key, alg, Message::Raw(message), &mut rng).unwrap();
            assert_eq!(sig.len(), 256, "{alg:?}");
            assert_eq!(
                verify(key, alg, Message::Raw(message), &sig),
                Ok(true),
                "{alg:?}"
            );
            assert_eq!(
                verify_spki(&spki, alg, Message::Raw(message), &sig),
                Ok(true),
                "{alg:?}"
            );
            // RAW signs the hash of the message: the same signature verifies as DIGEST.
            let digest = hash_of(alg, message);
            assert_eq!(
                verify_spki(&spki, alg, Message::Digest(&digest), &sig),
                Ok(true),
                "{alg:?}"
            );
            let sig = sign(key, alg, Message::Digest(&digest), &mut rng).unwrap();
            assert_eq!(
                verify_spki(&spki, alg, Message::Raw(message), &sig),
                Ok(true),
                "{alg:?}"
            );
        }
    }

    #[test]
    fn rsa_signatures_fail_on_tampering_and_wrong_keys() {
        let key = rsa_key().expose();
        let spki = public_key_der(key).unwrap();
        let other_spki = public_key_der(other_rsa_key().expose()).unwrap();
        let mut rng = SeededEntropy::new(21);
        for alg in RSA_ALGS {
            let sig = sign(key, alg, Message::Raw(b"message"), &mut rng).unwrap();
            assert_eq!(
                verify_spki(&spki, alg, Message::Raw(b"messagf"), &sig),
                Ok(false)
            );
            assert_eq!(
                verify_spki(&other_spki, alg, Message::Raw(b"message"), &sig),
                Ok(false)
            );
            let mut bad = sig.clone();
            bad[128] ^= 1;
            assert_eq!(
                verify_spki(&spki, alg, Message::Raw(b"message"), &bad),
                Ok(false)
            );
            for malformed in [
                &[][..],
                &sig[..255],
                &[sig.clone(), vec![0]].concat()[..],
                &[0xFF; 256][..],
            ] {
                assert_eq!(
                    verify_spki(&spki, alg, Message::Raw(b"message"), malformed),
                    Ok(false)
                );
            }
        }
        // PSS and PKCS#1 v1.5 signatures are not interchangeable, nor are the hashes.
        let pss = sign(
            key,
            SigningAlgorithm::RsassaPssSha256,
            Message::Raw(b"m"),
            &mut rng,
        )
        .unwrap();
        assert_eq!(
            verify_spki(
                &spki,
                SigningAlgorithm::RsassaPkcs1V15Sha256,
                Message::Raw(b"m"),
                &pss
            ),
            Ok(false)
        );
        assert_eq!(
            verify_spki(
                &spki,
                SigningAlgorithm::RsassaPssSha384,
                Message::Raw(b"m"),
                &pss
            ),
            Ok(false)
        );
    }

    #[test]
    fn pkcs1v15_signatures_are_deterministic() {
        let key = rsa_key().expose();
        let alg = SigningAlgorithm::RsassaPkcs1V15Sha256;
        let a = sign(key, alg, Message::Raw(b"m"), &mut SeededEntropy::new(1)).unwrap();
        let b = sign(key, alg, Message::Raw(b"m"), &mut SeededEntropy::new(2)).unwrap();
        assert_eq!(a, b);
        // PSS is salted from the rng.
        let alg = SigningAlgorithm::RsassaPssSha256;
        let a = sign(key, alg, Message::Raw(b"m"), &mut SeededEntropy::new(1)).unwrap();
        let b = sign(key, alg, Message::Raw(b"m"), &mut SeededEntropy::new(2)).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn digest_messages_must_have_the_hash_length() {
        let key = rsa_key().expose();
        let mut rng = SeededEntropy::new(22);
        for alg in RSA_ALGS {
            let len = alg.digest_len().unwrap();
            for wrong in [0, len - 1, len + 1] {
                assert_eq!(
                    sign(key, alg, Message::Digest(&vec![1; wrong]), &mut rng),
                    Err(CryptoError)
                );
                assert_eq!(
                    verify(key, alg, Message::Digest(&vec![1; wrong]), &[0; 256]),
                    Err(CryptoError)
                );
            }
        }
    }

    // --- ECDSA ---

    #[test]
    fn ec_keys_are_pkcs8_on_the_right_curve_with_an_spki_public_key() {
        for curve in [Curve::P256, Curve::P384] {
            let key = ec_generate(curve, &mut SeededEntropy::new(30));
            let spki = public_key_der(key.expose()).unwrap();
            match curve {
                Curve::P256 => {
                    let secret = p256::SecretKey::from_pkcs8_der(key.expose()).unwrap();
                    assert_eq!(
                        p256::PublicKey::from_public_key_der(&spki).unwrap(),
                        secret.public_key()
                    );
                    assert_eq!(spki.len(), 91);
                }
                Curve::P384 => {
                    let secret = p384::SecretKey::from_pkcs8_der(key.expose()).unwrap();
                    assert_eq!(
                        p384::PublicKey::from_public_key_der(&spki).unwrap(),
                        secret.public_key()
                    );
                    assert_eq!(spki.len(), 120);
                }
                _ => unreachable!("P-256 and P-384 only"),
            }
            // Same seed, same key; another seed, another key.
            assert_eq!(
                ec_generate(curve, &mut SeededEntropy::new(30)).expose(),
                key.expose()
            );
            assert_ne!(
                ec_generate(curve, &mut SeededEntropy::new(31)).expose(),
                key.expose()
            );
        }
    }

    #[test]
    fn ecdsa_round_trip_der_signatures() {
        for curve in [Curve::P256, Curve::P384] {
            let alg = ecdsa_alg(curve);
            let key = ec_generate(curve, &mut SeededEntropy::new(32));
            let spki = public_key_der(key.expose()).unwrap();
            let mut rng = SeededEntropy::new(33);
            let sig = sign(key.expose(), alg, Message::Raw(b"hello"), &mut rng).unwrap();
            // DER Ecdsa-Sig-Value: SEQUENCE { INTEGER r, INTEGER s }.
            assert_eq!(sig[0], 0x30);
            assert_eq!(sig[1] as usize, sig.len() - 2);
            match curve {
                Curve::P256 => assert!(p256::ecdsa::Signature::from_der(&sig).is_ok()),
                Curve::P384 => assert!(p384::ecdsa::Signature::from_der(&sig).is_ok()),
                _ => unreachable!("P-256 and P-384 only"),
            }
            assert_eq!(
                verify_spki(&spki, alg, Message::Raw(b"hello"), &sig),
                Ok(true)
            );
            assert_eq!(
                verify(key.expose(), alg, Message::Raw(b"hello"), &sig),
                Ok(true)
            );
            let digest = hash_of(alg, b"hello");
            assert_eq!(
                verify_spki(&spki, alg, Message::Digest(&digest), &sig),
                Ok(true)
            );
            let sig = sign(key.expose(), alg, Message::Digest(&digest), &mut rng).unwrap();
            assert_eq!(
                verify_spki(&spki, alg, Message::Raw(b"hello"), &sig),
                Ok(true)
            );
        }
    }

    #[test]
    fn ecdsa_signing_draws_only_on_the_given_rng() {
        let key = ec_generate(Curve::P256, &mut SeededEntropy::new(34));
        let alg = SigningAlgorithm::EcdsaSha256;
        let a = sign(
            key.expose(),
            alg,
            Message::Raw(b"m"),
            &mut SeededEntropy::new(1),
        )
        .unwrap();
        let b = sign(
            key.expose(),
            alg,
            Message::Raw(b"m"),
            &mut SeededEntropy::new(1),
        )
        .unwrap();
        let c = sign(
            key.expose(),
            alg,
            Message::Raw(b"m"),
            &mut SeededEntropy::new(2),
        )
        .unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn ecdsa_from_the_scalar_equals_the_signing_key_path() {
        use p256::ecdsa::signature::hazmat::RandomizedPrehashSigner;
        for curve in [Curve::P256, Curve::P384] {
            let key = ec_generate(curve, &mut SeededEntropy::new(35));
            let alg = ecdsa_alg(curve);
            let ours = sign(
                key.expose(),
                alg,
                Message::Raw(b"m"),
                &mut SeededEntropy::new(7),
            )
            .unwrap();
            let digest = hash_of(alg, b"m");
            let mut rng = RngAdapter(&mut SeededEntropy::new(7) as &mut dyn Entropy);
            let theirs = match curve {
                Curve::P256 => {
                    let k = p256::ecdsa::SigningKey::from_pkcs8_der(key.expose()).unwrap();
                    let sig: p256::ecdsa::Signature =
                        k.sign_prehash_with_rng(&mut rng, &digest).unwrap();
                    sig.to_der().as_bytes().to_vec()
                }
                Curve::P384 => {
                    let k = p384::ecdsa::SigningKey::from_pkcs8_der(key.expose()).unwrap();
                    let sig: p384::ecdsa::Signature =
                        k.sign_prehash_with_rng(&mut rng, &digest).unwrap();
                    sig.to_der().as_bytes().to_vec()
                }
                _ => unreachable!("P-256 and P-384 only"),
            };
            assert_eq!(ours, theirs, "{curve:?}");
            // A key on the other curve is refused rather than misread.
            let other = if curve == Curve::P256 {
                Curve::P384
            } else {
                Curve::P256
            };
            assert_eq!(
                sign(
                    key.expose(),
                    ecdsa_alg(other),
                    Message::Raw(b"m"),
                    &mut SeededEntropy::new(7)
                ),
                Err(CryptoError)
            );
        }
    }

    #[test]
    fn ecdsa_fails_on_tampering_wrong_keys_and_malformed_signatures() {
        for curve in [Curve::P256, Curve::P384] {
            let alg = ecdsa_alg(curve);
            let key = ec_generate(curve, &mut SeededEntropy::new(35));
            let spki = public_key_der(key.expose()).unwrap();
            let other =
                public_key_der(ec_generate(curve, &mut SeededEntropy::new(36)).expose()).unwrap();
            let sig = sign(
                key.expose(),
                alg,
                Message::Raw(b"message"),
                &mut SeededEntropy::new(37),
            )
            .unwrap();
            assert_eq!(
                verify_spki(&spki, alg, Message::Raw(b"messagf"), &sig),
                Ok(false)
            );
            assert_eq!(
                verify_spki(&other, alg, Message::Raw(b"message"), &sig),
                Ok(false)
            );
            for i in 0..sig.len() {
                let mut bad = sig.clone();
                bad[i] ^= 0x01;
                assert_eq!(
                    verify_spki(&spki, alg, Message::Raw(b"message"), &bad),
                    Ok(false),
                    "byte {i}"
                );
            }
            for malformed in [
                &[][..],
                &[0x30, 0x00][..],
                &sig[..sig.len() - 1],
                &[0xFF; 64][..],
                &[0; 200][..],
            ] {
                assert_eq!(
                    verify_spki(&spki, alg, Message::Raw(b"message"), malformed),
                    Ok(false)
                );
            }
        }
    }

    #[test]
    fn algorithms_must_suit_the_key() {
        let rsa = rsa_key().expose();
        let p256 = ec_generate(Curve::P256, &mut SeededEntropy::new(40));
        let p384 = ec_generate(Curve::P384, &mut SeededEntropy::new(41));
        let mut rng = SeededEntropy::new(42);
        let m = Message::Raw(b"m");
        assert_eq!(
            sign(rsa, SigningAlgorithm::EcdsaSha256, m, &mut rng),
            Err(CryptoError)
        );
        assert_eq!(
            sign(
                p256.expose(),
                SigningAlgorithm::RsassaPssSha256,
                m,
                &mut rng
            ),
            Err(CryptoError)
        );
        assert_eq!(
            sign(p256.expose(), SigningAlgorithm::EcdsaSha384, m, &mut rng),
            Err(CryptoError)
        );
        assert_eq!(
            sign(p384.expose(), SigningAlgorithm::EcdsaSha256, m, &mut rng),
            Err(CryptoError)
        );
        let sig = sign(p256.expose(), SigningAlgorithm::EcdsaSha256, m, &mut rng).unwrap();
        let p256_spki = public_key_der(p256.expose()).unwrap();
        assert_eq!(
            verify_spki(&p256_spki, SigningAlgorithm::EcdsaSha384, m, &sig),
            Err(CryptoError)
        );
        assert_eq!(
            verify_spki(&p256_spki, SigningAlgorithm::RsassaPssSha256, m, &sig),
            Err(CryptoError)
        );
        let rsa_spki = public_key_der(rsa).unwrap();
        assert_eq!(
            verify_spki(&rsa_spki, SigningAlgorithm::EcdsaSha256, m, &sig),
            Err(CryptoError)
        );
        for unsupported in [
            SigningAlgorithm::EcdsaSha512,
            SigningAlgorithm::Sm2Dsa,
            SigningAlgorithm::Ed25519Sha512,
            SigningAlgorithm::MlDsaShake256,
        ] {
            assert_eq!(
                sign(p256.expose(), unsupported, m, &mut rng),
                Err(CryptoError)
            );
            assert_eq!(
                verify_spki(&p256_spki, unsupported, m, &sig),
                Err(CryptoError)
            );
        }
        assert_eq!(
            verify_spki(b"garbage", SigningAlgorithm::EcdsaSha256, m, &sig),
            Err(CryptoError)
        );
    }

    // --- HMAC ---

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        let expected = [
            "a30e01098bc6dbbf45690f3a7e9e6d0f8bbea2a39e6148008fd05e44",
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
            "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
        ];
        for (alg, tag) in MAC_ALGS.into_iter().zip(expected) {
            let mac = hmac(alg, b"Jefe", b"what do ya want for nothing?");
            assert_eq!(mac, hex(tag), "{alg:?}");
            assert_eq!(mac.len(), alg.output_len());
        }
    }

    #[test]
    fn hmac_verify_accepts_only_the_exact_full_tag() {
        for alg in MAC_ALGS {
            let key = [0x42u8; 64];
            let mac = hmac(alg, &key, b"message");
            assert!(hmac_verify(alg, &key, b"message", &mac));
            assert!(!hmac_verify(alg, &key, b"messagf", &mac));
            assert!(!hmac_verify(alg, &[0x43u8; 64], b"message", &mac));
            assert!(!hmac_verify(alg, &key, b"message", &mac[..mac.len() - 1]));
            assert!(!hmac_verify(
                alg,
                &key,
                b"message",
                &[mac.clone(), vec![0]].concat()
            ));
            assert!(!hmac_verify(alg, &key, b"message", &[]));
            let mut bad = mac.clone();
            bad[0] ^= 0x80;
            assert!(!hmac_verify(alg, &key, b"message", &bad));
        }
    }

    // --- RSA-4096: one key, from a fixed seed (so a fixed, few-second generation) ---

    #[test]
    fn rsa_4096_end_to_end() {
        let key = rsa_generate(4096, &mut SeededEntropy::new(50)).unwrap();
        assert_eq!(rsa_modulus_bits(key.expose()), Ok(4096));
        let mut rng = SeededEntropy::new(51);
        for hash in [OaepHash::Sha1, OaepHash::Sha256] {
            let max = rsa_oaep_max_plaintext(4096, hash);
            let pt = vec![3u8; max];
            let ct = rsa_oaep_encrypt(key.expose(), hash, &pt, &mut rng).unwrap();
            assert_eq!(
                rsa_oaep_decrypt(key.expose(), hash, &ct, &mut SeededEntropy::new(20))
                    .unwrap()
                    .expose(),
                &pt[..]
            );
            assert!(rsa_oaep_encrypt(key.expose(), hash, &vec![3u8; max + 1], &mut rng).is_err());
        }
        let spki = public_key_der(key.expose()).unwrap();
        for alg in RSA_ALGS {
            let sig = sign(key.expose(), alg, Message::Raw(b"m"), &mut rng).unwrap();
            assert_eq!(sig.len(), 512);
            assert_eq!(verify_spki(&spki, alg, Message::Raw(b"m"), &sig), Ok(true));
        }
    }
}
