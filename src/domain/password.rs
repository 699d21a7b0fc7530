//! Password hashing (argon2id with OWASP's parameters) on its own bounded, low-priority threads,
//! and the policy new passwords must meet.

use std::sync::{Arc, LazyLock, Mutex, mpsc};

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

/// Hashes on a pool of its own: fewer threads than cores (one on two cores), each at the lowest
/// scheduling priority. A flood of sign-ins then queues for those threads, and can neither take
/// every core from the pages nor exhaust memory (19 MiB per hash). Tokio's blocking pool would not
/// do: its threads run other work too, so their priority could not be lowered for good.
#[derive(Clone, Default)]
pub struct Passwords;

type Job = Box<dyn FnOnce() + Send>;

struct HashingPool {
    /// One per thread, taken before a job is sent: a request that gives up while waiting costs
    /// nothing, and a sent job starts at once.
    permits: Arc<Semaphore>,
    jobs: mpsc::Sender<Job>,
}

/// The process's CPU is shared by every `Passwords`, so there is one pool, started on first use.
static POOL: LazyLock<HashingPool> = LazyLock::new(|| {
    let threads = hashing_threads(std::thread::available_parallelism().map_or(2, |n| n.get()));
    let (jobs, queue) = mpsc::channel::<Job>();
    let queue = Arc::new(Mutex::new(queue));
    for n in 0..threads {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("password-hashing-{n}"))
            .spawn(move || {
                lower_priority();
                loop {
                    let job = match queue.lock() {
                        Ok(queue) => queue.recv(),
                        Err(_) => return,
                    };
                    match job {
                        // A panicking job (the OS's random source failing, say) must not take
                        // the thread with it: sign-ins would wait for it for good.
                        Ok(job) => {
                            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(job));
                        }
                        Err(_) => return,
                    }
                }
            })
            .expect("the hashing thread starts");
    }
    HashingPool {
        permits: Arc::new(Semaphore::new(threads)),
        jobs,
    }
});

/// Half the cores, at least one: the other half stays with the pages whatever the sign-ins do.
fn hashing_threads(cores: usize) -> usize {
    (cores / 2).max(1)
}

/// Niceness 19 under the batch policy: the scheduler runs a hash when the pages leave it room,
/// and still runs it (unlike the idle policy) when they do not.
fn lower_priority() {
    use thread_priority::{
        NormalThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy,
        set_thread_priority_and_policy, thread_native_id,
    };
    let batch = ThreadSchedulePolicy::Normal(NormalThreadSchedulePolicy::Batch);
    if let Err(err) = set_thread_priority_and_policy(thread_native_id(), ThreadPriority::Min, batch)
    {
        tracing::warn!(error = ?err, "password hashing runs at normal priority");
    }
}

impl Passwords {
    pub fn new() -> Self {
        Passwords
    }

    /// Runs `work` on a hashing thread once one is free.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let permit = POOL.permits.clone().acquire_owned().await?;
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            // Held by the hashing itself: a request that times out does not free it early.
            let _permit = permit;
            let _ = answer.send(work());
        });
        POOL.jobs
            .send(job)
            .map_err(|_| anyhow::anyhow!("the hashing threads have stopped"))?;
        Ok(answered.await?)
    }

    pub async fn hash(&self, password: String) -> anyhow::Result<Secret<String>> {
        let hash = self
            .run(move || {
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
        self.run(move || {
            let real = stored.is_some();
            let hash_text = stored.map_or_else(|| DUMMY_HASH.clone(), |s| s.expose().clone());
            let Ok(hash) = PasswordHash::new(&hash_text) else {
                return false;
            };
            let ok = argon2().verify_password(password.as_bytes(), &hash).is_ok();
            ok && real
        })
        .await
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
    fn hashing_leaves_cores_to_the_pages() {
        assert_eq!(hashing_threads(1), 1);
        assert_eq!(hashing_threads(2), 1);
        assert_eq!(hashing_threads(3), 1);
        assert_eq!(hashing_threads(8), 4);
    }

    #[tokio::test]
    async fn hashing_threads_run_at_the_lowest_priority() {
        let nice = Passwords::new()
            .run(|| {
                let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
                // The fields after the command name's closing parenthesis; niceness is the 19th
                // field of the line, the 17th after it.
                let after = &stat[stat.rfind(')').unwrap() + 2..];
                after.split(' ').nth(16).unwrap().parse::<i32>().unwrap()
            })
            .await
            .unwrap();
        assert_eq!(nice, 19);
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
