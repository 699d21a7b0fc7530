//! Password hashing (argon2id with OWASP's parameters), off the async runtime and bounded,
//! and the policy new passwords must meet.

use std::sync::{Arc, LazyLock};

use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use tokio::sync::Semaphore;

use crate::domain::secret::Secret;

pub const MIN_LENGTH: usize = 12;
/// Hashing cost grows with input; a cap keeps one request from buying unbounded CPU.
pub const MAX_LENGTH: usize = 128;

/// OWASP Password Storage Cheat Sheet: argon2id, m=19 MiB, t=2, p=1.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Verified against when the e-mail is unknown, so the answer takes as long as for a real account.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    let salt = SaltString::generate(&mut OsRng);
    argon2()
        .hash_password(b"no account has this password", &salt)
        .expect("hashing a constant succeeds")
        .to_string()
});

/// Hashes on the blocking pool, at most one per core at a time, so a burst of sign-ins
/// queues instead of starving the runtime or exhausting memory (19 MiB each).
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
}

impl Default for Passwords {
    fn default() -> Self {
        Self::new()
    }
}

impl Passwords {
    pub fn new() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Self {
            permits: Arc::new(Semaphore::new(cores)),
        }
    }

    pub async fn hash(&self, password: String) -> anyhow::Result<Secret<String>> {
        let permit = self.permits.clone().acquire_owned().await?;
        let hash = tokio::task::spawn_blocking(move || {
            // Held by the hashing itself: a request that times out does not free it early.
            let _permit = permit;
            let salt = SaltString::generate(&mut OsRng);
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|err| anyhow::anyhow!("hashing failed: {err}"))
        })
        .await??;
        Ok(Secret::new(hash))
    }

    /// Checks `password` against `stored`, or against a dummy when there is no account.
    pub async fn verify(
        &self,
        password: String,
        stored: Option<Secret<String>>,
    ) -> anyhow::Result<bool> {
        let permit = self.permits.clone().acquire_owned().await?;
        let matched = tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let real = stored.is_some();
            let hash_text = stored.map_or_else(|| DUMMY_HASH.clone(), |s| s.expose().clone());
            let Ok(hash) = PasswordHash::new(&hash_text) else {
                return false;
            };
            let ok = argon2().verify_password(password.as_bytes(), &hash).is_ok();
            ok && real
        })
        .await?;
        Ok(matched)
    }
}

/// A new password must be long enough and not guessable; `context` holds the user's e-mail and
/// name, which a password must not be built from.
pub fn check_policy(password: &str, context: &[&str]) -> Result<(), String> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        return Err(format!("Use at least {MIN_LENGTH} characters."));
    }
    if password.len() > MAX_LENGTH {
        return Err(format!("Use at most {MAX_LENGTH} characters."));
    }
    // zxcvbn matches whole inputs; split "priya.sharma@acme.com" into the words people reuse.
    let words: Vec<&str> = context
        .iter()
        .flat_map(|input| {
            std::iter::once(*input).chain(input.split(|c: char| !c.is_alphanumeric()))
        })
        .filter(|word| word.chars().count() >= 3)
        .collect();
    let estimate = zxcvbn::zxcvbn(password, &words);
    if (estimate.score() as u8) < 3 {
        let hint = estimate
            .feedback()
            .and_then(|feedback| feedback.warning().map(|warning| warning.to_string()))
            .unwrap_or_else(|| "It is too easy to guess.".into());
        return Err(format!(
            "Choose a less common password. {hint} A few unrelated words make a strong one."
        ));
    }
    Ok(())
}

/// A random password for accounts created from the command line, printed once.
pub fn generate() -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_common_passwords_are_refused() {
        assert!(
            check_policy("short", &[])
                .unwrap_err()
                .contains("at least 12")
        );
        assert!(check_policy("password1234", &[]).is_err());
        assert!(check_policy("qwertyuiop123", &[]).is_err());
        assert!(check_policy(&"a".repeat(129), &[]).is_err());
        let context = ["priya.sharma@partner.example", "Priya Sharma"];
        assert!(check_policy("priya.sharma@partner.example", &context).is_err());
        assert!(check_policy("copper kettle drifts sideways", &[]).is_ok());
    }

    #[test]
    fn generated_passwords_meet_the_policy() {
        assert!(check_policy(&generate(), &[]).is_ok());
    }

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let passwords = Passwords::new();
        let hash = passwords
            .hash("copper kettle drifts sideways".into())
            .await
            .unwrap();
        assert!(hash.expose().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            passwords
                .verify("copper kettle drifts sideways".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("copper kettle drifts".into(), Some(hash))
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("no account has this password".into(), None)
                .await
                .unwrap()
        );
    }
}
