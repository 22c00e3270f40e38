//! Secret bytes: never printed, zeroed when dropped.

use zeroize::{Zeroize, Zeroizing};

/// Key material or a plaintext data key. `Debug` shows only the length; the bytes are zeroed on
/// drop. There is deliberately no `Serialize`: a secret leaves the engine only through
/// [`Secret::expose`], which the shell uses to wrap it under the HSM key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(Zeroizing<Vec<u8>>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Self {
        Secret(Zeroizing::new(bytes))
    }

    pub fn zeroed(len: usize) -> Self {
        Secret::new(vec![0; len])
    }

    pub fn expose(&self) -> &[u8] {
        &self.0
    }

    pub fn expose_mut(&mut self) -> &mut [u8] {
        &mut self.0
    }

    /// The buffer itself, to fill in place (its spare capacity is zeroed on drop too).
    pub(crate) fn as_vec_mut(&mut self) -> &mut Vec<u8> {
        &mut self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Vec<u8>> for Secret {
    fn from(bytes: Vec<u8>) -> Self {
        Secret::new(bytes)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Secret([REDACTED; {} bytes])", self.0.len())
    }
}

impl Zeroize for Secret {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_bytes() {
        let s = Secret::new(vec![0xAB; 4]);
        let shown = format!("{s:?}");
        assert_eq!(shown, "Secret([REDACTED; 4 bytes])");
        assert!(!shown.to_lowercase().contains("ab"));
    }
}
