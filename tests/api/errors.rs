//! Bad input gets a 4xx with a stable code and a message in the caller's language.

use reqwest::Method;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_methods_answer_with_our_error_body() {
    let app = TestApp::spawn().await;
    let r = app
        .send(
            Method::GET,
            Some(&app.admin),
            "/api/v1/nothing-here",
            None,
            Some("ru"),
        )
        .await;
    r.refused(404, "not_found");
    assert_eq!(r.message(), "Не найдено.");
    let r = app
        .send(
            Method::DELETE,
            Some(&app.admin),
            "/api/v1/clients",
            None,
            Some("en"),
        )
        .await;
    r.refused(405, "method_not_allowed");
    assert_eq!(r.message(), "This method is not allowed here.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_follow_accept_language_with_latvian_by_default() {
    let app = TestApp::spawn().await;
    let body = json!({"login": "admin", "password": "wrong-password", "device": {"device_id": "x", "name": "x", "platform": "x", "app_version": "1"}});
    let lv = app
        .send(Method::POST, None, "/api/v1/auth/login", Some(&body), None)
        .await;
    lv.refused(401, "invalid_credentials");
    assert_eq!(lv.message(), "Nepareizs lietotājvārds vai parole.");
    let ru = app
        .send(
            Method::POST,
            None,
            "/api/v1/auth/login",
            Some(&body),
            Some("ru-RU,ru;q=0.9,en;q=0.5"),
        )
        .await;
    assert_eq!(ru.message(), "Неверное имя пользователя или пароль.");
    let en = app
        .send(
            Method::POST,
            None,
            "/api/v1/auth/login",
            Some(&body),
            Some("de-DE, en;q=0.8, ru;q=0.3"),
        )
        .await;
    assert_eq!(en.message(), "Wrong login or password.");
    assert_eq!(en.headers.get("content-language").unwrap(), "en");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_wrong_typed_and_oversized_bodies_are_refused_with_codes() {
    let app = TestApp::spawn().await;
    let url = format!("{}/api/v1/clients", app.base);
    let send = |body: Vec<u8>, ctype: Option<&'static str>| {
        let mut req = app.http.post(&url).bearer_auth(&app.admin).body(body);
        if let Some(c) = ctype {
            req = req.header("content-type", c);
        }
        req.send()
    };
    let r = TestApp::read(
        send(b"{\"name\": ".to_vec(), Some("application/json"))
            .await
            .unwrap(),
    )
    .await;
    r.refused(400, "malformed_json");
    let r = TestApp::read(
        send(b"{\"name\": \"A\"}".to_vec(), Some("text/plain"))
            .await
            .unwrap(),
    )
    .await;
    r.refused(415, "unsupported_media_type");
    let r = TestApp::read(send(b"{\"name\": \"A\"}".to_vec(), None).await.unwrap()).await;
    r.refused(415, "unsupported_media_type");
    let r = TestApp::read(
        send(
            br#"{"name": 12, "birth_date": "1990-01-01"}"#.to_vec(),
            Some("application/json"),
        )
        .await
        .unwrap(),
    )
    .await;
    r.refused(422, "validation_failed");
    assert_eq!(r.body["error"]["details"]["field"], "name");
    let r = TestApp::read(
        send(
            br#"{"name": "A", "birth_date": "1990-02-31"}"#.to_vec(),
            Some("application/json"),
        )
        .await
        .unwrap(),
    )
    .await;
    r.refused(422, "validation_failed");
    assert_eq!(r.body["error"]["details"]["field"], "birth_date");
    let big = format!(
        r#"{{"name": "{}", "birth_date": "1990-01-01"}}"#,
        "a".repeat(300 * 1024)
    );
    let r = TestApp::read(
        send(big.into_bytes(), Some("application/json"))
            .await
            .unwrap(),
    )
    .await;
    r.refused(413, "payload_too_large");
    // Nesting far past serde_json's recursion limit where arbitrary JSON is read: 400, no crash.
    let deep = format!(
        r#"{{"key": "hourly_rate_cents", "effective_from": "2027-01-01", "source": "x", "value": {}1{}}}"#,
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let r = TestApp::read(
        app.http
            .post(format!("{}/api/v1/policy", app.base))
            .bearer_auth(&app.admin)
            .header("content-type", "application/json")
            .body(deep)
            .send()
            .await
            .unwrap(),
    )
    .await;
    r.refused(400, "malformed_json");
    let deep_name = format!(
        r#"{{"name": {}"A"{}, "birth_date": "1990-01-01"}}"#,
        "[".repeat(5_000),
        "]".repeat(5_000)
    );
    let r = TestApp::read(
        send(deep_name.into_bytes(), Some("application/json"))
            .await
            .unwrap(),
    )
    .await;
    r.refused(422, "validation_failed");
    let r = TestApp::read(
        send(
            br#"{"name": "A", "birth_date": "1990-01-01"} trailing"#.to_vec(),
            Some("application/json"),
        )
        .await
        .unwrap(),
    )
    .await;
    r.refused(400, "malformed_json");
    // Nothing of the refused requests was written.
    let list = app.get(&app.admin, "/api/v1/clients").await;
    assert_eq!(list.body["total"], 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_malformed_ids_are_not_found_and_bad_query_parameters_are_named() {
    let app = TestApp::spawn().await;
    app.get(
        &app.admin,
        &format!("/api/v1/clients/{}", uuid::Uuid::new_v4()),
    )
    .await
    .refused(404, "not_found");
    app.get(&app.admin, "/api/v1/clients/not-a-uuid")
        .await
        .refused(404, "not_found");
    app.get(&app.admin, "/api/v1/clients?limit=many")
        .await
        .refused(422, "validation_failed");
    let r = app.get(&app.admin, "/api/v1/clients?limit=100000").await;
    r.refused(422, "validation_failed");
    assert_eq!(r.body["error"]["details"]["field"], "limit");
    app.get(&app.admin, "/api/v1/policy?on=2026-13-01")
        .await
        .refused(422, "validation_failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_without_or_with_a_bad_token_are_unauthorized() {
    let app = TestApp::spawn().await;
    let r = app.send(Method::GET, None, "/api/v1/me", None, None).await;
    r.refused(401, "unauthorized");
    app.get("not-a-real-token", "/api/v1/me")
        .await
        .refused(401, "unauthorized");
    app.get(&"a".repeat(5000), "/api/v1/me")
        .await
        .refused(401, "unauthorized");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_but_readable_dates_get_answers_not_server_errors() {
    let app = TestApp::spawn().await;
    let c = app.client("Jānis Bērziņš", "1950-03-14").await;
    // Before the regulation's first figures (2021): the earliest figures apply.
    let r = app
        .post(
            &app.admin,
            &format!("/api/v1/clients/{}/decisions", c.id),
            json!({
                "number": "1", "decided_on": "1993-05-03", "service": "assistant",
                "valid_from": "1990-06-21", "valid_to": "1992-05-12", "monthly_minutes": 282
            }),
        )
        .await;
    assert!(r.status < 500, "{}", r.text);
    for month in ["1900-01", "1990-06", "9998-12"] {
        app.get(
            &app.admin,
            &format!("/api/v1/clients/{}/months/{month}", c.id),
        )
        .await
        .expect(200);
        app.get(&app.admin, &format!("/api/v1/months/{month}"))
            .await
            .expect(200);
    }
    for month in ["0000-01", "9999-12", "2026-13", "26-11"] {
        app.get(
            &app.admin,
            &format!("/api/v1/clients/{}/months/{month}", c.id),
        )
        .await
        .refused(422, "validation_failed");
    }
    let r = app.get(&app.admin, "/api/v1/policy?on=1900-01-01").await;
    r.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_numbers_and_unicode_oddities_are_answered_cleanly() {
    let app = TestApp::spawn().await;
    let s = crate::entries::scene(&app, 4800, "ruta").await;
    let decisions = format!("/api/v1/clients/{}/decisions", s.client);
    for (minutes, cap) in [
        (-5, 0),
        (i64::MAX, 0),
        (600, 1_000_000_000_000_000_000i64),
        (600, -1),
    ] {
        let r = app.post(&app.admin, &decisions, json!({
            "number": "X", "decided_on": "2026-01-01", "service": "assistant", "valid_from": "2027-01-01",
            "valid_to": "2027-12-31", "monthly_minutes": minutes, "transport": {"allowed": true, "monthly_cap_cents": cap}
        })).await;
        r.refused(422, "decision_invalid");
    }
    let mut trip = crate::entries::session(
        s.client,
        "2026-11-02T08:00:00+02:00",
        "2026-11-02T09:00:00+02:00",
        "work",
    );
    trip["trips"] = json!([{"mode": "taxi", "from": "A", "to": "B", "distance_km": 1, "cost_cents": 1_000_000_000_000_000_000i64}]);
    crate::entries::post(&app, &s.token, &trip)
        .await
        .refused(422, "validation_failed");
    trip["trips"] =
        json!([{"mode": "taxi", "from": "A", "to": "B", "distance_km": -3, "cost_cents": 100}]);
    crate::entries::post(&app, &s.token, &trip)
        .await
        .refused(422, "validation_failed");
    let r = app
        .post(
            &app.admin,
            "/api/v1/clients",
            json!({"name": "A", "birth_date": "1980-01-01", "disability_group": 99999999999999i64}),
        )
        .await;
    assert_eq!(r.status, 422, "{}", r.text);

    // Names and notes in any script, with emoji and direction marks, are kept as written;
    // control characters are not.
    let name = "Ānija Zaļā-Смирнова 🌷 \u{200f}مريم\u{200f}";
    let r = app
        .post(
            &app.admin,
            "/api/v1/clients",
            json!({"name": name, "birth_date": "1980-01-01"}),
        )
        .await;
    r.expect(201);
    assert_eq!(r.body["name"], name);
    let found = app.get(&app.admin, "/api/v1/clients?q=zala").await;
    assert_eq!(found.body["total"], 1, "search folds the Latvian letters");
    app.post(
        &app.admin,
        "/api/v1/clients",
        json!({"name": "Bad\u{0000}Name", "birth_date": "1980-01-01"}),
    )
    .await
    .refused(422, "validation_failed");
    let mut noted = crate::entries::session(
        s.client,
        "2026-11-03T08:00:00+02:00",
        "2026-11-03T09:00:00+02:00",
        "work",
    );
    noted["note"] = json!("Ārsts 👩‍⚕️, очередь — ilga\notrā rindā");
    let r = crate::entries::post(&app, &s.token, &noted).await;
    r.expect(201);
    assert_eq!(r.body["note"], "Ārsts 👩‍⚕️, очередь — ilga\notrā rindā");
}

/// A state, role or kind stored under a name the code does not know (a hand edit, a newer
/// version's value) fails the request: it never turns into a default such as "client".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_stored_role_or_status_is_an_error_not_a_default() {
    use sea_orm::ConnectionTrait;
    let app = TestApp::spawn().await;
    let s = crate::entries::scene(&app, 4800, "ruta").await;
    let created = crate::entries::post(
        &app,
        &s.token,
        &crate::entries::session(
            s.client,
            "2026-11-02T09:00:00+02:00",
            "2026-11-02T10:00:00+02:00",
            "work",
        ),
    )
    .await;
    created.expect(201);
    app.get(&s.token, "/api/v1/me").await.expect(200);

    app.state
        .db
        .execute_unprepared("update users set role = 'superuser' where login = 'ruta'")
        .await
        .unwrap();
    let r = app.get(&s.token, "/api/v1/me").await;
    r.refused(500, "internal");

    app.state
        .db
        .execute_unprepared("update entries set status = 'archived'")
        .await
        .unwrap();
    let r = app
        .get(
            &app.admin,
            &format!("/api/v1/entries?client_id={}", s.client),
        )
        .await;
    r.refused(500, "internal");
}
