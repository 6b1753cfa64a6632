//! The rules (SPEC §4) through the REST surface: every code, every warning, time done right,
//! versions, idempotency and racing writers.

use mobile_api::entries::{Entry, MonthSheet};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Resp, TestApp};

/// A client with an adult decision for 2026 (`minutes` a month, transport up to 50 EUR), an
/// assistant assigned to them, and the assistant's token.
pub struct Scene {
    pub client: Uuid,
    pub decision: Uuid,
    pub assistant: Uuid,
    pub token: String,
}

pub async fn scene(app: &TestApp, minutes: i64, login: &str) -> Scene {
    let client = app.client(&format!("Klients {login}"), "1978-03-14").await;
    let decision = app.adult_decision(client.id, minutes).await;
    let assistant = app.assistant(&format!("Asistents {login}")).await;
    app.assign(assistant.id, client.id, "2026-01-01").await;
    let (_, token) = app
        .user(login, "assistant", json!({"assistant_id": assistant.id}))
        .await;
    Scene {
        client: client.id,
        decision: decision.id,
        assistant: assistant.id,
        token,
    }
}

pub fn session(client: Uuid, start: &str, end: &str, purpose: &str) -> Value {
    json!({"client_id": client, "purpose": purpose, "started_at": start, "ended_at": end, "place": "community"})
}

pub async fn post(app: &TestApp, token: &str, body: &Value) -> Resp {
    app.post(token, "/api/v1/entries", body).await
}

pub async fn sheet(app: &TestApp, client: Uuid, month: &str) -> MonthSheet {
    let r = app
        .get(
            &app.admin,
            &format!("/api/v1/clients/{client}/months/{month}"),
        )
        .await;
    r.expect(200);
    r.json()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assistant_logs_a_session_and_the_month_sheet_counts_it() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    let mut body = session(
        s.client,
        "2026-11-20T09:00:00+02:00",
        "2026-11-20T12:00:00+02:00",
        "work",
    );
    body["trips"] = json!([{"mode": "own_car", "from": "Mājas", "to": "Darbs", "distance_km": 12.4, "cost_cents": 350}]);
    body["note"] = json!("Uz darbu un atpakaļ");
    let r = post(&app, &s.token, &body).await;
    r.expect(201);
    let e: Entry = r.json();
    assert_eq!(
        (e.minutes, e.status.as_str(), e.version, e.assistant_id),
        (180, "active", 1, s.assistant)
    );
    assert_eq!(e.started_at.to_rfc3339(), "2026-11-20T09:00:00+02:00");
    assert_eq!(e.trips[0].distance_km, 12.4);
    assert!(e.warnings.is_empty(), "{:?}", e.warnings);

    let m = sheet(&app, s.client, "2026-11").await;
    assert_eq!(
        (m.allowance_minutes, m.used_minutes, m.remaining_minutes),
        (4800, 180, 4620)
    );
    assert_eq!((m.transport_cap_cents, m.transport_used_cents), (5000, 350));
    assert_eq!(m.state.as_str(), "open");
    assert_eq!(m.by_purpose.len(), 1);
    assert_eq!(
        (m.by_purpose[0].purpose.as_str(), m.by_purpose[0].minutes),
        ("work", 180)
    );
    // 24 November: 180 minutes in 24 days, at that pace 225 by the 30th.
    assert_eq!(m.projected_minutes, 225);
    assert_eq!(m.entries, vec![e.clone()]);

    let read: Entry = app
        .get(&s.token, &format!("/api/v1/entries/{}", e.id))
        .await
        .json();
    assert_eq!(read, e);
    let listed = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?client_id={}&month=2026-11", s.client),
        )
        .await;
    assert_eq!(listed.body["total"], 1);
    let other_month = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?client_id={}&month=2026-10", s.client),
        )
        .await;
    assert_eq!(other_month.body["total"], 0);
    // The client reads the sheet too; another client's assistant does not.
    let (_, client_token) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    app.get(
        &client_token,
        &format!("/api/v1/clients/{}/months/2026-11", s.client),
    )
    .await
    .expect(200);
    let stranger = scene(&app, 600, "igors").await;
    app.get(
        &stranger.token,
        &format!("/api/v1/clients/{}/months/2026-11", s.client),
    )
    .await
    .refused(404, "not_found");
    app.get(&stranger.token, &format!("/api/v1/entries/{}", e.id))
        .await
        .refused(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn times_that_are_not_a_valid_interval_are_refused() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    for (start, end) in [
        ("2026-11-20T12:00:00+02:00", "2026-11-20T12:00:00+02:00"),
        ("2026-11-20T12:00:00+02:00", "2026-11-20T09:00:00+02:00"),
        ("2026-11-19T06:00:00+02:00", "2026-11-19T22:01:00+02:00"),
        ("yesterday", "2026-11-20T09:00:00+02:00"),
        ("2026-11-20T09:00:00", "2026-11-20T10:00:00"),
        ("2026-02-31T09:00:00+02:00", "2026-02-31T10:00:00+02:00"),
        ("0000-01-01T09:00:00+02:00", "0000-01-01T10:00:00+02:00"),
    ] {
        let r = post(&app, &s.token, &session(s.client, start, end, "work")).await;
        r.refused(422, "invalid_interval");
    }
    let r = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-19T06:00:00+02:00",
            "2026-11-19T22:01:00+02:00",
            "work",
        ),
    )
    .await;
    assert_eq!(
        (
            r.body["error"]["details"]["minutes"].as_i64(),
            r.body["error"]["details"]["max_minutes"].as_i64()
        ),
        (Some(961), Some(960))
    );
    // Exactly 16 hours is allowed.
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-19T06:00:00+02:00",
            "2026-11-19T22:00:00+02:00",
            "work",
        ),
    )
    .await
    .expect(201);
    assert_eq!(sheet(&app, s.client, "2026-11").await.used_minutes, 960);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_ending_in_the_future_are_refused_beyond_the_tolerance() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    // Now is 12:00 Riga time; five minutes of tolerance.
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-24T11:00:00+02:00",
            "2026-11-24T12:06:00+02:00",
            "work",
        ),
    )
    .await
    .refused(422, "in_future");
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-24T11:00:00+02:00",
            "2026-11-24T12:05:00+02:00",
            "work",
        ),
    )
    .await
    .expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_assignment_decision_suspension_and_purpose_must_cover_the_session() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    // A client the assistant is not assigned to: the same answer whether the client exists or not.
    let other = app.client("Cits klients", "1980-01-01").await;
    let r = post(
        &app,
        &s.token,
        &session(
            other.id,
            "2026-11-20T09:00:00+02:00",
            "2026-11-20T10:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.refused(422, "not_assigned");
    post(
        &app,
        &s.token,
        &session(
            Uuid::new_v4(),
            "2026-11-20T09:00:00+02:00",
            "2026-11-20T10:00:00+02:00",
            "work",
        ),
    )
    .await
    .refused(422, "not_assigned");
    // Assigned, but no decision covers the session.
    let assistant = app.assistant("Dace").await;
    app.assign(assistant.id, other.id, "2026-01-01").await;
    let (_, dace) = app
        .user("dace", "assistant", json!({"assistant_id": assistant.id}))
        .await;
    let r = post(
        &app,
        &dace,
        &session(
            other.id,
            "2026-11-20T09:00:00+02:00",
            "2026-11-20T10:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.refused(422, "no_decision");
    assert_eq!(r.body["error"]["details"]["service"], "assistant");

    let url = format!(
        "/api/v1/clients/{}/decisions/{}/suspensions",
        s.client, s.decision
    );
    app.post(
        &app.admin,
        &url,
        json!({"from": "2026-11-10", "to": "2026-11-12", "reason": "Slimnīca"}),
    )
    .await
    .expect(201);
    let r = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-12T22:00:00+02:00",
            "2026-11-13T01:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.refused(422, "service_suspended");
    assert_eq!(r.body["error"]["details"]["reason"], "Slimnīca");
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-13T00:00:00+02:00",
            "2026-11-13T01:00:00+02:00",
            "work",
        ),
    )
    .await
    .expect(201);

    for purpose in ["companion_trip", "fishing"] {
        let r = post(
            &app,
            &s.token,
            &session(
                s.client,
                "2026-11-16T09:00:00+02:00",
                "2026-11-16T10:00:00+02:00",
                purpose,
            ),
        )
        .await;
        r.refused(422, "purpose_not_allowed");
        assert_eq!(r.body["error"]["details"]["purpose"], purpose);
    }
    let amend = format!(
        "/api/v1/clients/{}/decisions/{}/amendments",
        s.client, s.decision
    );
    app.post(
        &app.admin,
        &amend,
        json!({"effective_from": "2026-11-01", "purposes": ["work", "other"]}),
    )
    .await
    .expect(201);
    let r = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-16T09:00:00+02:00",
            "2026-11-16T10:00:00+02:00",
            "school",
        ),
    )
    .await;
    r.refused(422, "purpose_not_allowed");
    assert_eq!(
        r.body["error"]["details"]["allowed"],
        json!(["work", "other"])
    );
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-16T09:00:00+02:00",
            "2026-11-16T10:00:00+02:00",
            "other",
        ),
    )
    .await
    .expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_monthly_allowance_is_shared_by_all_assistants_of_the_client() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 600, "ruta").await;
    let second = app.assistant("Ludmila").await;
    app.assign(second.id, s.client, "2026-01-01").await;
    let (_, ludmila) = app
        .user("ludmila", "assistant", json!({"assistant_id": second.id}))
        .await;
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-02T08:00:00+02:00",
            "2026-11-02T14:00:00+02:00",
            "work",
        ),
    )
    .await
    .expect(201);
    post(
        &app,
        &ludmila,
        &session(
            s.client,
            "2026-11-03T08:00:00+02:00",
            "2026-11-03T11:00:00+02:00",
            "work",
        ),
    )
    .await
    .expect(201);
    let r = post(
        &app,
        &ludmila,
        &session(
            s.client,
            "2026-11-04T08:00:00+02:00",
            "2026-11-04T10:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.refused(422, "over_allowance");
    let d = &r.body["error"]["details"];
    assert_eq!(
        (
            d["remaining_minutes"].as_i64(),
            d["requested_minutes"].as_i64(),
            d["month"].as_str()
        ),
        (Some(60), Some(120), Some("2026-11"))
    );
    assert_eq!(
        r.message(),
        "Mēneša apjoms pārsniegts: atlikušas 1 h, pieprasītas 2 h."
    );
    let ru = app
        .send(
            reqwest::Method::POST,
            Some(&ludmila),
            "/api/v1/entries",
            Some(&session(
                s.client,
                "2026-11-04T08:00:00+02:00",
                "2026-11-04T10:00:00+02:00",
                "work",
            )),
            Some("ru"),
        )
        .await;
    assert_eq!(
        ru.message(),
        "Превышен месячный объём: осталось 1 ч, запрошено 2 ч."
    );
    // Exactly the rest fits, with a warning that little is left.
    let r = post(
        &app,
        &ludmila,
        &session(
            s.client,
            "2026-11-04T08:00:00+02:00",
            "2026-11-04T09:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.expect(201);
    assert_eq!(r.body["warnings"][0]["code"], "allowance_low");
    let m = sheet(&app, s.client, "2026-11").await;
    assert_eq!((m.used_minutes, m.remaining_minutes), (600, 0));
    assert_eq!(m.warnings[0].code, "allowance_low");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overlapping_sessions_of_a_client_or_of_an_assistant_are_refused() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    let first: Entry = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-02T08:00:00+02:00",
            "2026-11-02T12:00:00+02:00",
            "work",
        ),
    )
    .await
    .json();
    let second = app.assistant("Ludmila").await;
    app.assign(second.id, s.client, "2026-01-01").await;
    let (_, ludmila) = app
        .user("ludmila", "assistant", json!({"assistant_id": second.id}))
        .await;
    let r = post(
        &app,
        &ludmila,
        &session(
            s.client,
            "2026-11-02T11:59:00+02:00",
            "2026-11-02T13:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.refused(409, "overlap_client");
    assert_eq!(r.body["error"]["details"]["entry_id"], first.id.to_string());
    // Touching end to start is not an overlap.
    post(
        &app,
        &ludmila,
        &session(
            s.client,
            "2026-11-02T12:00:00+02:00",
            "2026-11-02T13:00:00+02:00",
            "work",
        ),
    )
    .await
    .expect(201);

    let other = app.client("Otrs klients", "1975-01-01").await;
    app.adult_decision(other.id, 4800).await;
    app.assign(s.assistant, other.id, "2026-01-01").await;
    let r = post(
        &app,
        &s.token,
        &session(
            other.id,
            "2026-11-02T10:00:00+02:00",
            "2026-11-02T11:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.refused(409, "overlap_assistant");
    post(
        &app,
        &s.token,
        &session(
            other.id,
            "2026-11-02T14:00:00+02:00",
            "2026-11-02T15:00:00+02:00",
            "work",
        ),
    )
    .await
    .expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trip_costs_need_transport_in_the_decision_and_stay_under_its_cap() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    let with_trip = |start: &str, end: &str, cents: i64| {
        let mut b = session(s.client, start, end, "work");
        b["trips"] = json!([{"mode": "taxi", "from": "Mājas", "to": "Slimnīca", "distance_km": 5, "cost_cents": cents}]);
        b
    };
    post(
        &app,
        &s.token,
        &with_trip(
            "2026-11-02T08:00:00+02:00",
            "2026-11-02T09:00:00+02:00",
            4000,
        ),
    )
    .await
    .expect(201);
    let r = post(
        &app,
        &s.token,
        &with_trip(
            "2026-11-03T08:00:00+02:00",
            "2026-11-03T09:00:00+02:00",
            1500,
        ),
    )
    .await;
    r.refused(422, "transport_cap");
    let d = &r.body["error"]["details"];
    assert_eq!(
        (
            d["cap_cents"].as_i64(),
            d["remaining_cents"].as_i64(),
            d["requested_cents"].as_i64()
        ),
        (Some(5000), Some(1000), Some(1500))
    );
    post(
        &app,
        &s.token,
        &with_trip(
            "2026-11-03T08:00:00+02:00",
            "2026-11-03T09:00:00+02:00",
            1000,
        ),
    )
    .await
    .expect(201);
    // Free public transport is fine without compensation; a cost is not.
    let other = app.client("Bez transporta", "1975-01-01").await;
    app.decision(other.id, json!({"number": "2", "decided_on": "2025-12-01", "service": "assistant", "valid_from": "2026-01-01", "valid_to": "2026-12-31", "monthly_minutes": 4800})).await;
    app.assign(s.assistant, other.id, "2026-01-01").await;
    let mut free = session(
        other.id,
        "2026-11-05T08:00:00+02:00",
        "2026-11-05T09:00:00+02:00",
        "work",
    );
    free["trips"] = json!([{"mode": "public_transport", "from": "A", "to": "B", "distance_km": 3.5, "cost_cents": 0}]);
    post(&app, &s.token, &free).await.expect(201);
    let mut paid = session(
        other.id,
        "2026-11-06T08:00:00+02:00",
        "2026-11-06T09:00:00+02:00",
        "work",
    );
    paid["trips"] =
        json!([{"mode": "taxi", "from": "A", "to": "B", "distance_km": 3.5, "cost_cents": 700}]);
    post(&app, &s.token, &paid)
        .await
        .refused(422, "transport_not_allowed");
    paid["trips"][0]["mode"] = json!("rocket");
    post(&app, &s.token, &paid)
        .await
        .refused(422, "validation_failed");
    paid["trips"] = json!([]);
    paid["place"] = json!("56.9496, 24.1052");
    let r = post(&app, &s.token, &paid).await;
    r.refused(422, "validation_failed");
    assert_eq!(r.body["error"]["details"]["reason"], "coordinates");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_locked_month_refuses_changes() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    let e: Entry = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-02T08:00:00+02:00",
            "2026-11-02T09:00:00+02:00",
            "work",
        ),
    )
    .await
    .json();
    // The assistant hands the month in and the client confirms it.
    app.post(
        &s.token,
        &format!("/api/v1/clients/{}/months/2026-11/submit", s.client),
        json!({}),
    )
    .await
    .expect(200);
    let (_, client) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    let seen = json!({"entries": [{"id": e.id, "version": 1}]});
    app.post(
        &client,
        &format!("/api/v1/clients/{}/months/2026-11/confirm", s.client),
        seen,
    )
    .await
    .expect(200);
    let r = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-03T08:00:00+02:00",
            "2026-11-03T09:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.refused(409, "month_locked");
    assert_eq!(r.body["error"]["details"]["month"], "2026-11");
    let mut edit = session(
        s.client,
        "2026-11-02T08:00:00+02:00",
        "2026-11-02T10:00:00+02:00",
        "work",
    );
    edit["base_version"] = json!(1);
    app.send(
        reqwest::Method::PUT,
        Some(&s.token),
        &format!("/api/v1/entries/{}", e.id),
        Some(&edit),
        None,
    )
    .await
    .refused(409, "month_locked");
    app.send(
        reqwest::Method::DELETE,
        Some(&s.token),
        &format!("/api/v1/entries/{}?base_version=1", e.id),
        None,
        None,
    )
    .await
    .refused(409, "month_locked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_and_deletes_name_the_version_they_saw() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    let e: Entry = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-02T08:00:00+02:00",
            "2026-11-02T09:00:00+02:00",
            "work",
        ),
    )
    .await
    .json();
    let url = format!("/api/v1/entries/{}", e.id);
    let mut edit = session(
        s.client,
        "2026-11-02T08:00:00+02:00",
        "2026-11-02T11:30:00+02:00",
        "other",
    );
    edit["base_version"] = json!(1);
    let r = app
        .send(
            reqwest::Method::PUT,
            Some(&s.token),
            &url,
            Some(&edit),
            None,
        )
        .await;
    r.expect(200);
    let v2: Entry = r.json();
    assert_eq!(
        (v2.version, v2.minutes, v2.purpose.as_str()),
        (2, 210, "other")
    );
    assert_eq!(sheet(&app, s.client, "2026-11").await.used_minutes, 210);
    // Someone who saw version 1 is told what it is now.
    let r = app
        .send(
            reqwest::Method::PUT,
            Some(&s.token),
            &url,
            Some(&edit),
            None,
        )
        .await;
    r.refused(409, "stale_version");
    assert_eq!(r.body["error"]["details"]["current"]["version"], 2);
    assert_eq!(r.body["error"]["details"]["current"]["minutes"], 210);
    app.send(
        reqwest::Method::DELETE,
        Some(&s.token),
        &format!("{url}?base_version=1"),
        None,
        None,
    )
    .await
    .refused(409, "stale_version");
    app.send(reqwest::Method::DELETE, Some(&s.token), &url, None, None)
        .await
        .refused(422, "validation_failed");
    // Nobody else edits it: another assistant does not see it; a client may not write.
    let other = scene(&app, 600, "igors").await;
    let mut theirs = edit.clone();
    theirs["base_version"] = json!(2);
    app.send(
        reqwest::Method::PUT,
        Some(&other.token),
        &url,
        Some(&theirs),
        None,
    )
    .await
    .refused(404, "not_found");
    let (_, client_token) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    app.send(
        reqwest::Method::PUT,
        Some(&client_token),
        &url,
        Some(&theirs),
        None,
    )
    .await
    .refused(403, "forbidden");
    post(
        &app,
        &client_token,
        &session(
            s.client,
            "2026-11-05T08:00:00+02:00",
            "2026-11-05T09:00:00+02:00",
            "work",
        ),
    )
    .await
    .refused(403, "forbidden");
    let mut as_other = session(
        s.client,
        "2026-11-05T08:00:00+02:00",
        "2026-11-05T09:00:00+02:00",
        "work",
    );
    as_other["assistant_id"] = json!(other.assistant);
    post(&app, &s.token, &as_other)
        .await
        .refused(403, "forbidden");

    let r = app
        .send(
            reqwest::Method::DELETE,
            Some(&s.token),
            &format!("{url}?base_version=2"),
            None,
            None,
        )
        .await;
    r.expect(200);
    assert_eq!(
        (r.body["status"].as_str(), r.body["version"].as_i64()),
        (Some("deleted"), Some(3))
    );
    assert_eq!(sheet(&app, s.client, "2026-11").await.used_minutes, 0);
    let live = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?client_id={}", s.client),
        )
        .await;
    assert_eq!(live.body["total"], 0);
    let deleted = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?client_id={}&status=deleted", s.client),
        )
        .await;
    assert_eq!(deleted.body["total"], 1);
    app.send(
        reqwest::Method::DELETE,
        Some(&s.token),
        &format!("{url}?base_version=3"),
        None,
        None,
    )
    .await
    .refused(404, "not_found");
    // Its id stays taken: a create with it is a conflict, not a second entry.
    let mut again = session(
        s.client,
        "2026-11-06T08:00:00+02:00",
        "2026-11-06T09:00:00+02:00",
        "work",
    );
    again["id"] = json!(e.id);
    post(&app, &s.token, &again).await.refused(409, "conflict");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warnings_travel_back_on_accepted_entries_and_are_listed_for_coordinators() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 9600, "ruta").await;
    // Clock skew: the phone thinks it is 20 minutes later.
    let mut b = session(
        s.client,
        "2026-11-23T08:00:00+02:00",
        "2026-11-23T10:00:00+02:00",
        "work",
    );
    b["device_time"] = json!("2026-11-24T10:20:00Z");
    let r = post(&app, &s.token, &b).await;
    r.expect(201);
    assert_eq!(r.body["warnings"][0]["code"], "clock_skew");
    assert_eq!(r.body["warnings"][0]["details"]["skew_minutes"], 20);
    // The week of 16–22 November: 5 × 8 h = 40 h is the limit; one hour more warns.
    for day in 16..=20 {
        post(
            &app,
            &s.token,
            &session(
                s.client,
                &format!("2026-11-{day}T08:00:00+02:00"),
                &format!("2026-11-{day}T16:00:00+02:00"),
                "work",
            ),
        )
        .await
        .expect(201);
    }
    let r = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-21T08:00:00+02:00",
            "2026-11-21T09:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.expect(201);
    let w = &r.body["warnings"][0];
    assert_eq!(
        (
            w["code"].as_str(),
            w["details"]["week"].as_str(),
            w["details"]["week_minutes"].as_i64()
        ),
        (Some("weekly_limit"), Some("2026-W47"), Some(2460))
    );
    let en = app
        .send(
            reqwest::Method::GET,
            Some(&s.token),
            &format!("/api/v1/entries/{}", r.body["id"].as_str().unwrap()),
            None,
            Some("en"),
        )
        .await;
    assert_eq!(
        en.body["warnings"][0]["message"],
        "Over the weekly limit (40 h): already 41 h this week."
    );

    // October's deadline (5 November) has passed: kept for review, not counted.
    let r = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-10-20T08:00:00+03:00",
            "2026-10-20T10:00:00+03:00",
            "work",
        ),
    )
    .await;
    r.expect(201);
    assert_eq!(r.body["status"], "pending_review");
    assert!(
        r.body["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["code"] == "late_entry")
    );
    assert_eq!(sheet(&app, s.client, "2026-10").await.used_minutes, 0);
    // A coordinator's own entry needs no review.
    let mut by_coordinator = session(
        s.client,
        "2026-10-21T08:00:00+03:00",
        "2026-10-21T10:00:00+03:00",
        "work",
    );
    by_coordinator["assistant_id"] = json!(s.assistant);
    let r = post(&app, &app.admin, &by_coordinator).await;
    r.expect(201);
    assert_eq!(r.body["status"], "active");
    assert_eq!(sheet(&app, s.client, "2026-10").await.used_minutes, 120);

    let flagged = app
        .get(&app.admin, "/api/v1/entries?has_warnings=true")
        .await;
    assert_eq!(flagged.body["total"], 3);
    let pending = app
        .get(&app.admin, "/api/v1/entries?status=pending_review")
        .await;
    assert_eq!(pending.body["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_can_turn_the_weekly_limit_into_a_refusal() {
    let app = TestApp::spawn().await;
    app.post(&app.admin, "/api/v1/policy", json!({"key": "weekly_limit_mode", "effective_from": "2026-11-01", "value": "refuse", "source": "Domes lēmums"})).await.expect(201);
    let s = scene(&app, 9600, "ruta").await;
    for day in 16..=20 {
        post(
            &app,
            &s.token,
            &session(
                s.client,
                &format!("2026-11-{day}T08:00:00+02:00"),
                &format!("2026-11-{day}T16:00:00+02:00"),
                "work",
            ),
        )
        .await
        .expect(201);
    }
    let r = post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-22T08:00:00+02:00",
            "2026-11-22T09:00:00+02:00",
            "work",
        ),
    )
    .await;
    r.refused(422, "weekly_limit");
    // The next ISO week starts on Monday 23 November.
    post(
        &app,
        &s.token,
        &session(
            s.client,
            "2026-11-23T08:00:00+02:00",
            "2026-11-23T09:00:00+02:00",
            "work",
        ),
    )
    .await
    .expect(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_night_across_a_clock_change_counts_the_minutes_really_lived() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 9600, "ruta").await;
    let as_coordinator = |start: &str, end: &str| {
        let mut b = session(s.client, start, end, "other");
        b["assistant_id"] = json!(s.assistant);
        b
    };
    // Autumn: 02:00 to 05:00 local on 25 October, when 04:00 becomes 03:00 again: 4 hours.
    let r = post(
        &app,
        &app.admin,
        &as_coordinator("2026-10-25T02:00:00+03:00", "2026-10-25T05:00:00+02:00"),
    )
    .await;
    r.expect(201);
    assert_eq!(r.body["minutes"], 240);
    assert_eq!(r.body["started_at"], "2026-10-25T02:00:00+03:00");
    assert_eq!(r.body["ended_at"], "2026-10-25T05:00:00+02:00");
    // Spring: 02:00 to 05:00 local on 29 March, when 03:00 becomes 04:00: 2 hours.
    let r = post(
        &app,
        &app.admin,
        &as_coordinator("2026-03-29T02:00:00+02:00", "2026-03-29T05:00:00+03:00"),
    )
    .await;
    assert_eq!(r.body["minutes"], 120);
    // An offset the device sent is kept as sent (here UTC), and seconds are dropped.
    let r = post(
        &app,
        &app.admin,
        &as_coordinator("2026-11-02T06:00:59Z", "2026-11-02T07:30:30Z"),
    )
    .await;
    assert_eq!(
        (r.body["started_at"].as_str(), r.body["minutes"].as_i64()),
        (Some("2026-11-02T06:00:00Z"), Some(90))
    );
    assert_eq!(sheet(&app, s.client, "2026-10").await.used_minutes, 240);
    assert_eq!(sheet(&app, s.client, "2026-03").await.used_minutes, 120);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_over_midnight_at_a_months_end_counts_in_each_month_for_its_part() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 600, "ruta").await;
    let as_coordinator = |start: &str, end: &str| {
        let mut b = session(s.client, start, end, "other");
        b["assistant_id"] = json!(s.assistant);
        b
    };
    post(
        &app,
        &app.admin,
        &as_coordinator("2026-11-02T08:00:00+02:00", "2026-11-02T16:00:00+02:00"),
    )
    .await
    .expect(201);
    // November has 120 minutes left; 22:00 on 31 October to 03:00 on 1 November asks 180 of it.
    let r = post(
        &app,
        &app.admin,
        &as_coordinator("2026-10-31T22:00:00+02:00", "2026-11-01T03:00:00+02:00"),
    )
    .await;
    r.refused(422, "over_allowance");
    assert_eq!(r.body["error"]["details"]["month"], "2026-11");
    assert_eq!(r.body["error"]["details"]["requested_minutes"], 180);
    let r = post(
        &app,
        &app.admin,
        &as_coordinator("2026-10-31T22:00:00+02:00", "2026-11-01T02:00:00+02:00"),
    )
    .await;
    r.expect(201);
    assert_eq!(r.body["minutes"], 240);
    let (oct, nov) = (
        sheet(&app, s.client, "2026-10").await,
        sheet(&app, s.client, "2026-11").await,
    );
    assert_eq!((oct.used_minutes, nov.used_minutes), (120, 600));
    assert_eq!(oct.entries.len(), 1);
    assert_eq!(nov.entries.len(), 2, "the session shows in both months");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_months_list_of_every_client_holds_the_longest_session_begun_the_month_before() {
    let app = TestApp::spawn().await;
    let (a, b) = (
        scene(&app, 4800, "ruta").await,
        scene(&app, 4800, "ieva").await,
    );
    // A session the coordinator writes; its id.
    let write = async |s: &Scene, start: &str, end: &str| {
        let mut body = session(s.client, start, end, "other");
        body["assistant_id"] = json!(s.assistant);
        let r = post(&app, &app.admin, &body).await;
        r.expect(201);
        r.body["id"].as_str().unwrap().to_owned()
    };
    // The longest session the policy allows (16 hours), begun on the evening of 31 October.
    let night = write(&a, "2026-10-31T20:00:00+02:00", "2026-11-01T12:00:00+02:00").await;
    let before = write(&b, "2026-10-30T08:00:00+03:00", "2026-10-30T09:00:00+03:00").await;
    let within = write(&b, "2026-11-03T08:00:00+02:00", "2026-11-03T09:00:00+02:00").await;
    let ids = |month: &'static str| {
        let app = &app;
        let path = format!("/api/v1/entries?month={month}&limit=500");
        async move {
            let r = app.get(&app.admin, &path).await;
            r.expect(200);
            let items: Vec<String> = r.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["id"].as_str().unwrap().to_owned())
                .collect();
            assert_eq!(
                r.body["total"],
                items.len(),
                "{month}: the total counts the page"
            );
            items
        }
    };
    assert_eq!(ids("2026-11").await, vec![night.clone(), within]);
    assert_eq!(ids("2026-10").await, vec![before, night]);
    assert!(ids("2026-09").await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_retried_post_with_the_same_idempotency_key_replays_the_first_answer() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 600, "ruta").await;
    let send = |body: Value, key: &'static str| {
        app.http
            .post(format!("{}/api/v1/entries", app.base))
            .bearer_auth(&s.token)
            .header("idempotency-key", key)
            .json(&body)
            .send()
    };
    let body = session(
        s.client,
        "2026-11-02T08:00:00+02:00",
        "2026-11-02T09:00:00+02:00",
        "work",
    );
    let first = TestApp::read(send(body.clone(), "k-1").await.unwrap()).await;
    first.expect(201);
    let again = TestApp::read(send(body.clone(), "k-1").await.unwrap()).await;
    again.expect(201);
    assert_eq!(first.body, again.body);
    assert_eq!(
        sheet(&app, s.client, "2026-11").await.used_minutes,
        60,
        "counted once"
    );
    let other = session(
        s.client,
        "2026-11-03T08:00:00+02:00",
        "2026-11-03T09:00:00+02:00",
        "work",
    );
    let r = TestApp::read(send(other, "k-1").await.unwrap()).await;
    r.refused(409, "conflict");
    assert_eq!(
        r.body["error"]["details"]["reason"],
        "idempotency_key_reused"
    );
    // A refusal is an answer as well: the retry gets it again, even once room is made.
    let big = session(
        s.client,
        "2026-11-04T08:00:00+02:00",
        "2026-11-04T18:00:00+02:00",
        "work",
    );
    TestApp::read(send(big.clone(), "k-2").await.unwrap())
        .await
        .refused(422, "over_allowance");
    TestApp::read(send(big, "k-2").await.unwrap())
        .await
        .refused(422, "over_allowance");
    let entries = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?client_id={}", s.client),
        )
        .await;
    assert_eq!(entries.body["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_writers_racing_for_the_last_minutes_use_exactly_the_allowance() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 600, "ruta").await;
    let mut tokens = vec![s.token.clone()];
    for i in 0..4 {
        let a = app.assistant(&format!("Asistents {i}")).await;
        app.assign(a.id, s.client, "2026-01-01").await;
        tokens.push(
            app.user(
                &format!("racer{i}"),
                "assistant",
                json!({"assistant_id": a.id}),
            )
            .await
            .1,
        );
    }
    // 20 one-hour sessions on 20 different days, 5 phones at once, for 10 hours of allowance.
    let mut tasks = Vec::new();
    for day in 1..=20 {
        let http = app.http.clone();
        let url = format!("{}/api/v1/entries", app.base);
        let token = tokens[day % tokens.len()].clone();
        let body = session(
            s.client,
            &format!("2026-11-{day:02}T08:00:00+02:00"),
            &format!("2026-11-{day:02}T09:00:00+02:00"),
            "work",
        );
        tasks.push(tokio::spawn(async move {
            TestApp::read(
                http.post(url)
                    .bearer_auth(token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap(),
            )
            .await
        }));
    }
    let mut accepted = 0;
    for t in tasks {
        let r = t.await.unwrap();
        match r.status {
            201 => accepted += 1,
            _ => assert_eq!(r.code(), "over_allowance", "{}", r.text),
        }
    }
    assert_eq!(accepted, 10);
    let m = sheet(&app, s.client, "2026-11").await;
    assert_eq!((m.used_minutes, m.remaining_minutes), (600, 0));
    assert_eq!(m.entries.iter().map(|e| e.minutes).sum::<i64>(), 600);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_can_prorate_the_allowance_of_a_month_a_decision_covers_in_part() {
    let app = TestApp::spawn().await;
    let client = app.client("Jauns klients", "1980-01-01").await;
    let decision = json!({"number": "1", "decided_on": "2026-11-01", "service": "assistant", "valid_from": "2026-11-16", "valid_to": "2027-11-15", "monthly_minutes": 4800});
    app.decision(client.id, decision).await;
    // Without proration (the default) the month a decision starts in gets its full volume.
    assert_eq!(
        sheet(&app, client.id, "2026-11").await.allowance_minutes,
        4800
    );
    assert_eq!(sheet(&app, client.id, "2026-10").await.allowance_minutes, 0);
    app.post(&app.admin, "/api/v1/policy", json!({"key": "proration", "effective_from": "2026-01-01", "value": "by_days", "source": "Domes lēmums"})).await.expect(201);
    // 15 of November's 30 days are covered.
    assert_eq!(
        sheet(&app, client.id, "2026-11").await.allowance_minutes,
        2400
    );
    assert_eq!(
        sheet(&app, client.id, "2026-12").await.allowance_minutes,
        4800
    );
}
