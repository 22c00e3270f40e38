//! The post-quantum key specs: ML-DSA (FIPS 204) and ML-KEM (FIPS 203). Private keys are kept in
//! the IETF LAMPS seed format (a PKCS#8 whose privateKey is `[0] IMPLICIT OCTET STRING` holding
//! the seed), which is what GenerateDataKeyPair documents for ML-KEM: the same length at every
//! security level.

use super::{pkcs8_private, spki, CryptoError, MlDsa, MlKem};
use crate::env::{Entropy, RngAdapter};
use crate::Secret;
use ml_dsa::{MlDsaParams, Signature};
use ml_kem::kem::{Decapsulate, KeyExport};
use ml_kem::{DecapsulationKey, EncapsulationKey};
use zeroize::Zeroizing;

/// The seed-form private key: `[0] IMPLICIT OCTET STRING` (80 len seed).
fn seed_private(seed: &[u8]) -> Zeroizing<Vec<u8>> {
    let mut inner = Zeroizing::new(vec![0x80, seed.len() as u8]);
    inner.extend_from_slice(seed);
    inner
}

/// The seed out of a seed-form private key of the expected length.
fn seed_of<const N: usize>(private_key: &[u8]) -> Result<Zeroizing<[u8; N]>, CryptoError> {
    match private_key {
        [0x80, len, seed @ ..] if *len as usize == N && seed.len() == N => {
            let mut out = Zeroizing::new([0u8; N]);
            out.copy_from_slice(seed);
            Ok(out)
        }
        _ => Err(CryptoError),
    }
}

// --- ML-DSA ---

macro_rules! with_ml_dsa {
    ($level:expr, $f:ident ( $($arg:expr),* $(,)? )) => {
        match $level {
            MlDsa::MlDsa44 => $f::<ml_dsa::MlDsa44>($($arg),*),
            MlDsa::MlDsa65 => $f::<ml_dsa::MlDsa65>($($arg),*),
            MlDsa::MlDsa87 => $f::<ml_dsa::MlDsa87>($($arg),*),
        }
    };
}

/// A new ML-DSA private key: ML-DSA.KeyGen's 32-byte seed ξ from the rng, as PKCS#8.
pub(super) fn ml_dsa_generate(level: MlDsa, rng: &mut dyn Entropy) -> Secret {
    let mut seed = Zeroizing::new([0u8; 32]);
    rng.fill(&mut *seed);
    ml_dsa_private_pkcs8(level, &seed)
}

/// The PKCS#8 of the ML-DSA key KeyGen_internal makes from `seed`.
pub fn ml_dsa_private_pkcs8(level: MlDsa, seed: &[u8; 32]) -> Secret {
    pkcs8_private(level.oid(), &seed_private(seed))
}

fn ml_dsa_key<P: MlDsaParams>(private_key: &[u8]) -> Result<ml_dsa::SigningKey<P>, CryptoError> {
    let seed = seed_of::<32>(private_key)?;
    Ok(ml_dsa::SigningKey::<P>::from_seed(&(*seed).into()))
}

pub(super) fn ml_dsa_public_spki(level: MlDsa, private_key: &[u8]) -> Result<Vec<u8>, CryptoError> {
    fn public<P: MlDsaParams>(private_key: &[u8]) -> Result<Vec<u8>, CryptoError> {
        use ml_dsa::Keypair;
        Ok(ml_dsa_key::<P>(private_key)?
            .verifying_key()
            .encode()
            .to_vec())
    }
    spki(level.oid(), &with_ml_dsa!(level, public(private_key))?)
}

/// What an ML-DSA Sign or Verify is given: the message (RAW, signed as pure ML-DSA with an empty
/// context) or μ itself (EXTERNAL_MU, FIPS 204 § 6.2's message representative).
#[derive(Clone, Copy)]
pub(super) enum MlDsaInput<'a> {
    Message(&'a [u8]),
    Mu(&'a [u8]),
}

/// Hedged ML-DSA signing (FIPS 204's default): rnd is 32 bytes from the rng.
pub(super) fn ml_dsa_sign(
    level: MlDsa,
    private_key: &[u8],
    input: MlDsaInput<'_>,
    rng: &mut dyn Entropy,
) -> Result<Vec<u8>, CryptoError> {
    fn sign<P: MlDsaParams>(
        private_key: &[u8],
        input: MlDsaInput<'_>,
        rng: &mut dyn Entropy,
    ) -> Result<Vec<u8>, CryptoError> {
        let key = ml_dsa_key::<P>(private_key)?;
        let expanded = key.expanded_key();
        let mut rng = RngAdapter(rng);
        let signature = match input {
            MlDsaInput::Message(m) => expanded.sign_randomized(m, &[], &mut rng),
            MlDsaInput::Mu(mu) => {
                let mu = mu.try_into().map_err(|_| CryptoError)?;
                expanded.sign_mu_randomized(mu, &mut rng)
            }
        };
        Ok(signature.map_err(|_| CryptoError)?.encode().to_vec())
    }
    with_ml_dsa!(level, sign(private_key, input, rng))
}

/// `Ok(false)` for a signature that does not verify or has the wrong length.
pub(super) fn ml_dsa_verify(
    level: MlDsa,
    public_key: &[u8],
    input: MlDsaInput<'_>,
    signature: &[u8],
) -> Result<bool, CryptoError> {
    fn verify<P: MlDsaParams>(
        public_key: &[u8],
        input: MlDsaInput<'_>,
        signature: &[u8],
    ) -> Result<bool, CryptoError> {
        let public = public_key.try_into().map_err(|_| CryptoError)?;
        let key = ml_dsa::VerifyingKey::<P>::decode(public);
        let Ok(encoded) = signature.try_into() else {
            return Ok(false);
        };
        let Some(signature) = Signature::<P>::decode(encoded) else {
            return Ok(false);
        };
        Ok(match input {
            MlDsaInput::Message(m) => key.verify_with_context(m, &[], &signature),
            MlDsaInput::Mu(mu) => {
                let mu = mu.try_into().map_err(|_| CryptoError)?;
                key.verify_mu(mu, &signature)
            }
        })
    }
    with_ml_dsa!(level, verify(public_key, input, signature))
}

// --- ML-KEM ---

/// Runs `$body` with `$P` the ml-kem parameter set of `$level`. (ml-kem's parameter traits are
/// sealed, so no function can be generic over them.)
macro_rules! with_ml_kem {
    ($level:expr, $P:ident => $body:expr) => {
        match $level {
            MlKem::MlKem512 => {
                type $P = ml_kem::MlKem512;
                $body
            }
            MlKem::MlKem768 => {
                type $P = ml_kem::MlKem768;
                $body
            }
            MlKem::MlKem1024 => {
                type $P = ml_kem::MlKem1024;
                $body
            }
        }
    };
}

/// A new ML-KEM private key: ML-KEM.KeyGen's d || z (64 bytes) from the rng, as PKCS#8.
pub(super) fn ml_kem_generate(level: MlKem, rng: &mut dyn Entropy) -> Secret {
    let mut seed = Zeroizing::new([0u8; 64]);
    rng.fill(&mut *seed);
    ml_kem_private_pkcs8(level, &seed)
}

/// The PKCS#8 of the ML-KEM key KeyGen_internal makes from `seed` = d || z.
pub fn ml_kem_private_pkcs8(level: MlKem, seed: &[u8; 64]) -> Secret {
    pkcs8_private(level.oid(), &seed_private(seed))
}

pub(super) fn ml_kem_public_spki(level: MlKem, private_key: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let seed = seed_of::<64>(private_key)?;
    let ek = with_ml_kem!(level, P => DecapsulationKey::<P>::from_seed((*seed).into())
        .encapsulation_key()
        .to_bytes()
        .to_vec());
    spki(level.oid(), &ek)
}

/// m (32 bytes) for ML-KEM.Encaps, from the rng.
fn encapsulation_randomness(rng: &mut dyn Entropy) -> Zeroizing<[u8; 32]> {
    let mut m = Zeroizing::new([0u8; 32]);
    rng.fill(&mut *m);
    m
}

/// ML-KEM.Encaps to the key's encapsulation key, m from the rng: the ciphertext and the 32-byte
/// shared secret.
pub(super) fn ml_kem_encapsulate(
    level: MlKem,
    private_key: &[u8],
    rng: &mut dyn Entropy,
) -> Result<(Vec<u8>, Secret), CryptoError> {
    let seed = seed_of::<64>(private_key)?;
    let m = encapsulation_randomness(rng);
    Ok(with_ml_kem!(level, P => {
        let dk = DecapsulationKey::<P>::from_seed((*seed).into());
        let (ct, k) = dk.encapsulation_key().encapsulate_deterministic(&(*m).into());
        (ct.to_vec(), Secret::new(k.to_vec()))
    }))
}

/// ML-KEM.Encaps to an encapsulation key given as a DER SubjectPublicKeyInfo (what a client
/// holding GetPublicKey's answer does), m from the rng.
pub fn ml_kem_encapsulate_to_spki(
    level: MlKem,
    public_spki_der: &[u8],
    rng: &mut dyn Entropy,
) -> Result<(Vec<u8>, Secret), CryptoError> {
    let raw = super::spki_key_bits(public_spki_der, level.oid())?;
    let m = encapsulation_randomness(rng);
    with_ml_kem!(level, P => {
        let bytes = raw.try_into().map_err(|_| CryptoError)?;
        let ek = EncapsulationKey::<P>::new(bytes).map_err(|_| CryptoError)?;
        let (ct, k) = ek.encapsulate_deterministic(&(*m).into());
        Ok((ct.to_vec(), Secret::new(k.to_vec())))
    })
}

/// ML-KEM.Decaps. `Err` only for a ciphertext of the wrong length; any other ciphertext gives a
/// 32-byte secret (FIPS 203's implicit rejection, as Decapsulate's documentation says).
pub(super) fn ml_kem_decapsulate(
    level: MlKem,
    private_key: &[u8],
    ciphertext: &[u8],
) -> Result<Secret, CryptoError> {
    let seed = seed_of::<64>(private_key)?;
    with_ml_kem!(level, P => {
        let dk = DecapsulationKey::<P>::from_seed((*seed).into());
        let ct = ciphertext.try_into().map_err(|_| CryptoError)?;
        Ok(Secret::new(dk.decapsulate(ct).to_vec()))
    })
}
