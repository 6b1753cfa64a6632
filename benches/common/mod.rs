//! What the load tools share: reading their flags, starting the real service as a child
//! process.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The service under load: its process and its base address (`http://127.0.0.1:PORT`).
pub struct Service {
    pub child: Child,
    pub pid: u32,
    pub base: String,
}

/// Starts `asistents serve` in `dir` on a free loopback port with `env` added, and waits until
/// it says where it listens. `ASISTENTS_BIN` runs another build under the same load (A/B).
pub fn start(dir: &Path, env: &[(&str, String)]) -> Service {
    let binary = std::env::var("ASISTENTS_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_asistents").to_owned());
    let mut command = Command::new(binary);
    command
        .arg("serve")
        .current_dir(dir)
        .env("ASISTENTS_BIND", "127.0.0.1:0");
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the service");
    let pid = child.id();
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let base = loop {
        let line = lines.next().expect("the service starts").expect("a line");
        if let Some(addr) = line.strip_prefix("asistents listening on ") {
            break addr.to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Service { child, pid, base }
}

/// The command line as (flag, value) pairs, without the `--bench` cargo adds.
pub fn flags() -> Vec<(String, String)> {
    let raw: Vec<String> = std::env::args()
        .skip(1)
        .filter(|s| s != "--bench")
        .collect();
    raw.chunks(2)
        .map(|p| (p[0].clone(), p.get(1).cloned().unwrap_or_default()))
        .collect()
}

/// GET `path` of the service as `token`'s user, read as JSON.
#[allow(
    dead_code,
    reason = "each bench compiles this module; the login burst reads no JSON"
)]
pub async fn get_json(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
) -> serde_json::Value {
    http.get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
