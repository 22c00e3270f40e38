//! Elliptic curves of the prime-order Weierstrass kind (NIST P-256/P-384/P-521, secp256k1 and
//! SM2): key pairs, ECDSA, ECDH, SM2DSA and SM2PKE, written once over the RustCrypto curve
//! traits and dispatched per [`Curve`] by [`with_curve!`].

use super::{CryptoError, Curve, RngAdapter};
use crate::env::Entropy;
use crate::Secret;
use ecdsa::der::{MaxOverhead, MaxSize};
use ecdsa::hazmat::{bits2field, sign_prehashed, verify_prehashed};
use ecdsa::{Signature, SignatureSize};
use elliptic_curve::generic_array::ArrayLength;
use elliptic_curve::sec1::{FromEncodedPoint, ModulusSize, ToEncodedPoint};
use elliptic_curve::{
    AffinePoint, CurveArithmetic, FieldBytes, FieldBytesEncoding, FieldBytesSize, NonZeroScalar,
    PrimeCurve, PrimeField, PublicKey, Scalar, SecretKey,
};
use rsa::pkcs8::{AssociatedOid, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use sha2::digest;
use std::ops::Add;
use zeroize::Zeroizing;

/// Runs a function generic over the curve type for a [`Curve`].
macro_rules! with_curve {
    ($curve:expr, $($f:ident)::+ ( $($arg:expr),* $(,)? )) => {
        match $curve {
            Curve::P256 => $($f)::+::<p256::NistP256>($($arg),*),
            Curve::P384 => $($f)::+::<p384::NistP384>($($arg),*),
            Curve::P521 => $($f)::+::<p521::NistP521>($($arg),*),
            Curve::Secp256k1 => $($f)::+::<k256::Secp256k1>($($arg),*),
            Curve::Sm2 => $($f)::+::<sm2::Sm2>($($arg),*),
        }
    };
}
pub(super) use with_curve;

/// A new private key on `C` as PKCS#8 DER (id-ecPublicKey with the curve's named OID).
pub(super) fn generate<C>(rng: &mut dyn Entropy) -> Secret
where
    C: CurveArithmetic + AssociatedOid,
    AffinePoint<C>: FromEncodedPoint<C> + ToEncodedPoint<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let der = SecretKey::<C>::random(&mut RngAdapter(rng)).to_pkcs8_der();
    // Encoding a freshly made in-range scalar cannot fail.
    Secret::new(
        der.expect("a new EC key encodes as PKCS#8")
            .as_bytes()
            .to_vec(),
    )
}

/// The private scalar of a SEC1 private key (the bytes inside the PKCS#8), range-checked.
pub(super) fn scalar<C: CurveArithmetic>(
    sec1_private: &[u8],
) -> Result<Zeroizing<NonZeroScalar<C>>, CryptoError> {
    NonZeroScalar::<C>::try_from(sec1_private)
        .map(Zeroizing::new)
        .map_err(|_| CryptoError)
}

/// The DER SubjectPublicKeyInfo of a private scalar: one scalar multiplication.
pub(super) fn public_spki<C>(sec1_private: &[u8]) -> Result<Vec<u8>, CryptoError>
where
    C: CurveArithmetic + AssociatedOid,
    AffinePoint<C>: FromEncodedPoint<C> + ToEncodedPoint<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let d = scalar::<C>(sec1_private)?;
    let spki = PublicKey::<C>::from_secret_scalar(&d).to_public_key_der();
    Ok(spki.map_err(|_| CryptoError)?.into_vec())
}

/// A public key on `C` from a DER SubjectPublicKeyInfo. The SPKI's algorithm must be
/// id-ecPublicKey on this very curve, and the point on it.
fn public_key<C>(spki_der: &[u8]) -> Result<PublicKey<C>, CryptoError>
where
    C: CurveArithmetic + AssociatedOid,
    AffinePoint<C>: FromEncodedPoint<C> + ToEncodedPoint<C>,
    FieldBytesSize<C>: ModulusSize,
{
    PublicKey::<C>::from_public_key_der(spki_der).map_err(|_| CryptoError)
}

/// How an ECDSA signature's per-signature scalar k is chosen on each curve.
pub(super) trait Nonce: PrimeCurve + CurveArithmetic {
    fn nonce(d: &NonZeroScalar<Self>, z: &FieldBytes<Self>, rng: &mut dyn Entropy) -> Scalar<Self>;
}

/// RFC 6979 hedged with 32 bytes from the rng (what `SignPrimitive::try_sign_prehashed_rfc6979`
/// computes, so P-256 and P-384 sign exactly as before): deterministic under a seeded source, as
/// unpredictable as AWS's signatures under a real one. Its HMAC-DRBG needs the hash's output to
/// be as long as the curve's scalars.
fn rfc6979<D, C>(d: &NonZeroScalar<C>, z: &FieldBytes<C>, rng: &mut dyn Entropy) -> Scalar<C>
where
    C: PrimeCurve + CurveArithmetic,
    D: digest::Digest
        + digest::core_api::BlockSizeUser
        + digest::FixedOutputReset
        + digest::FixedOutput<OutputSize = FieldBytesSize<C>>,
{
    let mut ad = Zeroizing::new(FieldBytes::<C>::default());
    rng.fill(&mut ad);
    let k = rfc6979::generate_k::<D, FieldBytesSize<C>>(
        &d.to_repr(),
        &C::ORDER.encode_field_bytes(),
        z,
        &ad,
    );
    // generate_k returns a value in [1, n-1]: always a scalar.
    Option::from(Scalar::<C>::from_repr(k)).expect("RFC 6979 k is below the order")
}

impl Nonce for p256::NistP256 {
    fn nonce(d: &NonZeroScalar<Self>, z: &FieldBytes<Self>, rng: &mut dyn Entropy) -> Scalar<Self> {
        rfc6979::<sha2::Sha256, Self>(d, z, rng)
    }
}

impl Nonce for p384::NistP384 {
    fn nonce(d: &NonZeroScalar<Self>, z: &FieldBytes<Self>, rng: &mut dyn Entropy) -> Scalar<Self> {
        rfc6979::<sha2::Sha384, Self>(d, z, rng)
    }
}

impl Nonce for k256::Secp256k1 {
    fn nonce(d: &NonZeroScalar<Self>, z: &FieldBytes<Self>, rng: &mut dyn Entropy) -> Scalar<Self> {
        rfc6979::<sha2::Sha256, Self>(d, z, rng)
    }
}

/// P-521's 66-byte scalars meet no SHA-2 output: k is uniformly random from the rng, as the
/// p521 crate's own signer draws it.
impl Nonce for p521::NistP521 {
    fn nonce(_: &NonZeroScalar<Self>, _: &FieldBytes<Self>, rng: &mut dyn Entropy) -> Scalar<Self> {
        *NonZeroScalar::<Self>::random(&mut RngAdapter(rng))
    }
}

/// Never used for ECDSA (SM2 keys sign with SM2DSA); [`with_curve!`] needs every curve to have
/// one.
impl Nonce for sm2::Sm2 {
    fn nonce(d: &NonZeroScalar<Self>, z: &FieldBytes<Self>, rng: &mut dyn Entropy) -> Scalar<Self> {
        rfc6979::<sm3::Sm3, Self>(d, z, rng)
    }
}

/// ECDSA over an already-hashed message; the signature is DER (`Ecdsa-Sig-Value`), as AWS KMS
/// returns it. No low-S normalisation (k256's own signer would normalise): AWS does not
/// normalise secp256k1 signatures either.
pub(super) fn ecdsa_sign<C>(
    sec1_private: &[u8],
    digest: &[u8],
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError>
where
    C: Nonce,
    SignatureSize<C>: ArrayLength<u8>,
    MaxSize<C>: ArrayLength<u8>,
    <FieldBytesSize<C> as Add>::Output: Add<MaxOverhead> + ArrayLength<u8>,
{
    let d = scalar::<C>(sec1_private)?;
    let z = bits2field::<C>(digest).map_err(|_| CryptoError)?;
    let k = Zeroizing::new(C::nonce(&d, &z, rng));
    let (sig, _) = sign_prehashed::<C, Scalar<C>>(&d, *k, &z).map_err(|_| CryptoError)?;
    Ok(sig.to_der().as_bytes().to_vec())
}

/// `Ok(false)` for a signature that does not verify or is not DER. Accepts high-S signatures
/// (the plain ECDSA of FIPS 186-4, which is what KMS signs with).
pub(super) fn ecdsa_verify<C>(
    spki_der: &[u8],
    digest: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError>
where
    C: PrimeCurve + CurveArithmetic + AssociatedOid,
    AffinePoint<C>: FromEncodedPoint<C> + ToEncodedPoint<C>,
    FieldBytesSize<C>: ModulusSize,
    SignatureSize<C>: ArrayLength<u8>,
    MaxSize<C>: ArrayLength<u8>,
    <FieldBytesSize<C> as Add>::Output: Add<MaxOverhead> + ArrayLength<u8>,
{
    let q = public_key::<C>(spki_der)?;
    let z = bits2field::<C>(digest).map_err(|_| CryptoError)?;
    Ok(Signature::<C>::from_der(signature)
        .is_ok_and(|sig| verify_prehashed::<C>(&q.to_projective(), &z, &sig).is_ok()))
}

/// ECDH (SP 800-56A's cofactor Diffie-Hellman primitive; these curves have cofactor 1): the
/// x-coordinate of d·Q, what DeriveSharedSecret returns. Refuses a peer key that is not an
/// SPKI on the same curve.
pub(super) fn ecdh<C>(sec1_private: &[u8], peer_spki_der: &[u8]) -> Result<Secret, CryptoError>
where
    C: CurveArithmetic + AssociatedOid,
    AffinePoint<C>: FromEncodedPoint<C> + ToEncodedPoint<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let d = scalar::<C>(sec1_private)?;
    let peer = public_key::<C>(peer_spki_der)?;
    let d: &NonZeroScalar<C> = &d;
    let shared = elliptic_curve::ecdh::diffie_hellman(d, peer.as_affine());
    Ok(Secret::new(shared.raw_secret_bytes().to_vec()))
}

// --- SM2 (GM/T 0003) ---

/// The distinguishing ID AWS KMS uses for SM2DSA (GM/T 0009-2012's default).
pub const SM2_DEFAULT_DISTID: &str = "1234567812345678";

/// SM3(ZA || M) with KMS's distinguishing ID: the digest SM2DSA signs, what a DIGEST message for
/// SM2DSA must be (AWS's `calculateSM2Digest`).
pub fn sm2_digest(public_spki_der: &[u8], message: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let key = sm2::PublicKey::from_public_key_der(public_spki_der).map_err(|_| CryptoError)?;
    sm2_digest_with(key, message)
}

fn sm2_digest_with(key: sm2::PublicKey, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
    // ZA, then SM3(ZA || M) (the sm2 crate keeps its ZA private).
    let za = sm2_za(key.to_encoded_point(false).as_bytes())?;
    let mut h = <sm3::Sm3 as digest::Digest>::new();
    digest::Digest::update(&mut h, za);
    digest::Digest::update(&mut h, message);
    Ok(digest::Digest::finalize(h).to_vec())
}

/// ZA = SM3(ENTLA || ID || a || b || xG || yG || xA || yA), for an uncompressed SEC1 point.
fn sm2_za(uncompressed: &[u8]) -> Result<[u8; 32], CryptoError> {
    use digest::Digest;
    use sm2_params as hl;
    if uncompressed.len() != 65 || uncompressed[0] != 4 {
        return Err(CryptoError);
    }
    let id = SM2_DEFAULT_DISTID.as_bytes();
    let mut h = sm3::Sm3::new();
    h.update(((id.len() * 8) as u16).to_be_bytes());
    h.update(id);
    h.update(hl::SM2_A);
    h.update(hl::SM2_B);
    h.update(hl::SM2_GX);
    h.update(hl::SM2_GY);
    h.update(&uncompressed[1..]);
    Ok(h.finalize().into())
}

/// The SM2 curve's parameters (GM/T 0003.5), as ZA hashes them.
mod sm2_params {
    const fn h(s: &str) -> [u8; 32] {
        let b = s.as_bytes();
        let mut out = [0u8; 32];
        let mut i = 0;
        while i < 32 {
            out[i] = nibble(b[2 * i]) << 4 | nibble(b[2 * i + 1]);
            i += 1;
        }
        out
    }
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => c - b'A' + 10,
        }
    }
    pub const SM2_A: [u8; 32] =
        h("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC");
    pub const SM2_B: [u8; 32] =
        h("28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93");
    pub const SM2_GX: [u8; 32] =
        h("32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7");
    pub const SM2_GY: [u8; 32] =
        h("BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0");
}

/// SM2DSA (GM/T 0003.2 § 6.1) over SM3(ZA || M) (RAW) or a given 32-byte SM3 digest (DIGEST),
/// k by RFC 6979 over SM3 hedged with the rng (what the sm2 crate's signer computes; written out
/// here because its SigningKey keeps a copy of the scalar it never zeroes). The signature is DER
/// like ECDSA's (SEQUENCE { r, s }), as Bouncy Castle and OpenSSL write it.
pub(super) fn sm2_sign(
    sec1_private: &[u8],
    raw: Option<&[u8]>,
    digest: &[u8],
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    use elliptic_curve::ops::{MulByGenerator, Reduce};
    use elliptic_curve::point::AffineCoordinates;
    type S = sm2::Scalar;
    let d = scalar::<sm2::Sm2>(sec1_private)?;
    let owned;
    let prehash = match raw {
        Some(message) => {
            let public = PublicKey::<sm2::Sm2>::from_secret_scalar(&d);
            owned = sm2_digest_with(public, message)?;
            &owned[..]
        }
        None => digest,
    };
    if prehash.len() != 32 {
        return Err(CryptoError);
    }
    let prehash = FieldBytes::<sm2::Sm2>::from_slice(prehash);
    // A2: e = Hv(M~) as a scalar.
    let e = <S as Reduce<sm2::U256>>::reduce_bytes(prehash);
    let d_plus_1_inv = Option::<S>::from((**d + S::ONE).invert()).ok_or(CryptoError)?;
    loop {
        // A3: k, fresh hedging data on each (vanishingly rare) retry.
        let k = Zeroizing::new(rfc6979::<sm3::Sm3, sm2::Sm2>(&d, &e.to_repr(), rng));
        // A4, A5: r = (e + x1) mod n, retried if r = 0 or r + k = n.
        let x1 = sm2::ProjectivePoint::mul_by_generator(&*k).to_affine().x();
        let r = e + <S as Reduce<sm2::U256>>::reduce_bytes(&x1);
        if bool::from(r.is_zero() | (r + *k).is_zero()) {
            continue;
        }
        // A6: s = (1 + d)^-1 (k - r d) mod n, retried if 0.
        let s = d_plus_1_inv * (*k - r * **d);
        if bool::from(s.is_zero()) {
            continue;
        }
        let sig = Signature::<sm2::Sm2>::from_scalars(r, s).map_err(|_| CryptoError)?;
        return Ok(sig.to_der().as_bytes().to_vec());
    }
}

pub(super) fn sm2_verify(
    spki_der: &[u8],
    raw: Option<&[u8]>,
    digest: &[u8],
    signature: &[u8],
) -> Result<bool, CryptoError> {
    use sm2::dsa::signature::hazmat::PrehashVerifier;
    let key = sm2::PublicKey::from_public_key_der(spki_der).map_err(|_| CryptoError)?;
    let owned;
    let prehash = match raw {
        Some(message) => {
            owned = sm2_digest_with(key, message)?;
            &owned[..]
        }
        None => digest,
    };
    let vk = sm2::dsa::VerifyingKey::new(SM2_DEFAULT_DISTID, key).map_err(|_| CryptoError)?;
    let Ok(der) = Signature::<sm2::Sm2>::from_der(signature) else {
        return Ok(false);
    };
    let Ok(sig) = sm2::dsa::Signature::from_scalars(der.r().to_repr(), der.s().to_repr()) else {
        return Ok(false);
    };
    Ok(vk.verify_prehash(prehash, &sig).is_ok())
}

/// SM3's output length, the length of SM2PKE's C3.
const SM3_LEN: usize = 32;

/// GM/T 0003.4's KDF: SM3(Z || counter) blocks, counter from 1, big-endian 32-bit.
fn sm2_kdf(z: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
    use digest::Digest;
    let mut out = Zeroizing::new(Vec::with_capacity(len + SM3_LEN));
    let mut counter: u32 = 1;
    while out.len() < len {
        let mut h = sm3::Sm3::new();
        h.update(z);
        h.update(counter.to_be_bytes());
        out.extend_from_slice(&h.finalize());
        counter += 1;
    }
    out.truncate(len);
    out
}

/// x2 || y2 of a point, the input of SM2PKE's KDF and C3.
fn sm2_xy(point: &sm2::AffinePoint) -> Zeroizing<Vec<u8>> {
    use sm2::elliptic_curve::sec1::ToEncodedPoint as _;
    Zeroizing::new(point.to_encoded_point(false).as_bytes()[1..].to_vec())
}

/// SM2PKE encryption to a public key, as KMS's Encrypt with SM2PKE answers: the GM/T 0009 DER
/// form SEQUENCE { INTEGER x1, INTEGER y1, OCTET STRING C3, OCTET STRING C2 } (what AWS's
/// `SM2OfflineOperationHelper` converts Bouncy Castle's C1C2C3 into).
pub(super) fn sm2_encrypt(
    sec1_private: &[u8],
    plaintext: &[u8],
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    use elliptic_curve::ops::MulByGenerator;
    let d = scalar::<sm2::Sm2>(sec1_private)?;
    sm2_encrypt_to(sm2::ProjectivePoint::mul_by_generator(&**d), plaintext, rng)
}

/// SM2PKE to a public key given as DER SubjectPublicKeyInfo (what a caller does with the SM2
/// wrapping key of GetParametersForImport).
pub fn sm2_encrypt_spki(
    public_spki_der: &[u8],
    plaintext: &[u8],
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    let key = sm2::PublicKey::from_public_key_der(public_spki_der).map_err(|_| CryptoError)?;
    sm2_encrypt_to(key.to_projective(), plaintext, rng)
}

fn sm2_encrypt_to(
    public: sm2::ProjectivePoint,
    plaintext: &[u8],
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    use digest::Digest;
    use elliptic_curve::ops::MulByGenerator;
    loop {
        let k = Zeroizing::new(*NonZeroScalar::<sm2::Sm2>::random(&mut RngAdapter(rng)));
        let c1 = sm2::ProjectivePoint::mul_by_generator(&*k).to_affine();
        let shared = (public * *k).to_affine();
        let xy = sm2_xy(&shared);
        let t = sm2_kdf(&xy, plaintext.len());
        // GM/T 0003.4 step A5: an all-zero t would leak M; draw another k.
        if t.iter().all(|&b| b == 0) {
            continue;
        }
        let c2: Vec<u8> = plaintext.iter().zip(t.iter()).map(|(m, t)| m ^ t).collect();
        let mut h = sm3::Sm3::new();
        h.update(&xy[..32]);
        h.update(plaintext);
        h.update(&xy[32..]);
        let c3 = h.finalize();
        let c1 = sm2_xy(&c1);
        return Ok(sm2_ciphertext_der(&c1[..32], &c1[32..], &c3, &c2));
    }
}

/// Decrypts what [`sm2_encrypt`] makes; `Err` for any ciphertext that is malformed, not on the
/// curve or fails C3's check (opaque: no detail to make an oracle of).
pub(super) fn sm2_decrypt(sec1_private: &[u8], ciphertext: &[u8]) -> Result<Secret, CryptoError> {
    use digest::Digest;
    use subtle::ConstantTimeEq;
    let (x1, y1, c3, c2) = sm2_ciphertext_parse(ciphertext).ok_or(CryptoError)?;
    let mut sec1 = vec![4u8];
    sec1.extend_from_slice(&x1);
    sec1.extend_from_slice(&y1);
    let c1 = sm2::PublicKey::from_sec1_bytes(&sec1).map_err(|_| CryptoError)?;
    let d = scalar::<sm2::Sm2>(sec1_private)?;
    let shared = (c1.to_projective() * *d.as_ref()).to_affine();
    let xy = sm2_xy(&shared);
    let t = sm2_kdf(&xy, c2.len());
    if t.iter().all(|&b| b == 0) {
        return Err(CryptoError);
    }
    let plaintext = Secret::new(c2.iter().zip(t.iter()).map(|(c, t)| c ^ t).collect());
    let mut h = sm3::Sm3::new();
    h.update(&xy[..32]);
    h.update(plaintext.expose());
    h.update(&xy[32..]);
    if bool::from(h.finalize().as_slice().ct_eq(c3)) {
        Ok(plaintext)
    } else {
        Err(CryptoError)
    }
}

fn sm2_ciphertext_der(x1: &[u8], y1: &[u8], c3: &[u8], c2: &[u8]) -> Vec<u8> {
    use der::asn1::{OctetStringRef, UintRef};
    use der::{Encode, Sequence};
    #[derive(Sequence)]
    struct Sm2Cipher<'a> {
        x: UintRef<'a>,
        y: UintRef<'a>,
        hash: OctetStringRef<'a>,
        cipher: OctetStringRef<'a>,
    }
    let value = Sm2Cipher {
        x: UintRef::new(x1).expect("32 bytes make an INTEGER"),
        y: UintRef::new(y1).expect("32 bytes make an INTEGER"),
        hash: OctetStringRef::new(c3).expect("32 bytes make an OCTET STRING"),
        cipher: OctetStringRef::new(c2).expect("KMS plaintexts make an OCTET STRING"),
    };
    value.to_der().expect("an SM2 ciphertext encodes")
}

/// (x1, y1, C3, C2) of a DER SM2 ciphertext, the coordinates left-padded to 32 bytes.
#[allow(clippy::type_complexity)]
fn sm2_ciphertext_parse(der: &[u8]) -> Option<([u8; 32], [u8; 32], &[u8], &[u8])> {
    use der::asn1::{OctetStringRef, UintRef};
    use der::{Decode, Sequence};
    #[derive(Sequence)]
    struct Sm2Cipher<'a> {
        x: UintRef<'a>,
        y: UintRef<'a>,
        hash: OctetStringRef<'a>,
        cipher: OctetStringRef<'a>,
    }
    let value = Sm2Cipher::from_der(der).ok()?;
    let pad = |u: UintRef<'_>| -> Option<[u8; 32]> {
        let b = u.as_bytes();
        let mut out = [0u8; 32];
        out.get_mut(32usize.checked_sub(b.len())?..)?
            .copy_from_slice(b);
        Some(out)
    };
    if value.hash.as_bytes().len() != SM3_LEN || value.cipher.as_bytes().is_empty() {
        return None;
    }
    Some((
        pad(value.x)?,
        pad(value.y)?,
        value.hash.as_bytes(),
        value.cipher.as_bytes(),
    ))
}

/// The curve a [`Curve`] names, for code outside this module that needs only its id.
impl Curve {
    pub(super) fn generate(self, rng: &mut dyn Entropy) -> Secret {
        with_curve!(self, generate(rng))
    }
}
