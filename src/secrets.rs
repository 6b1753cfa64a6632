//! Passwords, PINs and tokens: Argon2id hashes for what people choose, SHA-256 for random tokens.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// A PHC-format Argon2id hash with a fresh random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| e.to_string());
    hand_back_memory();
    hash
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok();
    hand_back_memory();
    ok
}

/// Argon2id works in 19 MiB. The service's allocator (mimalloc) would keep those pages with the
/// thread for a while; this hands them back to the system at once, so a login does not raise
/// the service's resident memory for the seconds after it (docs/performance.md).
fn hand_back_memory() {
    // SAFETY: `mi_collect` has no preconditions; it frees the calling thread's unused pages.
    // Where mimalloc is not the global allocator (the library's tests) it finds nothing to free.
    unsafe { libmimalloc_sys::mi_collect(true) }
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
