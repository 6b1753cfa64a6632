//! The audit log's hash chain: each record's hash covers the previous hash and the record.

use sha2::{Digest, Sha256};

/// The hash of the first record's predecessor.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of a record that its hash covers, in a fixed order.
pub struct Fields<'a> {
    pub at_micros: i64,
    pub actor: Option<String>,
    pub action: &'a str,
    pub subject_kind: &'a str,
    pub subject_id: &'a str,
    pub client_id: Option<String>,
    pub before: Option<&'a str>,
    pub after: Option<&'a str>,
}

/// SHA-256 (hex) of the previous hash and the record's fields, each on its own line; absent
/// values are written as `-`, and newlines inside values are escaped so fields cannot merge.
pub fn chain_hash(prev: &str, f: &Fields<'_>) -> String {
    let esc = |s: &str| s.replace('\\', "\\\\").replace('\n', "\\n");
    let opt = |s: Option<&str>| s.map(esc).unwrap_or_else(|| "-".into());
    let text = [
        prev.to_owned(),
        f.at_micros.to_string(),
        opt(f.actor.as_deref()),
        esc(f.action),
        esc(f.subject_kind),
        esc(f.subject_id),
        opt(f.client_id.as_deref()),
        opt(f.before),
        opt(f.after),
    ]
    .join("\n");
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}
