//! The sync load tool: starts the real service (release build) on loopback, sets up a
//! municipality through the API, then D phones push batches of B sessions for a fixed time, and
//! pull. Reports entries/s, pushes/s, push latency p50/p95/p99, errors, and the server's peak RSS
//! during the push load (and, apart, during the setup's logins and during the pull) and CPU
//! seconds from /proc. Bounded in time and count; stops by itself.
//!
//! cargo bench --bench loadgen -- --devices 10 --batch 50 --seconds 10 [--database-url postgres://…]
//!
//! `ASISTENTS_BIN=path/to/asistents` puts another build of the service under the same load.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{Duration as Span, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

mod common;

struct Args {
    devices: usize,
    batch: usize,
    seconds: u64,
    database_url: Option<String>,
}

fn args() -> Args {
    let mut a = Args {
        devices: 10,
        batch: 50,
        seconds: 10,
        database_url: None,
    };
    for (flag, value) in common::flags() {
        match flag.as_str() {
            "--devices" => a.devices = value.parse().expect("--devices N"),
            "--batch" => a.batch = value.parse().expect("--batch N"),
            "--seconds" => a.seconds = value.parse::<u64>().expect("--seconds N").min(600),
            "--database-url" => a.database_url = Some(value),
            other => panic!("unknown flag {other}"),
        }
    }
    a
}

/// Peak RSS (KiB) and CPU seconds of a process, from /proc.
fn usage(pid: u32) -> (u64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let peak = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0);
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = fields
        .get(11)
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        + fields
            .get(12)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0);
    (peak, ticks / 100.0)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main]
async fn main() {
    let a = args();
    let dir = std::env::temp_dir().join(format!("asistents-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = a
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}/load.db?mode=rwc", dir.display()));
    let started = Instant::now();
    let common::Service {
        child: mut server,
        pid,
        base,
    } = common::start(
        &dir,
        &[
            ("DATABASE_URL", url.clone()),
            ("ASISTENTS_ADMIN_PASSWORD", "load-admin-password".into()),
            ("RUST_LOG", "warn".into()),
        ],
    );
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(a.devices * 2)
        .build()
        .unwrap();
    loop {
        if http
            .get(format!("{base}/health/ready"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let ready_ms = started.elapsed().as_millis();

    let post = |path: String, token: Option<String>, body: Value| {
        let http = http.clone();
        let base = base.clone();
        async move {
            let mut req = http.post(format!("{base}{path}")).json(&body);
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let r = req.send().await.unwrap();
            let status = r.status();
            let v: Value = r.json().await.unwrap_or(Value::Null);
            assert!(status.is_success(), "{path}: {status} {v}");
            v
        }
    };
    let login = |who: String, password: String, device: String| {
        post(
            "/api/v1/auth/login".into(),
            None,
            json!({"login": who, "password": password, "device": {"device_id": device, "name": "load", "platform": "load", "app_version": "1"}}),
        )
    };
    let admin = login(
        "admin".into(),
        "load-admin-password".into(),
        "load-admin".into(),
    )
    .await["token"]
        .as_str()
        .unwrap()
        .to_owned();

    // One client, decision, assistant, assignment and login per phone.
    let mut phones = Vec::new();
    for i in 0..a.devices {
        let client = post(
            "/api/v1/clients".into(),
            Some(admin.clone()),
            json!({"name": format!("Klients {i}"), "birth_date": "1970-01-01"}),
        )
        .await;
        let cid = client["id"].as_str().unwrap().to_owned();
        post(format!("/api/v1/clients/{cid}/decisions"), Some(admin.clone()), json!({
            "number": format!("L/{i}"), "decided_on": "2023-12-01", "service": "assistant", "valid_from": "2024-01-01",
            "valid_to": "2026-12-31", "monthly_minutes": 9600, "transport": {"allowed": true, "monthly_cap_cents": 5000}
        })).await;
        let assistant = post(
            "/api/v1/assistants".into(),
            Some(admin.clone()),
            json!({"name": format!("Asistents {i}")}),
        )
        .await;
        let aid = assistant["id"].as_str().unwrap().to_owned();
        post("/api/v1/assignments".into(), Some(admin.clone()), json!({"assistant_id": aid, "client_id": cid, "service": "assistant", "valid_from": "2024-01-01"})).await;
        post("/api/v1/users".into(), Some(admin.clone()), json!({"login": format!("load{i}"), "password": "load-password-1", "role": "assistant", "assistant_id": aid})).await;
        let token = login(
            format!("load{i}"),
            "load-password-1".into(),
            format!("phone-{i}"),
        )
        .await["token"]
            .as_str()
            .unwrap()
            .to_owned();
        phones.push((cid, token));
    }

    // Sessions: eight 45-minute sessions a day from 1 January 2024, a few with trips and a few
    // with a purpose the decision does not allow (refused by the rules).
    let day0 = Utc.from_utc_datetime(
        &NaiveDate::from_ymd_opt(2024, 1, 1)
            .unwrap()
            .and_hms_opt(6, 0, 0)
            .unwrap(),
    );
    let session = move |cid: &str, n: u64| {
        let start = day0 + Span::days((n / 8) as i64) + Span::minutes((n % 8) as i64 * 60);
        let purpose = if n.is_multiple_of(97) {
            "companion_trip"
        } else if n.is_multiple_of(3) {
            "other"
        } else {
            "work"
        };
        let trips = if n.is_multiple_of(10) {
            json!([{"mode": "public_transport", "from": "Mājas", "to": "Darbs", "distance_km": 4.2, "cost_cents": 0}])
        } else {
            json!([])
        };
        json!({"id": uuid::Uuid::now_v7(), "client_id": cid, "purpose": purpose, "place": "community",
               "started_at": start.to_rfc3339(), "ended_at": (start + Span::minutes(45)).to_rfc3339(), "trips": trips, "base_version": null})
    };
    let capacity = 8 * 365 * 3;
    let deadline = Instant::now() + Duration::from_secs(a.seconds);
    let (applied, rejected, errors, pushes) = (
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
        Arc::new(AtomicU64::new(0)),
    );
    // The peak RSS reported is that of the load: the setup's logins each hash a password with
    // Argon2id (19 MiB of working memory), which is not push load. Linux resets the high-water
    // mark when "5" is written to clear_refs; the setup's peak is reported beside it.
    let (setup_peak_kib, _) = usage(pid);
    let reset = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();
    // The run ends for every phone when the first has pushed all its sessions, so that the
    // figures are those of D phones pushing at once, without a tail of fewer phones.
    let spent = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let run_started = Instant::now();
    let mut tasks = Vec::new();
    for (i, (cid, token)) in phones.iter().cloned().enumerate() {
        let (http, base, batch) = (http.clone(), base.clone(), a.batch);
        let (applied, rejected, errors, pushes) = (
            applied.clone(),
            rejected.clone(),
            errors.clone(),
            pushes.clone(),
        );
        let spent = spent.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut seq = 0u64;
            while Instant::now() < deadline && !spent.load(Ordering::Relaxed) {
                if seq + (batch as u64) > capacity {
                    spent.store(true, Ordering::Relaxed);
                    break;
                }
                let mutations: Vec<Value> = (0..batch)
                    .map(|k| {
                        let n = seq + k as u64;
                        json!({"seq": n + 1, "name": "entry.save", "args": session(&cid, n)})
                    })
                    .collect();
                let t = Instant::now();
                let r = http
                    .post(format!("{base}/api/v1/sync/push"))
                    .bearer_auth(&token)
                    .json(&json!({"device_id": format!("phone-{i}"), "mutations": mutations}))
                    .send()
                    .await;
                latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                pushes.fetch_add(1, Ordering::Relaxed);
                match r {
                    Ok(r) if r.status() == 200 => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        for x in v["results"].as_array().into_iter().flatten() {
                            if x["status"] == "applied" {
                                applied.fetch_add(1, Ordering::Relaxed);
                            } else {
                                rejected.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        seq += batch as u64;
                    }
                    _ => {
                        errors.fetch_add(1, Ordering::Relaxed);
                    }
                }
            }
            latencies
        }));
    }
    let mut latencies: Vec<f64> = Vec::new();
    for t in tasks {
        latencies.extend(t.await.unwrap());
    }
    let elapsed = run_started.elapsed().as_secs_f64();
    latencies.sort_by(|x, y| x.total_cmp(y));
    // The peak of the push load, before the pull (whose pages of 1,000 changes have a peak of
    // their own, reported apart).
    let (push_peak_kib, _) = usage(pid);
    let reset_for_pull = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();

    // A phone pulls everything it may see, from an empty cursor, page by page.
    let pull_started = Instant::now();
    let (mut cursor, mut pulled) = (String::new(), 0usize);
    loop {
        let path = format!("/api/v1/sync/pull?cursor={cursor}&limit=1000");
        let r = common::get_json(&http, &base, &phones[0].1, &path).await;
        pulled += r["changes"].as_array().map(|c| c.len()).unwrap_or(0);
        cursor = r["cursor"].as_str().unwrap_or("").to_owned();
        if r["has_more"] != true {
            break;
        }
    }
    let pull_ms = pull_started.elapsed().as_secs_f64() * 1000.0;
    // How many pushes the service wrote together, on average (its own metric).
    let metrics = http
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap_or_default();
    let metric = |name: &str| -> f64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or(0.0)
    };
    println!(
        "# server peak RSS during setup (logins): {:.1} MiB{}",
        setup_peak_kib as f64 / 1024.0,
        if reset {
            ""
        } else {
            "; the peak below includes it (clear_refs refused)"
        }
    );
    let groups = metric("asistents_sync_push_group_pushes_count");
    if groups > 0.0 {
        println!(
            "# {groups} push groups, {:.1} pushes each on average",
            metric("asistents_sync_push_group_pushes_sum") / groups
        );
    }
    let (pull_peak_kib, cpu) = usage(pid);
    if reset_for_pull {
        println!(
            "# server peak RSS during the pull: {:.1} MiB",
            pull_peak_kib as f64 / 1024.0
        );
    }
    let rss_kib = if reset_for_pull {
        push_peak_kib
    } else {
        push_peak_kib.max(pull_peak_kib)
    };
    let _ = server.kill();
    let _ = server.wait();
    std::fs::remove_dir_all(&dir).ok();

    let engine = if url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    let (ok, bad, err, n) = (
        applied.load(Ordering::Relaxed),
        rejected.load(Ordering::Relaxed),
        errors.load(Ordering::Relaxed),
        pushes.load(Ordering::Relaxed),
    );
    println!(
        "| {engine} | {} | {} | {:.0} | {:.0} | {:.1} | {:.1} | {:.1} | {} | {bad} | {} | {pulled} in {:.0} ms | {:.1} | {:.1} | {ready_ms} |",
        a.devices,
        a.batch,
        ok as f64 / elapsed,
        n as f64 / elapsed,
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        percentile(&latencies, 0.99),
        ok,
        err,
        pull_ms,
        rss_kib as f64 / 1024.0,
        cpu
    );
}
