//! The engine's cryptography, on RustCrypto crates. Private key material is passed in as
//! PKCS#8 DER (RSA, ECC), raw bytes (AES, HMAC); nothing here keeps state.
//!
//! Failures are deliberately opaque (`CryptoError`): no detail that could become an oracle.

use crate::env::{Entropy, RngAdapter};
use crate::spec::{MacAlgorithm, SigningAlgorithm};
use crate::Secret;
use aes_gcm::aead::{AeadInPlace, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce, Tag};
use hmac::{Hmac, Mac};
use p256::ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
use rsa::pkcs8::{
    AlgorithmIdentifierRef, DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey,
    ObjectIdentifier, PrivateKeyInfo, SubjectPublicKeyInfoRef,
};
use rsa::traits::PublicKeyParts;
use rsa::{BigUint, Oaep, Pkcs1v15Sign, Pss, RsaPrivateKey, RsaPublicKey};
use sha1::Sha1;
use sha2::{Digest, Sha224, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CryptoError;

/// OAEP's hash (MGF1 uses the same hash, as in AWS KMS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OaepHash {
    Sha1,
    Sha256,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Curve {
    P256,
    P384,
}

/// What Sign/Verify are given: the message itself, or its digest (`MessageType` RAW/DIGEST).
#[derive(Debug, Clone, Copy)]
pub enum Message<'a> {
    Raw(&'a [u8]),
    Digest(&'a [u8]),
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

/// AES-256-GCM (a 32-byte key, a 12-byte nonce); returns ciphertext || 16-byte tag.
///
/// # Panics
/// If `key` is not 32 bytes. Keys come from the engine's own records, never from a caller, so a
/// wrong length is an engine bug; there is no ciphertext that could stand in for an error.
pub fn aes_gcm_seal(key: &[u8], nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    let cipher = Aes256Gcm::new_from_slice(key).expect("AES-256-GCM needs a 32-byte key");
    // Encrypt in place in a buffer already big enough for the tag, so no copy of the
    // plaintext is left behind by a reallocation.
    let mut sealed = Vec::with_capacity(plaintext.len() + GCM_TAG_LEN);
    sealed.extend_from_slice(plaintext);
    let tag = cipher
        .encrypt_in_place_detached(Nonce::from_slice(nonce), aad, &mut sealed)
        .expect("KMS plaintexts are far below GCM's 64 GiB limit");
    sealed.extend_from_slice(&tag);
    sealed
}

/// Opens what [`aes_gcm_seal`] made; `None` for any tampering or a wrong key/nonce/aad.
pub fn aes_gcm_open(key: &[u8], nonce: &[u8; 12], aad: &[u8], sealed: &[u8]) -> Option<Secret> {
    let cipher = Aes256Gcm::new_from_slice(key).ok()?;
    let (ciphertext, tag) = sealed.split_at(sealed.len().checked_sub(GCM_TAG_LEN)?);
    // Decrypt straight into the Secret so the plaintext never sits in an unzeroized buffer.
    // GCM checks the tag before it decrypts, so on failure the buffer still holds ciphertext.
    let mut plaintext = Secret::new(ciphertext.to_vec());
    cipher
        .decrypt_in_place_detached(Nonce::from_slice(nonce), aad, plaintext.expose_mut(), Tag::from_slice(tag))
        .ok()?;
    Some(plaintext)
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

/// A new ECC private key as PKCS#8 DER.
pub fn ec_generate(curve: Curve, rng: &mut dyn Entropy) -> Secret {
    let mut rng = RngAdapter(rng);
    let der = match curve {
        Curve::P256 => p256::SecretKey::random(&mut rng).to_pkcs8_der(),
        Curve::P384 => p384::SecretKey::random(&mut rng).to_pkcs8_der(),
    };
    // Encoding a freshly made in-range scalar cannot fail.
    let der = der.expect("a new EC key encodes as PKCS#8");
    Secret::new(der.as_bytes().to_vec())
}

/// The kinds of key KMS hands out for asymmetric specs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeyKind {
    Rsa,
    Ec(Curve),
}

/// Reads the key kind from a PKCS#8 or SPKI algorithm identifier (rsaEncryption, or
/// id-ecPublicKey with a named curve).
fn key_kind(algorithm: &AlgorithmIdentifierRef<'_>) -> Result<KeyKind, CryptoError> {
    match algorithm.oids().map_err(|_| CryptoError)? {
        (oid, None) if oid == OID_RSA_ENCRYPTION => Ok(KeyKind::Rsa),
        (oid, Some(curve)) if oid == OID_EC_PUBLIC_KEY && curve == OID_SECP256R1 => Ok(KeyKind::Ec(Curve::P256)),
        (oid, Some(curve)) if oid == OID_EC_PUBLIC_KEY && curve == OID_SECP384R1 => Ok(KeyKind::Ec(Curve::P384)),
        _ => Err(CryptoError),
    }
}

fn rsa_private(private_pkcs8: &[u8]) -> Result<RsaPrivateKey, CryptoError> {
    RsaPrivateKey::from_pkcs8_der(private_pkcs8).map_err(|_| CryptoError)
}

/// The DER SubjectPublicKeyInfo of an RSA or ECC private key given as PKCS#8 DER (what
/// GetPublicKey returns). Works out the algorithm from the PKCS#8 itself.
pub fn public_key_der(private_pkcs8: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let info = PrivateKeyInfo::try_from(private_pkcs8).map_err(|_| CryptoError)?;
    let spki = match key_kind(&info.algorithm)? {
        KeyKind::Rsa => RsaPublicKey::from(&rsa_private(private_pkcs8)?).to_public_key_der(),
        KeyKind::Ec(Curve::P256) => p256::SecretKey::from_pkcs8_der(private_pkcs8)
            .map_err(|_| CryptoError)?
            .public_key()
            .to_public_key_der(),
        KeyKind::Ec(Curve::P384) => p384::SecretKey::from_pkcs8_der(private_pkcs8)
            .map_err(|_| CryptoError)?
            .public_key()
            .to_public_key_der(),
    };
    Ok(spki.map_err(|_| CryptoError)?.into_vec())
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
    public.encrypt(&mut RngAdapter(rng), oaep(hash), plaintext).map_err(|_| CryptoError)
}

pub fn rsa_oaep_decrypt(private_pkcs8: &[u8], hash: OaepHash, ciphertext: &[u8]) -> Result<Secret, CryptoError> {
    let key = rsa_private(private_pkcs8)?;
    // Blind the private-key operation even though no entropy is passed in: the blinding
    // factor comes from a stream keyed by the private key, which a caller cannot predict.
    let mut blinding = KeyedStream::new(private_pkcs8, ciphertext);
    let plaintext = key.decrypt_blinded(&mut blinding, oaep(hash), ciphertext).map_err(|_| CryptoError)?;
    Ok(Secret::new(plaintext))
}

/// A deterministic byte stream, SHA-256(seed || counter) with the seed hashed from the private
/// key and the input. Used only for RSA blinding where no `Entropy` is at hand.
struct KeyedStream {
    seed: Zeroizing<[u8; 32]>,
    counter: u64,
}

impl KeyedStream {
    fn new(private_pkcs8: &[u8], input: &[u8]) -> Self {
        let mut h = Sha256::new();
        h.update(b"kms-sandbox rsa blinding");
        h.update((private_pkcs8.len() as u64).to_be_bytes());
        h.update(private_pkcs8);
        h.update(input);
        KeyedStream { seed: Zeroizing::new(h.finalize().into()), counter: 0 }
    }
}

impl rand_core::RngCore for KeyedStream {
    fn next_u32(&mut self) -> u32 {
        let mut b = [0u8; 4];
        self.fill_bytes(&mut b);
        u32::from_le_bytes(b)
    }
    fn next_u64(&mut self) -> u64 {
        let mut b = [0u8; 8];
        self.fill_bytes(&mut b);
        u64::from_le_bytes(b)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(32) {
            let mut h = Sha256::new();
            h.update(*self.seed);
            h.update(self.counter.to_be_bytes());
            self.counter += 1;
            let block = Zeroizing::new(<[u8; 32]>::from(h.finalize()));
            chunk.copy_from_slice(&block[..chunk.len()]);
        }
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for KeyedStream {}

/// The hash a signing algorithm uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SigHash {
    Sha256,
    Sha384,
    Sha512,
}

impl SigHash {
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
    RsaPss,
    RsaPkcs1,
    Ecdsa(Curve),
}

/// The signing algorithms this engine implements. ECDSA is tied to its curve as in KMS
/// (ECC_NIST_P256 signs with ECDSA_SHA_256, ECC_NIST_P384 with ECDSA_SHA_384).
fn scheme(alg: SigningAlgorithm) -> Result<(Scheme, SigHash), CryptoError> {
    use SigningAlgorithm::*;
    Ok(match alg {
        RsassaPssSha256 => (Scheme::RsaPss, SigHash::Sha256),
        RsassaPssSha384 => (Scheme::RsaPss, SigHash::Sha384),
        RsassaPssSha512 => (Scheme::RsaPss, SigHash::Sha512),
        RsassaPkcs1V15Sha256 => (Scheme::RsaPkcs1, SigHash::Sha256),
        RsassaPkcs1V15Sha384 => (Scheme::RsaPkcs1, SigHash::Sha384),
        RsassaPkcs1V15Sha512 => (Scheme::RsaPkcs1, SigHash::Sha512),
        EcdsaSha256 => (Scheme::Ecdsa(Curve::P256), SigHash::Sha256),
        EcdsaSha384 => (Scheme::Ecdsa(Curve::P384), SigHash::Sha384),
        _ => return Err(CryptoError),
    })
}

/// The digest that gets signed: RAW messages are hashed here, DIGEST messages must already
/// have the hash's length.
fn prehash(hash: SigHash, message: Message<'_>) -> Result<Vec<u8>, CryptoError> {
    match message {
        Message::Raw(m) => Ok(hash.digest(m)),
        Message::Digest(d) if d.len() == hash.len() => Ok(d.to_vec()),
        Message::Digest(_) => Err(CryptoError),
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

/// Signs as AWS KMS does: RSA signatures are the raw signature bytes, ECDSA signatures are DER
/// (`Ecdsa-Sig-Value`). A `Message::Digest` is signed as the already-hashed message. The
/// caller has checked that `alg` suits the key and that a digest has the right length.
pub fn sign(
    private_pkcs8: &[u8],
    alg: SigningAlgorithm,
    message: Message<'_>,
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    let (scheme, hash) = scheme(alg)?;
    let digest = prehash(hash, message)?;
    let mut rng = RngAdapter(rng);
    let signature = match scheme {
        // The rng gives PSS its salt and blinds the private-key operation in both schemes.
        Scheme::RsaPss => rsa_private(private_pkcs8)?.sign_with_rng(&mut rng, pss(hash), &digest),
        Scheme::RsaPkcs1 => rsa_private(private_pkcs8)?.sign_with_rng(&mut rng, pkcs1v15(hash), &digest),
        // RFC 6979 nonces hedged with the rng: deterministic under a seeded source, and as
        // unpredictable as AWS's signatures under a real one. Decoding the signing key checks
        // that the PKCS#8 is on the algorithm's curve.
        Scheme::Ecdsa(Curve::P256) => {
            let key = p256::ecdsa::SigningKey::from_pkcs8_der(private_pkcs8).map_err(|_| CryptoError)?;
            let sig: p256::ecdsa::Signature = key.sign_prehash_with_rng(&mut rng, &digest).map_err(|_| CryptoError)?;
            Ok(sig.to_der().as_bytes().to_vec())
        }
        Scheme::Ecdsa(Curve::P384) => {
            let key = p384::ecdsa::SigningKey::from_pkcs8_der(private_pkcs8).map_err(|_| CryptoError)?;
            let sig: p384::ecdsa::Signature = key.sign_prehash_with_rng(&mut rng, &digest).map_err(|_| CryptoError)?;
            Ok(sig.to_der().as_bytes().to_vec())
        }
    };
    signature.map_err(|_| CryptoError)
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
/// malformed ones included; `Err` when the key cannot be read or does not suit `alg`.
pub fn verify_spki(
    public_spki_der: &[u8],
    alg: SigningAlgorithm,
    message: Message<'_>,
    signature: &[u8],
) -> Result<bool, CryptoError> {
    let (scheme, hash) = scheme(alg)?;
    let spki = SubjectPublicKeyInfoRef::try_from(public_spki_der).map_err(|_| CryptoError)?;
    let kind = key_kind(&spki.algorithm)?;
    let digest = prehash(hash, message)?;
    match scheme {
        Scheme::RsaPss | Scheme::RsaPkcs1 => {
            if kind != KeyKind::Rsa {
                return Err(CryptoError);
            }
            let key = RsaPublicKey::from_public_key_der(public_spki_der).map_err(|_| CryptoError)?;
            let verified = match scheme {
                Scheme::RsaPss => key.verify(pss(hash), &digest, signature),
                _ => key.verify(pkcs1v15(hash), &digest, signature),
            };
            Ok(verified.is_ok())
        }
        Scheme::Ecdsa(curve) => {
            if kind != KeyKind::Ec(curve) {
                return Err(CryptoError);
            }
            Ok(match curve {
                Curve::P256 => {
                    let key = p256::ecdsa::VerifyingKey::from_public_key_der(public_spki_der).map_err(|_| CryptoError)?;
                    p256::ecdsa::Signature::from_der(signature)
                        .is_ok_and(|sig| key.verify_prehash(&digest, &sig).is_ok())
                }
                Curve::P384 => {
                    let key = p384::ecdsa::VerifyingKey::from_public_key_der(public_spki_der).map_err(|_| CryptoError)?;
                    p384::ecdsa::Signature::from_der(signature)
                        .is_ok_and(|sig| key.verify_prehash(&digest, &sig).is_ok())
                }
            })
        }
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
