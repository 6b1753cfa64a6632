//! The sync load tool: starts the real service (release build) on loopback, sets up a
//! municipality through the API, then D phones push batches of B sessions for a fixed time, and
//! pull. Reports entries/s, pushes/s, push latency p50/p95/p99, errors, and the server's peak RSS
//! during the push load (and, apart, during the setup's logins and during the pull) and CPU
//! seconds from /proc. Bounded in time and count; stops by itself.
//!
//! cargo bench --bench loadgen -- --devices 10 --batch 50 --seconds 10 [--mode realistic]
//!     [--database-url postgres://…] [--processes 2]
//!
//! `--processes N` (PostgreSQL) starts N service processes on the one database and sends each
//! phone's pushes to them in turn. Whatever N, after the load every phone's last push is sent
//! again to another process (it must be answered `duplicate`, as first answered), and a
//! coordinator's pull through the last process must hold every applied session exactly once and
//! nothing else; the tool says what it checked and exits with a failure when something was lost
//! or doubled. CI runs it with two processes under the test profile.
//!
//! `--mode tuned` (the default) pushes 45-minute sessions of one client per phone, eight a day,
//! without notes. `--mode realistic` pushes what an assistant's phone sends: eight clients in
//! turn, sessions of 10 to 60 minutes one after another through the day with gaps between them,
//! a note of 20 to 140 characters, a trip on about half of them, and the phone's `device_time`.
//!
//! `ASISTENTS_BIN=path/to/asistents` puts another build of the service under the same load.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{Duration as Span, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

mod common;

struct Args {
    realistic: bool,
    devices: usize,
    batch: usize,
    seconds: u64,
    database_url: Option<String>,
    processes: usize,
}

fn args() -> Args {
    let mut a = Args {
        realistic: false,
        devices: 10,
        batch: 50,
        seconds: 10,
        database_url: None,
        processes: 1,
    };
    for (flag, value) in common::flags() {
        match flag.as_str() {
            "--devices" => a.devices = value.parse().expect("--devices N"),
            "--batch" => a.batch = value.parse().expect("--batch N"),
            "--seconds" => a.seconds = value.parse::<u64>().expect("--seconds N").min(600),
            "--database-url" => a.database_url = Some(value),
            "--processes" => a.processes = value.parse::<usize>().expect("--processes N").max(1),
            "--mode" => {
                a.realistic = match value.as_str() {
                    "realistic" => true,
                    "tuned" => false,
                    other => panic!("--mode tuned|realistic, not {other}"),
                }
            }
            other => panic!("unknown flag {other}"),
        }
    }
    assert!(
        a.processes == 1
            || a.database_url
                .as_deref()
                .is_some_and(|u| u.starts_with("postgres")),
        "--processes N shares one PostgreSQL database: give --database-url postgres://…"
    );
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
    let env = [
        ("DATABASE_URL", url.clone()),
        ("ASISTENTS_ADMIN_PASSWORD", "load-admin-password".into()),
        ("RUST_LOG", "warn".into()),
    ];
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(a.devices * 2)
        .build()
        .unwrap();
    let ready = |base: String| {
        let http = http.clone();
        async move {
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
        }
    };
    // The first process migrates the database; the others start on it once it is ready.
    let common::Service {
        child: mut server,
        pid,
        base,
    } = common::start(&dir, &env);
    ready(base.clone()).await;
    let ready_ms = started.elapsed().as_millis();
    let mut others = Vec::new();
    for _ in 1..a.processes {
        let other = common::start(&dir, &env);
        ready(other.base.clone()).await;
        others.push(other);
    }
    let bases: Vec<String> = std::iter::once(base.clone())
        .chain(others.iter().map(|o| o.base.clone()))
        .collect();

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

    // An assistant, assignments, and a login per phone; one client each (tuned) or eight
    // (realistic), each with a decision.
    let clients_each = if a.realistic { 8 } else { 1 };
    let mut phones = Vec::new();
    for i in 0..a.devices {
        let mut cids = Vec::new();
        for k in 0..clients_each {
            let client = post(
                "/api/v1/clients".into(),
                Some(admin.clone()),
                json!({"name": format!("Klients {i}-{k}"), "birth_date": "1970-01-01", "disability_group": 1}),
            )
            .await;
            let cid = client["id"].as_str().unwrap().to_owned();
            post(format!("/api/v1/clients/{cid}/decisions"), Some(admin.clone()), json!({
                "number": format!("L/{i}/{k}"), "decided_on": "2023-12-01", "service": "assistant", "valid_from": "2024-01-01",
                "valid_to": "2026-12-31", "monthly_minutes": 9600, "transport": {"allowed": true, "monthly_cap_cents": 5000}
            })).await;
            cids.push(cid);
        }
        let assistant = post(
            "/api/v1/assistants".into(),
            Some(admin.clone()),
            json!({"name": format!("Asistents {i}")}),
        )
        .await;
        let aid = assistant["id"].as_str().unwrap().to_owned();
        for cid in &cids {
            post("/api/v1/assignments".into(), Some(admin.clone()), json!({"assistant_id": aid, "client_id": cid, "service": "assistant", "valid_from": "2024-01-01"})).await;
        }
        post("/api/v1/users".into(), Some(admin.clone()), json!({"login": format!("load{i}"), "password": "load-temporary-1", "role": "assistant", "assistant_id": aid})).await;
        // The assistant chooses their own password at the first login, as people must.
        let first = login(
            format!("load{i}"),
            "load-temporary-1".into(),
            format!("phone-{i}"),
        )
        .await["token"]
            .as_str()
            .unwrap()
            .to_owned();
        post(
            "/api/v1/me/password".into(),
            Some(first),
            json!({"current_password": "load-temporary-1", "new_password": "load-password-1"}),
        )
        .await;
        let token = login(
            format!("load{i}"),
            "load-password-1".into(),
            format!("phone-{i}"),
        )
        .await["token"]
            .as_str()
            .unwrap()
            .to_owned();
        phones.push((cids, token));
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
    // Sessions until the decisions end, 2026-12-31 (about eight a day, in either mode).
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
    for (i, (cids, token)) in phones.iter().cloned().enumerate() {
        let (http, bases, batch, realistic) = (http.clone(), bases.clone(), a.batch, a.realistic);
        let (applied, rejected, errors, pushes) = (
            applied.clone(),
            rejected.clone(),
            errors.clone(),
            pushes.clone(),
        );
        let spent = spent.clone();
        tasks.push(tokio::spawn(async move {
            let mut phone = Phone::default();
            let mut seq = 0u64;
            let mut day = Day::new(day0);
            // A push not answered is sent again as it was, as a phone does, until answered.
            let mut pending: Option<Value> = None;
            let (mut sent, mut retries) = (0usize, 0u32);
            loop {
                let body = match pending.take() {
                    Some(_) if retries >= 100 => {
                        phone.unanswered = true;
                        break;
                    }
                    Some(body) => {
                        retries += 1;
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        body
                    }
                    None => {
                        if Instant::now() >= deadline || spent.load(Ordering::Relaxed) {
                            break;
                        }
                        if seq + (batch as u64) > capacity {
                            spent.store(true, Ordering::Relaxed);
                            break;
                        }
                        let now = Utc::now();
                        let mutations: Vec<Value> = (0..batch)
                            .map(|k| {
                                let n = seq + k as u64;
                                let args = if realistic {
                                    day.next(&cids, n, now)
                                } else {
                                    session(&cids[0], n)
                                };
                                json!({"seq": n + 1, "name": "entry.save", "args": args})
                            })
                            .collect();
                        seq += batch as u64;
                        json!({"device_id": format!("phone-{i}"), "mutations": mutations, "device_time": realistic.then_some(now)})
                    }
                };
                // Each push to the next process in turn.
                let base = &bases[(i + sent) % bases.len()];
                sent += 1;
                let t = Instant::now();
                let r = http
                    .post(format!("{base}/api/v1/sync/push"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await;
                phone.latencies.push(t.elapsed().as_secs_f64() * 1000.0);
                pushes.fetch_add(1, Ordering::Relaxed);
                match r {
                    Ok(r) if r.status() == 200 => {
                        let v: Value = r.json().await.unwrap_or(Value::Null);
                        let results = v["results"].as_array().cloned().unwrap_or_default();
                        for (m, x) in body["mutations"].as_array().into_iter().flatten().zip(&results) {
                            if x["status"] == "applied" {
                                applied.fetch_add(1, Ordering::Relaxed);
                                phone.applied.push(m["args"]["id"].as_str().unwrap_or("").to_owned());
                            } else {
                                rejected.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        phone.last = Some((body, results));
                        retries = 0;
                    }
                    // The first failure is shown, so that a run that only fails says why.
                    Ok(r) => {
                        if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                            let status = r.status();
                            eprintln!("push failed: {status} {}", r.text().await.unwrap_or_default());
                        }
                        pending = Some(body);
                    }
                    Err(e) => {
                        if errors.fetch_add(1, Ordering::Relaxed) == 0 {
                            eprintln!("push failed: {e}");
                        }
                        pending = Some(body);
                    }
                }
            }
            phone
        }));
    }
    let mut latencies: Vec<f64> = Vec::new();
    let mut done: Vec<Phone> = Vec::new();
    for t in tasks {
        let mut phone = t.await.unwrap();
        latencies.append(&mut phone.latencies);
        done.push(phone);
    }
    let elapsed = run_started.elapsed().as_secs_f64();
    latencies.sort_by(|x, y| x.total_cmp(y));
    // The peak of the push load, before the pull (whose pages of 1,000 changes have a peak of
    // their own, reported apart).
    let (push_peak_kib, _) = usage(pid);
    let reset_for_pull = std::fs::write(format!("/proc/{pid}/clear_refs"), "5").is_ok();

    // A phone pulls everything it may see, from an empty cursor, page by page. The first pull
    // after the load also numbers every change the pushes wrote (the change log is numbered when
    // read); the same pull again is what a new phone waits for once the log is numbered.
    let pull_all = || async {
        let started = Instant::now();
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
        (pulled, started.elapsed().as_secs_f64() * 1000.0)
    };
    let (pulled, pull_ms) = pull_all().await;
    let (pulled_again, again_ms) = pull_all().await;
    println!("# the same pull again, the log numbered: {pulled_again} changes in {again_ms:.0} ms");
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
    let checked = check(&http, &bases, &admin, &phones, &done).await;

    // Stopped as an operator stops it (SIGTERM), so that SQLite folds its log into the file.
    for mut other in others {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &other.pid.to_string()])
            .status();
        let _ = other.child.wait();
    }
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .is_ok_and(|s| s.success());
    if !stopped {
        let _ = server.kill();
    }
    let _ = server.wait();
    if a.database_url.is_none() {
        // The write-ahead log folded into the file first, so that the file is all there is.
        if let Ok(db) = asistents::db::connect(&url, 1).await {
            use sea_orm::ConnectionTrait;
            let _ = db
                .execute_unprepared("pragma wal_checkpoint(truncate)")
                .await;
            db.close().await.ok();
        }
        let size = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
        let bytes = size("load.db") + size("load.db-wal");
        let entries = applied.load(Ordering::Relaxed).max(1);
        println!(
            "# the database after the load: {:.1} MiB, {} bytes per accepted entry (the setup's \
             rows included; sqlite3's dbstat table breaks it down by table)",
            bytes as f64 / 1_048_576.0,
            bytes / entries
        );
    }
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
        "| {engine}{} | {} | {} | {:.0} | {:.0} | {:.1} | {:.1} | {:.1} | {} | {bad} | {} | {pulled} in {:.0} ms | {:.1} | {:.1} | {ready_ms} |",
        if a.realistic { " (realistic)" } else { "" },
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
    if let Err(why) = checked {
        eprintln!("{why}");
        std::process::exit(1);
    }
}

/// What one phone did: its push latencies, the ids of its sessions the service applied, its last
/// answered push with the answers, and whether a push was left unanswered.
#[derive(Default)]
struct Phone {
    latencies: Vec<f64>,
    applied: Vec<String>,
    last: Option<(Value, Vec<Value>)>,
    unanswered: bool,
}

/// Nothing lost, nothing doubled: every phone's last push sent again to another process is
/// answered `duplicate` with its first outcome, and a coordinator's pull from the start, through
/// the last process, holds each applied session exactly once and no other session.
async fn check(
    http: &reqwest::Client,
    bases: &[String],
    admin: &str,
    phones: &[(Vec<String>, String)],
    done: &[Phone],
) -> Result<(), String> {
    let mut replays_differing = 0;
    for (i, (phone, (_, token))) in done.iter().zip(phones).enumerate() {
        let Some((body, first)) = &phone.last else {
            continue;
        };
        let base = &bases[(i + 1) % bases.len()];
        let again: Value = http
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .map_err(|e| format!("a replay failed: {e}"))?
            .json()
            .await
            .map_err(|e| format!("a replay's answer: {e}"))?;
        let again = again["results"].as_array().cloned().unwrap_or_default();
        let same = again.len() == first.len()
            && again
                .iter()
                .zip(first)
                .all(|(x, y)| x["status"] == "duplicate" && x["original_status"] == y["status"]);
        if !same {
            replays_differing += 1;
        }
    }
    let base = bases.last().expect("a process");
    let mut seen: std::collections::HashMap<String, u32> = Default::default();
    let mut cursor = String::new();
    loop {
        let path = format!("/api/v1/sync/pull?cursor={cursor}&limit=1000");
        let r = common::get_json(http, base, admin, &path).await;
        for c in r["changes"].as_array().into_iter().flatten() {
            if c["kind"] == "entry" {
                *seen
                    .entry(c["id"].as_str().unwrap_or("").to_owned())
                    .or_default() += 1;
            }
        }
        cursor = r["cursor"].as_str().unwrap_or("").to_owned();
        if r["has_more"] != true {
            break;
        }
    }
    let applied: std::collections::HashSet<&str> = done
        .iter()
        .flat_map(|p| p.applied.iter().map(String::as_str))
        .collect();
    let total: usize = done.iter().map(|p| p.applied.len()).sum();
    let doubled = seen.values().filter(|n| **n > 1).count() + (total - applied.len());
    let lost = applied.iter().filter(|id| !seen.contains_key(**id)).count();
    let unknown = seen
        .keys()
        .filter(|id| !applied.contains(id.as_str()))
        .count();
    let unanswered = done.iter().filter(|p| p.unanswered).count();
    println!(
        "# checked through {} process(es): {} sessions applied, {} pulled, {doubled} doubled, \
         {lost} lost, {unknown} not applied but stored, {replays_differing} replays answered \
         otherwise than first, {unanswered} phones left with a push unanswered",
        bases.len(),
        applied.len(),
        seen.len(),
    );
    if doubled + lost + unknown + replays_differing + unanswered > 0 || applied.is_empty() {
        return Err("the check failed: something was lost, doubled or answered otherwise".into());
    }
    Ok(())
}

/// A well-spread 64-bit number from `n` (splitmix64): the realistic mode's choices, the same on
/// every run.
fn spread(n: u64) -> u64 {
    let mut z = n.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// An assistant's working days: sessions one after another from 07:00 (Riga winter time, UTC+2)
/// with gaps between them, the next day once a session would end after 21:00.
struct Day {
    day: chrono::DateTime<Utc>,
    at: chrono::DateTime<Utc>,
}

impl Day {
    fn new(first: chrono::DateTime<Utc>) -> Day {
        let day = first.date_naive().and_hms_opt(5, 0, 0).unwrap().and_utc();
        Day { day, at: day }
    }

    /// The phone's `n`th session: one of `clients` in turn, 10 to 60 minutes, a note of 20 to
    /// 140 characters, a trip on about half.
    fn next(&mut self, clients: &[String], n: u64, device_time: chrono::DateTime<Utc>) -> Value {
        let r = spread(n);
        let minutes = 10 + (r % 51) as i64;
        let gap = 5 + ((r >> 8) % 26) as i64;
        let mut start = self.at + Span::minutes(gap);
        if start + Span::minutes(minutes) > self.day + Span::hours(14) {
            self.day += Span::days(1);
            start = self.day;
        }
        self.at = start + Span::minutes(minutes);
        const WORDS: &str = "Palīdzēja iepirkties veikalā, kopā devāmies uz aptieku un pastu; \
            pēc tam pie ārsta uz pārbaudi un atpakaļ mājās. ";
        let note: String = WORDS
            .chars()
            .cycle()
            .take(20 + ((r >> 16) % 121) as usize)
            .collect();
        let trips = if (r >> 24).is_multiple_of(2) {
            json!([{"mode": "public_transport", "from": "Mājas", "to": "Poliklīnika",
                    "distance_km": 1.0 + ((r >> 32) % 90) as f64 / 10.0, "cost_cents": 0}])
        } else {
            json!([])
        };
        let client = &clients[(n % clients.len() as u64) as usize];
        let purpose = if (r >> 40).is_multiple_of(3) {
            "other"
        } else {
            "work"
        };
        json!({"id": uuid::Uuid::now_v7(), "client_id": client, "purpose": purpose, "place": "community",
               "started_at": start.to_rfc3339(), "ended_at": self.at.to_rfc3339(), "note": note.trim_end(),
               "trips": trips, "base_version": null, "device_time": device_time})
    }
}
