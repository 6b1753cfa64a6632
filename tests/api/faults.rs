//! Faults: the real binary killed with SIGKILL in the middle of a stream of pushes, restarted,
//! and the phone retrying — every mutation acknowledged is there once, nothing is duplicated.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::{Duration as Span, Timelike, Utc};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::entries::scene;
use crate::helpers::{PASSWORD, Skip, TestApp, skipped, test_database_url};

/// Starts `asistents serve` on a free port against `url`; returns it and its address.
fn start(url: &str, dir: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_asistents"))
        .args(["serve"])
        .current_dir(dir)
        .env("DATABASE_URL", url)
        .env("ASISTENTS_BIND", "127.0.0.1:0")
        .env("ASISTENTS_ADMIN_PASSWORD", crate::helpers::ADMIN_PASSWORD)
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let base = loop {
        let line = lines.next().expect("the service starts").unwrap();
        if let Some(addr) = line.strip_prefix("asistents listening on ") {
            break addr.to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, base)
}

fn kill9(child: &mut Child) {
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_in_the_middle_of_pushes_loses_and_duplicates_nothing() {
    let dir = std::env::temp_dir().join(format!("asistents-kill-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = match std::env::var("ASISTENTS_TEST_DATABASE_URL") {
        Ok(_) => test_database_url().await,
        Err(_) => format!("sqlite://{}/kill.db?mode=rwc", dir.display()),
    };
    // The municipality, set up by one process that then stops.
    let client = {
        let setup = TestApp::spawn_on(url.clone(), |_| {}).await;
        let s = scene(&setup, 9600, "ruta").await;
        s.client
    };

    // 120 half-hour sessions, an hour apart, ending two days ago (whatever today is).
    let end = (Utc::now() - Span::days(2))
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    let total = 120i64;
    let mutation = |seq: i64| {
        let start = end - Span::hours(total - seq + 1);
        json!({"seq": seq, "name": "entry.save", "args": {
            "id": Uuid::from_u128(0xFA17_0000 + seq as u128), "client_id": client, "purpose": "work", "place": "home",
            "started_at": start.to_rfc3339(), "ended_at": (start + Span::minutes(30)).to_rfc3339(), "base_version": null,
        }})
    };

    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let (mut server, mut base) = start(&url, &dir);
    let login = |base: String| {
        let http = http.clone();
        async move {
            let r = http.post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"login": "ruta", "password": PASSWORD, "device": {"device_id": "fault-phone", "name": "t", "platform": "t", "app_version": "1"}}))
                .send().await.unwrap();
            r.json::<Value>().await.unwrap()["token"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    let token = login(base.clone()).await;
    let (mut acked, mut kills, mut attempts, mut lost_answers) = (0i64, 0, 0, 0);
    while acked < total && attempts < 400 {
        attempts += 1;
        let batch: Vec<Value> = (acked + 1..=(acked + 10).min(total))
            .map(mutation)
            .collect();
        let request = http
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(&token)
            .json(&json!({"device_id": "fault-phone", "mutations": batch}))
            .send();
        let answer = if kills < 3 && acked >= 30 * (kills + 1) {
            // Kill the process while this push is in flight, then bring it back.
            let in_flight = tokio::spawn(request);
            tokio::time::sleep(Duration::from_millis(3 + 7 * kills as u64)).await;
            kill9(&mut server);
            kills += 1;
            let answer = in_flight.await.unwrap();
            (server, base) = start(&url, &dir);
            answer
        } else {
            request.await
        };
        // A lost answer is just retried with the same seqs.
        let answer = answer.ok().filter(|r| r.status() == 200);
        if answer.is_none() {
            lost_answers += 1;
        }
        if let Some(r) = answer {
            let body: Value = r.json().await.unwrap();
            for x in body["results"].as_array().unwrap() {
                assert_ne!(x["status"], "rejected", "nothing here breaks a rule: {x}");
            }
            acked = body["last_applied_seq"].as_i64().unwrap();
        }
    }
    assert_eq!(kills, 3, "the process was killed three times mid-push");
    assert_eq!(acked, total);

    let admin = {
        let r = http.post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"login": "admin", "password": crate::helpers::ADMIN_PASSWORD, "device": {"device_id": "fault-admin", "name": "t", "platform": "t", "app_version": "1"}}))
            .send().await.unwrap();
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let page: Value = http
        .get(format!(
            "{base}/api/v1/entries?client_id={client}&limit=500"
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = page["items"].as_array().unwrap();
    let mut ids: Vec<&str> = items.iter().map(|e| e["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    let stored = items.len() as i64;
    println!(
        "faults: acknowledged {acked}, stored {stored}, duplicates {}, lost {}, kills {kills}, answers cut off {lost_answers}",
        stored - ids.len() as i64,
        total - ids.len() as i64
    );
    assert_eq!(stored, total, "every acknowledged mutation is stored");
    assert_eq!(ids.len() as i64, total, "none twice");
    assert!(
        items.iter().all(|e| e["version"] == 1),
        "each applied exactly once"
    );
    kill9(&mut server);
    std::fs::remove_dir_all(&dir).ok();
}

/// A throwaway PostgreSQL cluster this test may restart at will (never the shared server).
struct Cluster {
    dir: std::path::PathBuf,
    port: u16,
    bin: std::path::PathBuf,
}

impl Cluster {
    fn as_postgres(cmd: &str) -> bool {
        Command::new("su")
            .args(["postgres", "-s", "/bin/sh", "-c", cmd])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    /// None where no PostgreSQL binaries or `postgres` user are available (a laptop).
    fn create() -> Option<Cluster> {
        let bin = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .map(|e| e.path().join("bin"))
            .find(|p| p.join("initdb").exists())?;
        let dir =
            std::path::PathBuf::from(format!("/tmp/asistents-pg-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).ok()?;
        Command::new("chown")
            .args(["postgres", dir.to_str()?])
            .status()
            .ok()?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .ok()?
            .local_addr()
            .ok()?
            .port();
        let init = format!(
            "{}/initdb -D {}/data -U postgres --auth=trust -E UTF8",
            bin.display(),
            dir.display()
        );
        Self::as_postgres(&init).then_some(())?;
        let cluster = Cluster { dir, port, bin };
        cluster.ctl("start").then_some(cluster)
    }

    fn ctl(&self, action: &str) -> bool {
        let opts = format!(
            "-p {} -c fsync=off -c listen_addresses=127.0.0.1 -k /tmp",
            self.port
        );
        let cmd = format!(
            "{}/pg_ctl -D {}/data -o '{opts}' -l {}/log -w -m fast {action}",
            self.bin.display(),
            self.dir.display(),
            self.dir.display()
        );
        Self::as_postgres(&cmd)
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.ctl("stop");
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgresql_restart_under_load_is_survived_without_loss() {
    if std::env::var("ASISTENTS_TEST_DATABASE_URL").is_err() {
        skipped(
            "a_postgresql_restart_under_load_is_survived_without_loss",
            Skip::OtherEngine,
            "it restarts a PostgreSQL server; the PostgreSQL pass runs it",
        );
        return;
    }
    let Some(cluster) = Cluster::create() else {
        skipped(
            "a_postgresql_restart_under_load_is_survived_without_loss",
            Skip::Missing,
            "no throwaway PostgreSQL cluster can be made here (PostgreSQL's server binaries and a postgres user are needed)",
        );
        return;
    };
    let app = TestApp::spawn_on(cluster.url(), |_| {}).await;
    let s = scene(&app, 9600, "ruta").await;
    // Two days before the service's own (fixed) clock, so no session is in its future.
    let end = (app.clock.now() - Span::days(2))
        .with_second(0)
        .unwrap()
        .with_nanosecond(0)
        .unwrap();
    let total = 60i64;
    let mutation = |seq: i64| {
        let start = end - Span::hours(total - seq + 1);
        json!({"seq": seq, "name": "entry.save", "args": {
            "id": Uuid::from_u128(0xDB_0000 + seq as u128), "client_id": s.client, "purpose": "work", "place": "home",
            "started_at": start.to_rfc3339(), "ended_at": (start + Span::minutes(30)).to_rfc3339(), "base_version": null,
        }})
    };
    let (mut acked, mut attempts, mut refused_while_down, mut saw_not_ready, mut restarted) =
        (0i64, 0, 0, false, false);
    while acked < total && attempts < 500 {
        attempts += 1;
        if acked >= 20 && !restarted {
            assert!(cluster.ctl("stop"), "stop PostgreSQL");
            let ready = app
                .send(reqwest::Method::GET, None, "/health/ready", None, None)
                .await;
            saw_not_ready = ready.status == 503;
            let batch: Vec<Value> = (acked + 1..=acked + 5).map(mutation).collect();
            let r = app
                .post(
                    &s.token,
                    "/api/v1/sync/push",
                    json!({"device_id": "phone-ruta", "mutations": batch}),
                )
                .await;
            assert!(
                r.status >= 500 || r.status == 401,
                "a push without a database fails as a whole: {}",
                r.text
            );
            refused_while_down += 1;
            assert!(cluster.ctl("start"), "start PostgreSQL again");
            restarted = true;
        }
        let batch: Vec<Value> = (acked + 1..=(acked + 5).min(total)).map(mutation).collect();
        let r = app
            .post(
                &s.token,
                "/api/v1/sync/push",
                json!({"device_id": "phone-ruta", "mutations": batch}),
            )
            .await;
        if r.status == 200 {
            acked = r.body["last_applied_seq"].as_i64().unwrap();
        } else {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    assert!(
        saw_not_ready,
        "readiness said 503 while the database was down"
    );
    let ready = app
        .send(reqwest::Method::GET, None, "/health/ready", None, None)
        .await;
    assert_eq!(ready.status, 200, "ready again by itself");
    let page = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?client_id={}&limit=500", s.client),
        )
        .await;
    let stored = page.body["total"].as_i64().unwrap();
    println!(
        "faults: postgresql restart: acknowledged {acked}, stored {stored}, duplicates {}, lost {}, pushes refused while down {refused_while_down}",
        stored - total,
        total - stored
    );
    assert_eq!((acked, stored), (total, total));
}
