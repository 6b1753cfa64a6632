//! The month's life: submit, dispute, correction, confirmation, approval, reopening; late entries'
//! review; PIN confirmation; the audit chain.

use mobile_api::entries::{Entry, MonthSheet};
use serde_json::{Value, json};

use crate::entries::{post, scene, session, sheet};
use crate::helpers::{Resp, TestApp};

/// Sets a client's PIN through the API, as `token`.
async fn set_pin(app: &TestApp, token: &str, client: uuid::Uuid, pin: &str) -> Resp {
    app.send(
        reqwest::Method::PUT,
        Some(token),
        &format!("/api/v1/clients/{client}/pin"),
        Some(&json!({ "pin": pin })),
        None,
    )
    .await
}

/// The audit log's actions about one entry, oldest first.
async fn entry_audit(app: &TestApp, id: uuid::Uuid) -> Vec<String> {
    use asistents::db::entity::audit_log;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
    audit_log::Entity::find()
        .filter(audit_log::Column::SubjectId.eq(id.to_string()))
        .order_by_asc(audit_log::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect()
}

async fn step(
    app: &TestApp,
    token: &str,
    client: uuid::Uuid,
    month: &str,
    action: &str,
    body: Value,
) -> Resp {
    app.post(
        token,
        &format!("/api/v1/clients/{client}/months/{month}/{action}"),
        body,
    )
    .await
}

fn seen(m: &MonthSheet) -> Value {
    json!({"entries": m.entries.iter().map(|e| json!({"id": e.id, "version": e.version})).collect::<Vec<_>>()})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_goes_from_dispute_through_correction_to_confirmation_and_approval() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    let (_, client) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    let e1: Entry = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-20T09:00:00+03:00",
            "2026-10-20T12:00:00+03:00",
            "work",
        ),
    )
    .await
    .json();
    let e2: Entry = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-21T09:00:00+03:00",
            "2026-10-21T13:00:00+03:00",
            "work",
        ),
    )
    .await
    .json();
    let c = s.client;

    // Nothing to confirm before the assistant hands the month in.
    step(
        &app,
        &client,
        c,
        "2026-10",
        "confirm",
        json!({"entries": []}),
    )
    .await
    .refused(409, "month_state");
    let r = step(&app, &s.token, c, "2026-10", "submit", json!({})).await;
    r.expect(200);
    assert_eq!(r.body["state"], "submitted");

    let r = step(&app, &client, c, "2026-10", "dispute", json!({"entries": [{"id": e2.id, "reason": "Tajā dienā biju mājās līdz 11:00"}], "comment": "Lūdzu pārbaudīt"})).await;
    r.expect(200);
    let m: MonthSheet = r.json();
    assert_eq!(m.state.as_str(), "disputed");
    assert_eq!((m.disputes.len(), m.disputes[0].entry_id), (1, e2.id));
    // The dispute reaches the assistant's phone.
    let pulled = app.get(&s.token, "/api/v1/sync/pull?limit=500").await;
    let dispute = pulled.body["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "dispute")
        .expect("dispute pulled");
    assert_eq!(
        dispute["data"]["reason"],
        "Tajā dienā biju mājās līdz 11:00"
    );

    // The assistant corrects the entry; the client's stale confirmation is refused.
    let stale = seen(&m);
    let mut fix = session(
        c,
        "2026-10-21T11:00:00+03:00",
        "2026-10-21T13:00:00+03:00",
        "work",
    );
    fix["base_version"] = json!(1);
    app.send(
        reqwest::Method::PUT,
        Some(&s.token),
        &format!("/api/v1/entries/{}", e2.id),
        Some(&fix),
        None,
    )
    .await
    .expect(200);
    let r = step(&app, &client, c, "2026-10", "confirm", stale).await;
    r.refused(409, "stale_version");
    assert_eq!(r.body["error"]["details"]["changed"][0]["version"], 2);
    let r = step(
        &app,
        &client,
        c,
        "2026-10",
        "confirm",
        json!({"entries": [{"id": e1.id, "version": 1}]}),
    )
    .await;
    r.refused(409, "stale_version");
    assert_eq!(r.body["error"]["details"]["missing"], json!([e2.id]));

    let now = sheet(&app, c, "2026-10").await;
    let r = step(&app, &client, c, "2026-10", "confirm", seen(&now)).await;
    r.expect(200);
    let m: MonthSheet = r.json();
    assert_eq!(
        (m.state.as_str(), m.confirmed_as.as_deref()),
        ("confirmed", Some("client"))
    );
    assert!(m.disputes[0].resolved_at.is_some());
    assert_eq!(m.used_minutes, 300);
    // Confirmed: the assistant can no longer change it.
    let mut late_fix = session(
        c,
        "2026-10-21T11:00:00+03:00",
        "2026-10-21T12:00:00+03:00",
        "work",
    );
    late_fix["base_version"] = json!(2);
    app.send(
        reqwest::Method::PUT,
        Some(&s.token),
        &format!("/api/v1/entries/{}", e2.id),
        Some(&late_fix),
        None,
    )
    .await
    .refused(409, "month_locked");
    step(
        &app,
        &client,
        c,
        "2026-10",
        "dispute",
        json!({"entries": [{"id": e1.id, "reason": "x"}]}),
    )
    .await
    .refused(409, "month_locked");

    // Only staff approve; the client's confirmation needs no reason.
    step(&app, &s.token, c, "2026-10", "approve", json!({}))
        .await
        .refused(403, "forbidden");
    let r = step(&app, &app.admin, c, "2026-10", "approve", json!({})).await;
    r.expect(200);
    assert_eq!(r.body["state"], "approved");
    // Reopening needs a reason; it unlocks the month.
    step(&app, &app.admin, c, "2026-10", "reopen", json!({}))
        .await
        .refused(422, "validation_failed");
    let r = step(
        &app,
        &app.admin,
        c,
        "2026-10",
        "reopen",
        json!({"reason": "Kļūda datumā"}),
    )
    .await;
    r.expect(200);
    assert_eq!(
        (r.body["state"].as_str(), r.body["confirmed_at"].as_str()),
        (Some("open"), None)
    );
    app.send(
        reqwest::Method::PUT,
        Some(&s.token),
        &format!("/api/v1/entries/{}", e2.id),
        Some(&late_fix),
        None,
    )
    .await
    .expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_approves_an_unconfirmed_month_only_with_a_written_reason() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-20T09:00:00+03:00",
            "2026-10-20T12:00:00+03:00",
            "work",
        ),
    )
    .await
    .expect(201);
    step(&app, &s.token, s.client, "2026-10", "submit", json!({}))
        .await
        .expect(200);
    let r = step(&app, &app.admin, s.client, "2026-10", "approve", json!({})).await;
    r.refused(422, "validation_failed");
    assert_eq!(r.body["error"]["details"]["field"], "reason");
    let r = step(
        &app,
        &app.admin,
        s.client,
        "2026-10",
        "approve",
        json!({"reason": "Klientam nav rīcībspējas, pārstāvis nav sasniedzams"}),
    )
    .await;
    r.expect(200);
    let m: MonthSheet = r.json();
    assert_eq!(
        (m.state.as_str(), m.approval_reason.as_deref()),
        (
            "approved",
            Some("Klientam nav rīcībspējas, pārstāvis nav sasniedzams")
        )
    );
    assert_eq!(m.confirmed_at, None);
    step(
        &app,
        &app.admin,
        s.client,
        "2026-10",
        "approve",
        json!({"reason": "again"}),
    )
    .await
    .refused(409, "month_state");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_entries_wait_for_a_coordinator_who_approves_or_rejects_each() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 600, "ruta").await;
    // 24 November: October's deadline has passed.
    let a: Entry = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-20T09:00:00+03:00",
            "2026-10-20T14:00:00+03:00",
            "work",
        ),
    )
    .await
    .json();
    let b: Entry = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-21T09:00:00+03:00",
            "2026-10-21T12:00:00+03:00",
            "work",
        ),
    )
    .await
    .json();
    assert_eq!(
        (a.status.as_str(), b.status.as_str()),
        ("pending_review", "pending_review")
    );
    let overview = app.get(&app.admin, "/api/v1/months/2026-10").await;
    overview.expect(200);
    let row = overview.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["client_id"] == s.client.to_string())
        .unwrap()
        .clone();
    assert_eq!(
        (row["pending_review"].as_i64(), row["used_minutes"].as_i64()),
        (Some(2), Some(0))
    );
    let r = step(
        &app,
        &app.admin,
        s.client,
        "2026-10",
        "approve",
        json!({"reason": "Termiņš"}),
    )
    .await;
    r.refused(409, "month_state");
    assert_eq!(r.body["error"]["details"]["pending_review"], 2);

    // Another assistant's entry meanwhile leaves too little for both.
    let mut by_staff = session(
        s.client,
        "2026-10-22T09:00:00+03:00",
        "2026-10-22T15:00:00+03:00",
        "work",
    );
    by_staff["assistant_id"] = json!(s.assistant);
    post(&app, &app.admin, &by_staff).await.expect(201);
    let review = async |id: uuid::Uuid, decision: &str| {
        app.post(
            &app.admin,
            &format!("/api/v1/entries/{id}/review"),
            json!({"decision": decision, "reason": "Pārbaudīts ar klientu"}),
        )
        .await
    };
    let r = review(a.id, "approve").await;
    r.refused(422, "over_allowance");
    let r = review(b.id, "approve").await;
    r.expect(200);
    assert_eq!(
        (r.body["status"].as_str(), r.body["version"].as_i64()),
        (Some("active"), Some(2))
    );
    let r = review(a.id, "reject").await;
    r.expect(200);
    assert_eq!(r.body["status"], "rejected");
    review(a.id, "approve").await.refused(404, "not_found");
    app.post(
        &s.token,
        &format!("/api/v1/entries/{}/review", a.id),
        json!({"decision": "approve", "reason": "x"}),
    )
    .await
    .refused(403, "forbidden");
    app.post(
        &app.admin,
        &format!("/api/v1/entries/{}/review", b.id),
        json!({"decision": "maybe", "reason": "x"}),
    )
    .await
    .refused(422, "validation_failed");
    let m = sheet(&app, s.client, "2026-10").await;
    assert_eq!(
        m.used_minutes, 540,
        "360 by the coordinator and the approved 180; the rejected one does not count"
    );
    // Each verdict is audited after the entry's own record, and the entry keeps its reason.
    assert_eq!(
        entry_audit(&app, b.id).await,
        ["entry_created", "entry_updated", "entry_approved"]
    );
    assert_eq!(
        entry_audit(&app, a.id).await,
        ["entry_created", "entry_rejected"]
    );
    let r = app
        .get(&app.admin, &format!("/api/v1/entries/{}", b.id))
        .await;
    r.expect(200);
    assert_eq!(r.body["version"], 2, "one change for the review, not two");
    step(
        &app,
        &app.admin,
        s.client,
        "2026-10",
        "approve",
        json!({"reason": "Klients slimnīcā"}),
    )
    .await
    .expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_the_assistants_phone_the_client_confirms_with_their_own_pin() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-20T09:00:00+03:00",
            "2026-10-20T12:00:00+03:00",
            "work",
        ),
    )
    .await
    .expect(201);
    step(&app, &s.token, s.client, "2026-10", "submit", json!({}))
        .await
        .expect(200);
    let m = sheet(&app, s.client, "2026-10").await;
    let mut with_pin = seen(&m);
    with_pin["pin"] = json!("482105");
    // No PIN set yet: no PIN is right.
    step(
        &app,
        &s.token,
        s.client,
        "2026-10",
        "confirm",
        with_pin.clone(),
    )
    .await
    .refused(422, "validation_failed");
    set_pin(&app, &s.token, s.client, "482105")
        .await
        .refused(403, "forbidden");
    set_pin(&app, &app.admin, s.client, "48a105")
        .await
        .refused(422, "validation_failed");
    // Four digits are too few for a PIN typed on someone else's phone.
    set_pin(&app, &app.admin, s.client, "4821")
        .await
        .refused(422, "validation_failed");
    let r = app
        .send(
            reqwest::Method::PUT,
            Some(&app.admin),
            &format!("/api/v1/clients/{}/pin", s.client),
            Some(&json!({"pin": "482105"})),
            None,
        )
        .await;
    assert_eq!(r.status, 204);
    step(&app, &s.token, s.client, "2026-10", "confirm", seen(&m))
        .await
        .refused(422, "validation_failed");
    // A four-digit PIN kept from before the six-digit rule opens nothing.
    {
        use asistents::db::entity::clients;
        use sea_orm::{ActiveModelTrait, EntityTrait, Set};
        let row = clients::Entity::find_by_id(s.client)
            .one(&app.state.db)
            .await
            .unwrap()
            .unwrap();
        let kept = row.pin_hash.clone();
        let mut old: clients::ActiveModel = row.into();
        old.pin_hash = Set(Some(asistents::secrets::hash_password("4821").unwrap()));
        old.update(&app.state.db).await.unwrap();
        let mut four = seen(&m);
        four["pin"] = json!("4821");
        step(&app, &s.token, s.client, "2026-10", "confirm", four)
            .await
            .refused(422, "validation_failed");
        let mut back = clients::ActiveModel {
            id: Set(s.client),
            ..Default::default()
        };
        back.pin_hash = Set(kept);
        back.update(&app.state.db).await.unwrap();
    }
    let r = step(&app, &s.token, s.client, "2026-10", "confirm", with_pin).await;
    r.expect(200);
    assert_eq!(r.body["confirmed_as"], "client_pin");
    let client = app
        .get(&app.admin, &format!("/api/v1/clients/{}", s.client))
        .await;
    assert!(!client.text.contains("482105") && !client.text.contains("pin_hash"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pin_guessing_is_throttled() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    set_pin(&app, &app.admin, s.client, "482105").await;
    step(&app, &s.token, s.client, "2026-10", "submit", json!({}))
        .await
        .expect(200);
    for guess in ["000000", "111111", "222222", "333333", "444444"] {
        step(
            &app,
            &s.token,
            s.client,
            "2026-10",
            "confirm",
            json!({"entries": [], "pin": guess}),
        )
        .await
        .refused(422, "validation_failed");
    }
    let r = step(
        &app,
        &s.token,
        s.client,
        "2026-10",
        "confirm",
        json!({"entries": [], "pin": "482105"}),
    )
    .await;
    r.refused(429, "too_many_attempts");
    assert!(r.headers.get("retry-after").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_representative_who_is_also_the_assistant_is_marked_as_such() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "mamma").await;
    let (_, parent) = app
        .user(
            "mamma-parstave",
            "representative",
            json!({"client_ids": [s.client], "assistant_id": s.assistant}),
        )
        .await;
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-20T09:00:00+03:00",
            "2026-10-20T12:00:00+03:00",
            "school",
        ),
    )
    .await
    .expect(201);
    step(&app, &s.token, s.client, "2026-10", "submit", json!({}))
        .await
        .expect(200);
    let m = sheet(&app, s.client, "2026-10").await;
    let r = step(&app, &parent, s.client, "2026-10", "confirm", seen(&m)).await;
    r.expect(200);
    assert_eq!(r.body["confirmed_as"], "representative_also_assistant");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_audit_chain_verifies_and_names_the_first_altered_record() {
    let dir =
        std::env::temp_dir().join(format!("asistents-audit-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = match std::env::var("ASISTENTS_TEST_DATABASE_URL") {
        Ok(_) => crate::helpers::test_database_url().await,
        Err(_) => format!("sqlite://{}/audit.db?mode=rwc", dir.display()),
    };
    let app = TestApp::spawn_with(|c| c.database_url = url.clone()).await;
    let s = scene(&app, 4800, "ruta").await;
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-20T09:00:00+02:00",
            "2026-11-20T12:00:00+02:00",
            "work",
        ),
    )
    .await
    .expect(201);
    let verify = || {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_asistents"))
            .args(["audit", "verify"])
            .env("DATABASE_URL", &url)
            .current_dir(&dir)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    let (code, out) = verify();
    assert_eq!(code, Some(0), "{out}");
    assert!(out.starts_with("audit log intact:"), "{out}");
    let records: u64 = out.split_whitespace().nth(3).unwrap().parse().unwrap();
    assert!(records >= 8, "logins, records, the entry: {out}");

    use sea_orm::ConnectionTrait;
    let target: i64 = {
        let row = app
            .state
            .db
            .query_one_raw(sea_orm::Statement::from_string(
                app.state.db.get_database_backend(),
                "select id from audit_log where action = 'entry_created'",
            ))
            .await
            .unwrap()
            .unwrap();
        row.try_get_by_index(0).unwrap()
    };
    app.state.db.execute_unprepared(&format!("update audit_log set after = replace(after, '\"minutes\":180', '\"minutes\":240') where id = {target}")).await.unwrap();
    let (code, out) = verify();
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains(&format!("record {target}:")), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_month_still_open_after_its_deadline_is_handed_in_by_the_service() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-05T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-20T09:00:00+03:00",
            "2026-10-20T12:00:00+03:00",
            "work",
        ),
    )
    .await
    .expect(201);
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-02T09:00:00+02:00",
            "2026-11-02T12:00:00+02:00",
            "work",
        ),
    )
    .await
    .expect(201);
    // The deadline is the end of 5 November (Riga): not yet.
    assert_eq!(asistents::jobs::housekeeping(&app.state).await.unwrap(), 0);
    assert_eq!(
        sheet(&app, s.client, "2026-10").await.state.as_str(),
        "open"
    );
    app.clock.set("2026-11-05T22:00:01Z".parse().unwrap());
    assert_eq!(asistents::jobs::housekeeping(&app.state).await.unwrap(), 1);
    assert_eq!(
        sheet(&app, s.client, "2026-10").await.state.as_str(),
        "submitted"
    );
    assert_eq!(
        sheet(&app, s.client, "2026-11").await.state.as_str(),
        "open"
    );
    assert_eq!(
        asistents::jobs::housekeeping(&app.state).await.unwrap(),
        0,
        "once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pin_guesses_sent_at_once_are_checked_no_more_often_than_the_limit() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    set_pin(&app, &app.admin, s.client, "482105").await;
    step(&app, &s.token, s.client, "2026-10", "submit", json!({}))
        .await
        .expect(200);
    let url = format!(
        "{}/api/v1/clients/{}/months/2026-10/confirm",
        app.base, s.client
    );
    let sends = (0..30).map(|i| {
        let (http, url, token) = (app.http.clone(), url.clone(), s.token.clone());
        async move {
            http.post(url)
                .bearer_auth(token)
                .json(&json!({"entries": [], "pin": format!("{:06}", 500000 + i)}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = crate::helpers::join_all(sends.collect()).await;
    let checked = statuses.iter().filter(|s| **s == 422).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!((checked, refused), (5, 25), "{statuses:?}");
}

/// A disputed month the coordinator approves (with a reason) no longer counts its dispute as
/// open: the approval decided it, and the dispute says how.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn approving_a_disputed_month_decides_its_disputes() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    let (_, client) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    let e: Entry = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-20T09:00:00+03:00",
            "2026-10-20T12:00:00+03:00",
            "work",
        ),
    )
    .await
    .json();
    step(&app, &s.token, s.client, "2026-10", "submit", json!({}))
        .await
        .expect(200);
    step(
        &app,
        &client,
        s.client,
        "2026-10",
        "dispute",
        json!({"entries": [{"id": e.id, "reason": "Nebija"}]}),
    )
    .await
    .expect(200);
    let open = |page: &Value| {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["client_id"] == json!(s.client))
            .unwrap()["open_disputes"]
            .as_i64()
            .unwrap()
    };
    let before = app.get(&app.admin, "/api/v1/months/2026-10").await;
    assert_eq!(open(&before.body), 1);
    step(
        &app,
        &app.admin,
        s.client,
        "2026-10",
        "approve",
        json!({"reason": "Pārbaudīts ar klientu pa tālruni"}),
    )
    .await
    .expect(200);
    let after = app.get(&app.admin, "/api/v1/months/2026-10").await;
    assert_eq!(open(&after.body), 0, "{}", after.text);
    let m = sheet(&app, s.client, "2026-10").await;
    assert_eq!(
        m.disputes[0].resolution.as_deref(),
        Some("approved by the coordinator: Pārbaudīts ar klientu pa tālruni")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_month_overview_is_paged_and_counts_every_client_month_by_state() {
    let app = TestApp::spawn().await;
    // Three clients with decisions; the first hands in October.
    let a = scene(&app, 4800, "ruta").await;
    let _b = scene(&app, 2400, "igors").await;
    let _c = scene(&app, 2400, "janis").await;
    post(
        &app,
        &a.token,
        &session(
            a.client,
            "2026-10-20T09:00:00+03:00",
            "2026-10-20T11:00:00+03:00",
            "work",
        ),
    )
    .await
    .expect(201);
    app.post(
        &a.token,
        &format!("/api/v1/clients/{}/months/2026-10/submit", a.client),
        json!({}),
    )
    .await
    .expect(200);
    let page = |query: &'static str| {
        let app = &app;
        async move {
            let r = app
                .get(&app.admin, &format!("/api/v1/months/2026-10{query}"))
                .await;
            r.expect(200);
            r.json::<mobile_api::entries::MonthOverview>()
        }
    };
    let count = |p: &mobile_api::entries::MonthOverview, state: &str| {
        p.by_state
            .iter()
            .find(|c| c.state.as_str() == state)
            .map(|c| c.count)
            .unwrap()
    };
    let all = page("").await;
    assert_eq!(
        (all.total, all.items.len(), all.offset, all.limit),
        (3, 3, 0, 50)
    );
    assert_eq!((count(&all, "open"), count(&all, "submitted")), (2, 1));
    // Each row's allowance from the client's decision, with a sheet of the month or without
    // (the October session came after its deadline: it waits for review, not counted yet).
    let mut figures: Vec<(uuid::Uuid, i64, i64, i64)> = all
        .items
        .iter()
        .map(|r| {
            (
                r.client_id,
                r.allowance_minutes,
                r.used_minutes,
                r.remaining_minutes,
            )
        })
        .collect();
    figures.sort_by_key(|f| (f.0 != a.client, f.1));
    assert_eq!(
        figures.iter().map(|f| (f.1, f.2, f.3)).collect::<Vec<_>>(),
        [(4800, 0, 4800), (2400, 0, 2400), (2400, 0, 2400)]
    );
    assert_eq!(
        all.by_state.len(),
        6,
        "every state, in the life cycle's order"
    );
    // Two at a time: the second page has the rest, in the same order.
    let first = page("?limit=2").await;
    let second = page("?limit=2&offset=2").await;
    assert_eq!((first.items.len(), second.items.len()), (2, 1));
    let names: Vec<String> = first
        .items
        .iter()
        .chain(&second.items)
        .map(|r| r.client_name.clone())
        .collect();
    assert_eq!(
        names,
        all.items
            .iter()
            .map(|r| r.client_name.clone())
            .collect::<Vec<_>>()
    );
    // One state: its rows, while the counts stay the month's.
    let submitted = page("?state=submitted").await;
    assert_eq!(submitted.total, 1);
    assert_eq!(submitted.items[0].client_id, a.client);
    assert_eq!(submitted.items[0].allowance_minutes, 4800);
    assert_eq!(count(&submitted, "open"), 2);
    // Too big a page and an unknown state are refused, in words.
    app.get(&app.admin, "/api/v1/months/2026-10?limit=501")
        .await
        .refused(422, "validation_failed");
    app.get(&app.admin, "/api/v1/months/2026-10?state=paid")
        .await
        .refused(422, "validation_failed");
}
