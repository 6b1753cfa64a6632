//! A burst of wrong-password logins: starts the real service (release build) on loopback, then
//! sends N logins at once, each for a login name of its own with a wrong password, while one
//! logged-in phone keeps asking `/me`. Reports the answers by status, how many came with
//! `Retry-After`, the server's peak RSS during the burst, and `/me`'s latency meanwhile.
//! Bounded in count and time; stops by itself.
//!
//! cargo bench --bench login_burst -- --logins 100
//!
//! The throttles per login name and per address are raised for the run, so that every login
//! reaches the password check (this measures Argon2's bound, not the lockout).
//! `ASISTENTS_BIN=path/to/asistents` puts another build of the service under the same burst.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::json;

mod common;

fn peak_rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

/// Resets the kernel's high-water mark of the process's resident memory.
fn reset_peak(pid: u32) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

#[tokio::main]
async fn main() {
    let mut logins = 100usize;
    for (flag, value) in common::flags() {
        match flag.as_str() {
            "--logins" => logins = value.parse::<usize>().expect("--logins N").min(2000),
            other => panic!("unknown flag {other}"),
        }
    }
    let dir = std::env::temp_dir().join(format!("asistents-burst-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let common::Service {
        child: mut server,
        pid,
        base,
    } = common::start(
        &dir,
        &[
            (
                "DATABASE_URL",
                format!("sqlite://{}/burst.db?mode=rwc", dir.display()),
            ),
            ("ASISTENTS_ADMIN_PASSWORD", "burst-admin-password".into()),
            ("ASISTENTS_LOGIN_MAX_FAILURES", "100000".into()),
            ("ASISTENTS_ADDRESS_MAX_FAILURES", "100000".into()),
            ("RUST_LOG", "error".into()),
        ],
    );
    let http = reqwest::Client::new();
    let device = |id: &str| json!({"device_id": id, "name": "burst", "platform": "burst", "app_version": "1"});
    let token = loop {
        let r = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"login": "admin", "password": "burst-admin-password", "device": device("admin")}))
            .send()
            .await;
        if let Ok(r) = r
            && r.status() == 200
        {
            let v: serde_json::Value = r.json().await.unwrap();
            break v["token"].as_str().unwrap().to_owned();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let settled = peak_rss_kib(pid);
    reset_peak(pid);

    // The phone asking `/me` every 20 ms while the burst lasts.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let me = {
        let (http, base, token) = (http.clone(), base.clone(), token.clone());
        tokio::spawn(async move {
            let mut times = Vec::new();
            while !*stopped.borrow() {
                let t = Instant::now();
                let ok = http
                    .get(format!("{base}/api/v1/me"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == 200);
                if ok {
                    times.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            times
        })
    };

    let started = Instant::now();
    let burst: Vec<_> = (0..logins)
        .map(|i| {
            let (http, base) = (http.clone(), base.clone());
            let body = json!({"login": format!("nobody{i}"), "password": "wrong-password", "device": device(&format!("d{i}"))});
            tokio::spawn(async move {
                match tokio::time::timeout(
                    Duration::from_secs(120),
                    http.post(format!("{base}/api/v1/auth/login"))
                        .json(&body)
                        .send(),
                )
                .await
                {
                    Ok(Ok(r)) => (r.status().as_u16(), r.headers().contains_key("retry-after")),
                    _ => (0, false),
                }
            })
        })
        .collect();
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    let mut retry_after = 0;
    for b in burst {
        let (status, retry) = b.await.unwrap();
        *by_status.entry(status).or_default() += 1;
        retry_after += usize::from(retry);
    }
    let took = started.elapsed();
    let peak = peak_rss_kib(pid);
    let _ = stop.send(true);
    let mut times = me.await.unwrap();
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        times
            .get(((times.len().max(1) - 1) as f64 * p).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    let _ = server.kill();
    let _ = server.wait();
    std::fs::remove_dir_all(&dir).ok();
    println!(
        "| {logins} wrong logins at once | {:.2} s | {} | {retry_after} with Retry-After | peak RSS {} MiB (settled {} MiB) | /me p50 {:.1} ms, p99 {:.1} ms over {} calls |",
        took.as_secs_f64(),
        by_status
            .iter()
            .map(|(s, n)| format!("{n} × {s}"))
            .collect::<Vec<_>>()
            .join(", "),
        peak / 1024,
        settled / 1024,
        pct(0.5),
        pct(0.99),
        times.len()
    );
}
