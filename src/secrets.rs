//! Passwords, PINs and tokens: Argon2id hashes for what people choose, SHA-256 for random tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::Semaphore;

/// A PHC-format Argon2id hash with a fresh random salt. Blocking (tens of milliseconds, 19 MiB):
/// request paths go through [`Passwords`].
pub fn hash_password(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

/// Whether `password` matches the PHC hash `phc`. Blocking, like [`hash_password`].
pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Argon2id off the async threads, at most one hash per core at a time.
///
/// Each hash works in 19 MiB, so unbounded parallel logins grow memory with every request in
/// flight (200 wrong logins took the service past 1 GB) and starve every other request of CPU.
/// Requests beyond the permits wait their turn; beyond `max_waiting` waiting requests they are
/// turned away at once with [`Busy`] (503 with `Retry-After`), so memory stays bounded.
#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    max_waiting: usize,
}

/// Too many password checks are waiting already; the caller should retry shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy;

impl Passwords {
    /// `parallel` hashes at a time (the machine's cores), and up to `max_waiting` callers queued.
    pub fn new(parallel: usize, max_waiting: usize) -> Passwords {
        Passwords {
            permits: Arc::new(Semaphore::new(parallel.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            max_waiting,
        }
    }

    /// One permit per available core, and a queue of 16 per core.
    pub fn for_this_machine() -> Passwords {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Passwords::new(cores, 16 * cores)
    }

    /// Verifies `password` against `phc` (or against a decoy when there is no hash, so that an
    /// unknown login takes as long as a wrong password); false without a hash.
    pub async fn verify(&self, password: &str, phc: Option<&str>) -> Result<bool, Busy> {
        let (password, phc) = (password.to_owned(), phc.map(str::to_owned));
        self.run(move || {
            let ok = verify_password(&password, phc.as_deref().unwrap_or(decoy_hash()));
            ok && phc.is_some()
        })
        .await
    }

    /// Hashes a new password or PIN.
    pub async fn hash(&self, password: &str) -> Result<Result<String, String>, Busy> {
        let password = password.to_owned();
        self.run(move || hash_password(&password)).await
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        let queued = self.waiting.fetch_add(1, Ordering::AcqRel);
        let permit = if queued >= self.max_waiting {
            None
        } else {
            Arc::clone(&self.permits).acquire_owned().await.ok()
        };
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        let permit = permit.ok_or(Busy)?;
        let done = tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await;
        // A panic inside Argon2 is not a request's fault; report it as busy rather than crash.
        done.map_err(|_| Busy)
    }
}

/// A hash of a password no one has, to verify against when the login does not exist, so that a
/// wrong login takes as long as a wrong password.
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_token()).unwrap_or_default())
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The OS random source failing is not something a request can recover from.
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    bytes
}

/// 256 random bits as 64 hex characters: a bearer token.
pub fn random_token() -> String {
    hex(&random_bytes::<32>())
}

/// What is stored of a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// A password people can type: 16 characters from an alphabet without look-alikes.
pub fn generate_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY34679";
    random_bytes::<16>()
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether two secrets are equal, in time that does not depend on where they differ.
pub fn same(given: &str, expected: &str) -> bool {
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(expected.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}
