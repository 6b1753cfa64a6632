//! `TestApp`: the real service on a free port with its own database, driven over HTTP.
//!
//! The database is in-memory SQLite, or, when `ASISTENTS_TEST_DATABASE_URL` names a PostgreSQL
//! server (e.g. `postgres://postgres@127.0.0.1:5432/postgres`), a fresh database created there
//! for this test alone.

pub mod smtp;

use asistents::{App, AppState, Clock, Config};
use chrono::{DateTime, NaiveDate, Utc};
use mobile_api::JobState;
use mobile_api::people::{Assignment, Assistant, Client, Decision, User};
use mobile_api::statements::{CloseJob, PendingMonth, Statement};
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use tokio::sync::oneshot;
use uuid::Uuid;

/// What a finished month close made: the job, and the statements it made.
#[derive(Debug)]
pub struct Closed {
    pub job: CloseJob,
    pub statements: Vec<Statement>,
    pub mails_queued: i64,
    pub pending: Vec<PendingMonth>,
}

pub const ADMIN_PASSWORD: &str = "admin-parole-123";
pub const PASSWORD: &str = "laba-parole-123";
/// What staff type when they create a login: the person must choose their own at once.
pub const TEMPORARY_PASSWORD: &str = "pagaidu-parole-1";

/// The fixed "now" of every test unless a test moves it: Tuesday 2026-11-24, 12:00 in Riga.
pub fn test_now() -> DateTime<Utc> {
    "2026-11-24T10:00:00Z".parse().unwrap()
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub struct TestApp {
    pub base: String,
    pub database_url: String,
    pub http: reqwest::Client,
    pub state: AppState,
    pub clock: Clock,
    pub admin: String,
    _stop: oneshot::Sender<()>,
}

/// An answer: status, headers and the body as JSON (Null when empty or not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone())
            .unwrap_or_else(|e| panic!("unexpected body ({e}): {}", self.text))
    }

    /// The error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"]
            .as_str()
            .unwrap_or_else(|| panic!("not an error body: {}", self.text))
    }

    pub fn message(&self) -> &str {
        self.body["error"]["message"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// Asserts an error answer with `status` and `code`.
    #[track_caller]
    pub fn refused(&self, status: u16, code: &str) -> &Self {
        self.expect(status);
        assert_eq!(self.code(), code, "body: {}", self.text);
        self
    }
}

pub async fn test_database_url() -> String {
    match std::env::var("ASISTENTS_TEST_DATABASE_URL") {
        Ok(server) if server.starts_with("postgres") => {
            let name = format!("asistents_t_{}", Uuid::new_v4().simple());
            let admin = asistents::db::connect(&server, 1)
                .await
                .expect("test PostgreSQL server");
            use sea_orm::ConnectionTrait;
            admin
                .execute_unprepared(&format!("create database {name}"))
                .await
                .expect("create test database");
            admin.close().await.ok();
            let base = server
                .rsplit_once('/')
                .map(|(b, _)| b.to_owned())
                .unwrap_or(server);
            format!("{base}/{name}")
        }
        _ => "sqlite::memory:".to_owned(),
    }
}

/// A database kept in a file, where the service reads through connections of their own beside
/// the writer: a fresh SQLite file under the temp folder, or the PostgreSQL test database.
pub async fn file_database_url(name: &str) -> String {
    if std::env::var("ASISTENTS_TEST_DATABASE_URL").is_ok() {
        return test_database_url().await;
    }
    let dir = std::env::temp_dir().join(format!("asistents-{name}-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp folder");
    format!("sqlite://{}/{name}.db?mode=rwc", dir.display())
}

pub fn test_config(database_url: String) -> Config {
    Config {
        database_url,
        database_max_connections: 8,
        bind: "127.0.0.1:0".into(),
        admin_password: Some(ADMIN_PASSWORD.into()),
        ..Config::default()
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Starts the service with a configuration `adjust` may change.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        Self::spawn_on(test_database_url().await, adjust).await
    }

    /// Starts the service on an existing database (a second instance beside another).
    pub async fn spawn_on(database_url: String, adjust: impl FnOnce(&mut Config)) -> TestApp {
        let mut config = test_config(database_url);
        adjust(&mut config);
        let database_url = config.database_url.clone();
        let clock = Clock::fixed(test_now());
        let app = App::build(config, clock.clone()).await.expect("app starts");
        let addr = app.local_addr();
        let state = app.state();
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run(async {
            let _ = stopped.await;
        }));
        let http = reqwest::Client::builder().build().unwrap();
        let mut test = TestApp {
            base: format!("http://{addr}"),
            database_url,
            http,
            state,
            clock,
            admin: String::new(),
            _stop: stop,
        };
        // Each instance's admin logs in from a device of its own (a login replaces a device's token).
        let r = test
            .try_login("admin", ADMIN_PASSWORD, &format!("admin-{}", addr.port()))
            .await;
        test.admin = r.body["token"].as_str().expect("admin logs in").to_owned();
        test
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: Option<&str>,
        path: &str,
        body: Option<&Value>,
        lang: Option<&str>,
    ) -> Resp {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(l) = lang {
            req = req.header("accept-language", l);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.expect("request sent");
        Self::read(res).await
    }

    pub async fn read(res: reqwest::Response) -> Resp {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    pub async fn get(&self, token: &str, path: &str) -> Resp {
        self.send(reqwest::Method::GET, Some(token), path, None, None)
            .await
    }

    pub async fn post(&self, token: &str, path: &str, body: impl Serialize) -> Resp {
        let body = serde_json::to_value(body).unwrap();
        self.send(reqwest::Method::POST, Some(token), path, Some(&body), None)
            .await
    }

    pub async fn patch(&self, token: &str, path: &str, body: impl Serialize) -> Resp {
        let body = serde_json::to_value(body).unwrap();
        self.send(reqwest::Method::PATCH, Some(token), path, Some(&body), None)
            .await
    }

    pub async fn try_login(&self, login: &str, password: &str, device: &str) -> Resp {
        let body = json!({
            "login": login, "password": password,
            "device": {"device_id": device, "name": "Test phone", "platform": "android", "app_version": "1.0.0"}
        });
        self.send(
            reqwest::Method::POST,
            None,
            "/api/v1/auth/login",
            Some(&body),
            None,
        )
        .await
    }

    /// Logs in from the device "phone-<login>" and returns the token.
    pub async fn login(&self, login: &str, password: &str) -> String {
        let r = self
            .try_login(login, password, &format!("phone-{login}"))
            .await;
        r.expect(200);
        r.body["token"].as_str().unwrap().to_owned()
    }

    /// Creates a user of `role` through the API and logs it in.
    pub async fn user(&self, login: &str, role: &str, links: Value) -> (User, String) {
        let mut body = json!({ "login": login, "password": TEMPORARY_PASSWORD, "role": role });
        for (k, v) in links.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        let r = self.post(&self.admin, "/api/v1/users", &body).await;
        r.expect(201);
        self.choose_own_password(login, TEMPORARY_PASSWORD).await;
        let token = self.login(login, PASSWORD).await;
        (r.json(), token)
    }

    /// Logs in with the password staff set and chooses `PASSWORD` instead, as a person does at
    /// their first login (that token then ends).
    pub async fn choose_own_password(&self, login: &str, temporary: &str) {
        let token = self.login(login, temporary).await;
        let r = self
            .post(
                &token,
                "/api/v1/me/password",
                json!({"current_password": temporary, "new_password": PASSWORD}),
            )
            .await;
        assert!(r.status < 300, "{login} chooses a password: {}", r.text);
    }

    /// Closes `month` as `token`'s user, as a coordinator's program does: starts the close
    /// (202 with the job), polls the job until it ends, and reads the statements it made.
    /// Panics when the close is refused or fails.
    pub async fn close_month(&self, token: &str, month: &str) -> Closed {
        let r = self
            .post(token, &format!("/api/v1/months/{month}/close"), json!({}))
            .await;
        r.expect(202);
        let job: CloseJob = r.json();
        let job = self.wait_for(token, job.id).await;
        assert_eq!(job.state, JobState::Done, "the close failed: {job:?}");
        let made: mobile_api::Page<Statement> = self
            .get(
                token,
                &format!("/api/v1/statements?close={}&limit=500", job.id),
            )
            .await
            .expect(200)
            .json();
        assert_eq!(
            made.total, job.statements as u64,
            "the job counts what it made: {job:?}"
        );
        Closed {
            statements: made.items,
            mails_queued: job.mails_queued,
            pending: job.pending.clone(),
            job,
        }
    }

    /// Polls close job `id` until it is done or failed (at most 60 s).
    pub async fn wait_for(&self, token: &str, id: Uuid) -> CloseJob {
        for _ in 0..3000 {
            let job: CloseJob = self
                .get(token, &format!("/api/v1/close-jobs/{id}"))
                .await
                .expect(200)
                .json();
            if matches!(job.state, JobState::Done | JobState::Failed) {
                return job;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("close job {id} did not end within a minute");
    }

    /// Reads close job `id` as the admin, asserting its state.
    pub async fn job_in_state(&self, id: &Uuid, state: JobState) -> CloseJob {
        let job: CloseJob = self
            .get(&self.admin, &format!("/api/v1/close-jobs/{id}"))
            .await
            .expect(200)
            .json();
        assert_eq!(job.state, state, "{job:?}");
        job
    }

    /// An admin records why `month` closes although the seeded rate (5.11 EUR) pays less than
    /// the 2026 minimum wage: the test data's months are closed as a municipality would close
    /// them while the new rate is not yet entered.
    pub async fn wage_override(&self, month: &str) {
        self.send(
            reqwest::Method::PUT,
            Some(&self.admin),
            &format!("/api/v1/months/{month}/wage-override"),
            Some(&json!({"reason": "Pārbaudes dati: jaunā likme vēl nav ievadīta"})),
            None,
        )
        .await
        .expect(204);
    }

    pub async fn coordinator(&self) -> String {
        self.user("koordinators", "coordinator", json!({})).await.1
    }

    pub async fn client(&self, name: &str, birth: &str) -> Client {
        let r = self
            .post(&self.admin, "/api/v1/clients", json!({ "name": name, "birth_date": birth, "personal_code": "140378-11234", "disability_group": 1 }))
            .await;
        r.expect(201);
        r.json()
    }

    pub async fn decision(&self, client: Uuid, body: Value) -> Decision {
        let r = self
            .post(
                &self.admin,
                &format!("/api/v1/clients/{client}/decisions"),
                body,
            )
            .await;
        r.expect(201);
        r.json()
    }

    /// An adult assistant-service decision for 2026 with `minutes` a month.
    pub async fn adult_decision(&self, client: Uuid, minutes: i64) -> Decision {
        self.decision(
            client,
            json!({
                "number": "SD/2026/1", "decided_on": "2025-12-15", "service": "assistant",
                "valid_from": "2026-01-01", "valid_to": "2026-12-31", "monthly_minutes": minutes,
                "transport": {"allowed": true, "monthly_cap_cents": 5000}
            }),
        )
        .await
    }

    pub async fn assistant(&self, name: &str) -> Assistant {
        let r = self
            .post(
                &self.admin,
                "/api/v1/assistants",
                json!({ "name": name, "personal_code": "010190-12345" }),
            )
            .await;
        r.expect(201);
        r.json()
    }

    pub async fn assign(&self, assistant: Uuid, client: Uuid, from: &str) -> Assignment {
        let r = self
            .post(&self.admin, "/api/v1/assignments", json!({ "assistant_id": assistant, "client_id": client, "service": "assistant", "valid_from": from }))
            .await;
        r.expect(201);
        r.json()
    }
}

/// Why a test did not run here. Said on the test's output even when the harness captures it
/// (written to the process's standard error directly), so that a skip is never silent.
pub enum Skip {
    /// The test is about the other database engine; that engine's pass of the suite runs it.
    OtherEngine,
    /// A tool or service the test needs is missing here. Under CI (`CI` set) that fails the
    /// test instead: CI must run everything.
    Missing,
}

/// Reports that `test` did not run, and why; panics under CI when something is missing.
pub fn skipped(test: &str, why: Skip, reason: &str) {
    use std::io::Write;
    let missing = matches!(why, Skip::Missing);
    if missing && std::env::var_os("CI").is_some() {
        panic!("{test} cannot run here under CI: {reason}");
    }
    let kind = if missing {
        "SKIPPED"
    } else {
        "not on this engine"
    };
    let _ = writeln!(std::io::stderr(), "{kind}: {test}: {reason}");
}

/// Runs the futures at once and returns their outputs in order.
pub async fn join_all<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut handles: Vec<std::pin::Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = handles.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (h, out) in handles.iter_mut().zip(outputs.iter_mut()) {
            if out.is_none() {
                match h.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => *out = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|o| o.expect("every future finished"))
        .collect()
}
