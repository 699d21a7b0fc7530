//! Single-use secrets sent by e-mail (invitations, password resets). Only their SHA-256 is stored,
//! so a leaked database does not hand out working links.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

pub struct NewToken {
    /// Goes into the link, never into the database.
    pub plain: String,
    pub hash: Vec<u8>,
}

pub fn generate() -> NewToken {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let plain = URL_SAFE_NO_PAD.encode(bytes);
    let hash = digest(&plain);
    NewToken { plain, hash }
}

pub fn digest(plain: &str) -> Vec<u8> {
    Sha256::digest(plain.as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_unique_and_stored_only_as_digests() {
        let a = generate();
        let b = generate();
        assert_ne!(a.plain, b.plain);
        assert_eq!(a.hash, digest(&a.plain));
        assert_eq!(a.plain.len(), 43);
    }
}
