//! The authorization matrix: every route of the OpenAPI document × every kind of caller, with the
//! answer each must get. A route missing from the table fails the test.
//!
//! Cells: `ok` — allowed (any answer but 401, 403 or 404: a 4xx about the body still proves the
//! door was open), or an exact status (`403`, `404`, `422`, `409`). Callers without a valid
//! token (none, revoked, expired) always get 401 on routes that need one.

use serde_json::{Value, json};

use crate::entries::{post, scene, session};
use crate::helpers::TestApp;

const CALLERS: [&str; 10] = [
    "assistant",
    "other_assistant",
    "former_assistant",
    "co_assistant",
    "client",
    "other_client",
    "representative",
    "coordinator",
    "accountant",
    "admin",
];

/// (method, path, body, expected per caller in the order of CALLERS)
fn table() -> Vec<(&'static str, &'static str, Value, [&'static str; 10])> {
    let all = ["ok"; 10];
    let staff = [
        "403", "403", "403", "403", "403", "403", "403", "ok", "403", "ok",
    ];
    let staff_and_accountant = [
        "403", "403", "403", "403", "403", "403", "403", "ok", "ok", "ok",
    ];
    let related = [
        "ok", "404", "404", "ok", "ok", "404", "ok", "ok", "403", "ok",
    ];
    vec![
        ("POST", "/api/v1/auth/login", json!({}), all),
        ("POST", "/api/v1/auth/logout", json!({}), all),
        ("GET", "/api/v1/me", Value::Null, all),
        (
            "POST",
            "/api/v1/me/password",
            json!({"current_password": "x", "new_password": "y"}),
            all,
        ),
        (
            "GET",
            "/api/v1/users/{user_id}/devices",
            Value::Null,
            [
                "403", "403", "403", "403", "403", "403", "403", "ok", "ok", "ok",
            ],
        ),
        (
            "POST",
            "/api/v1/devices/{device_id}/revoke",
            json!({}),
            [
                "404", "404", "404", "404", "404", "404", "404", "ok", "404", "ok",
            ],
        ),
        (
            "GET",
            "/api/v1/clients",
            Value::Null,
            ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "403", "ok"],
        ),
        ("POST", "/api/v1/clients", json!({}), staff),
        ("GET", "/api/v1/clients/{client_id}", Value::Null, related),
        ("PATCH", "/api/v1/clients/{client_id}", json!({}), staff),
        (
            "GET",
            "/api/v1/clients/{client_id}/decisions",
            Value::Null,
            related,
        ),
        (
            "POST",
            "/api/v1/clients/{client_id}/decisions",
            json!({}),
            staff,
        ),
        (
            "GET",
            "/api/v1/clients/{client_id}/decisions/{decision_id}",
            Value::Null,
            related,
        ),
        (
            "POST",
            "/api/v1/clients/{client_id}/decisions/{decision_id}/amendments",
            json!({}),
            staff,
        ),
        (
            "POST",
            "/api/v1/clients/{client_id}/decisions/{decision_id}/suspensions",
            json!({}),
            staff,
        ),
        (
            "PATCH",
            "/api/v1/clients/{client_id}/suspensions/{suspension_id}",
            json!({}),
            staff,
        ),
        (
            "GET",
            "/api/v1/assistants",
            Value::Null,
            staff_and_accountant,
        ),
        ("POST", "/api/v1/assistants", json!({}), staff),
        (
            "GET",
            "/api/v1/assistants/{assistant_id}",
            Value::Null,
            [
                "ok", "404", "404", "404", "404", "404", "404", "ok", "ok", "ok",
            ],
        ),
        (
            "PATCH",
            "/api/v1/assistants/{assistant_id}",
            json!({}),
            staff,
        ),
        (
            "GET",
            "/api/v1/assignments",
            Value::Null,
            [
                "ok", "ok", "ok", "ok", "403", "403", "403", "ok", "403", "ok",
            ],
        ),
        ("POST", "/api/v1/assignments", json!({}), staff),
        (
            "GET",
            "/api/v1/assignments/{assignment_id}",
            Value::Null,
            [
                "ok", "404", "404", "404", "404", "404", "404", "ok", "404", "ok",
            ],
        ),
        (
            "PATCH",
            "/api/v1/assignments/{assignment_id}",
            json!({}),
            staff,
        ),
        ("GET", "/api/v1/users", Value::Null, staff),
        ("POST", "/api/v1/users", json!({}), staff),
        (
            "GET",
            "/api/v1/users/{user_id}",
            Value::Null,
            [
                "404", "404", "404", "404", "404", "404", "404", "ok", "ok", "ok",
            ],
        ),
        ("PATCH", "/api/v1/users/{user_id}", json!({}), staff),
        ("GET", "/api/v1/policy", Value::Null, staff_and_accountant),
        (
            "POST",
            "/api/v1/policy",
            json!({}),
            [
                "403", "403", "403", "403", "403", "403", "403", "403", "403", "ok",
            ],
        ),
        (
            "POST",
            "/api/v1/entries",
            Value::String("entry".into()),
            [
                "ok", "403", "403", "403", "403", "403", "403", "ok", "403", "ok",
            ],
        ),
        ("GET", "/api/v1/entries", Value::Null, all),
        (
            "GET",
            "/api/v1/entries/{entry_id}",
            Value::Null,
            [
                "ok", "404", "404", "404", "ok", "404", "ok", "ok", "ok", "ok",
            ],
        ),
        (
            "PUT",
            "/api/v1/entries/{entry_id}",
            Value::String("edit".into()),
            [
                "ok", "404", "404", "404", "403", "404", "403", "ok", "403", "ok",
            ],
        ),
        (
            "DELETE",
            "/api/v1/entries/{entry_id}",
            Value::Null,
            [
                "ok", "404", "404", "404", "403", "404", "403", "ok", "403", "ok",
            ],
        ),
        (
            "GET",
            "/api/v1/clients/{client_id}/months/{month}",
            Value::Null,
            [
                "ok", "404", "404", "ok", "ok", "404", "ok", "ok", "ok", "ok",
            ],
        ),
        (
            "POST",
            "/api/v1/sync/push",
            Value::String("push".into()),
            all,
        ),
        ("GET", "/api/v1/sync/pull", Value::Null, all),
        (
            "POST",
            "/api/v1/clients/{client_id}/months/{month}/submit",
            json!({}),
            [
                "ok", "422", "422", "ok", "403", "403", "403", "ok", "403", "ok",
            ],
        ),
        (
            "POST",
            "/api/v1/clients/{client_id}/months/{month}/confirm",
            json!({"entries": []}),
            [
                "ok", "404", "404", "ok", "ok", "404", "ok", "403", "403", "403",
            ],
        ),
        (
            "POST",
            "/api/v1/clients/{client_id}/months/{month}/dispute",
            json!({"entries": []}),
            [
                "403", "403", "403", "403", "ok", "404", "ok", "403", "403", "403",
            ],
        ),
        (
            "POST",
            "/api/v1/clients/{client_id}/months/{month}/approve",
            json!({}),
            staff,
        ),
        (
            "POST",
            "/api/v1/clients/{client_id}/months/{month}/reopen",
            json!({}),
            staff,
        ),
        (
            "POST",
            "/api/v1/entries/{entry_id}/review",
            json!({"decision": "maybe", "reason": "x"}),
            staff,
        ),
        (
            "POST",
            "/api/v1/entries/{entry_id}/flag",
            json!({"resolution": "maybe", "reason": "x"}),
            staff,
        ),
        (
            "POST",
            "/api/v1/clients/{client_id}/months/{month}/disputes/{entry_id}/resolve",
            json!({"resolution": "maybe", "reason": "x"}),
            staff,
        ),
        (
            "PUT",
            "/api/v1/clients/{client_id}/pin",
            json!({"pin": "x"}),
            staff,
        ),
        (
            "GET",
            "/api/v1/months/{month}",
            Value::Null,
            staff_and_accountant,
        ),
        ("POST", "/api/v1/months/{month}/close", json!({}), staff),
        (
            "GET",
            "/api/v1/close-jobs/{job_id}",
            Value::Null,
            [
                "403", "403", "403", "403", "403", "403", "403", "404", "404", "404",
            ],
        ),
        (
            "PUT",
            "/api/v1/months/{month}/wage-override",
            json!({"reason": " "}),
            [
                "403", "403", "403", "403", "403", "403", "403", "403", "403", "ok",
            ],
        ),
        (
            "GET",
            "/api/v1/statements",
            Value::Null,
            staff_and_accountant,
        ),
        (
            "GET",
            "/api/v1/statements/{statement_id}",
            Value::Null,
            [
                "403", "403", "403", "403", "403", "403", "403", "404", "404", "404",
            ],
        ),
        (
            "GET",
            "/api/v1/statements/{statement_id}/files/{name}",
            Value::Null,
            [
                "403", "403", "403", "403", "403", "403", "403", "404", "404", "404",
            ],
        ),
        ("GET", "/api/v1/outbox", Value::Null, staff),
        (
            "POST",
            "/api/v1/outbox/{outbox_id}/resend",
            json!({}),
            [
                "403", "403", "403", "403", "403", "403", "403", "404", "403", "404",
            ],
        ),
        (
            "POST",
            "/api/v1/clients/{client_id}/months/{month}/amendments",
            json!({}),
            staff,
        ),
        ("GET", "/health/live", Value::Null, all),
        ("GET", "/health/ready", Value::Null, all),
    ]
}

const PUBLIC: [&str; 3] = ["/api/v1/auth/login", "/health/live", "/health/ready"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_kind_of_caller_as_the_table_says() {
    let app = TestApp::spawn().await;
    // A token that expires: issued 31 days ago.
    app.clock.advance(chrono::Duration::days(-31));
    let (_, expired) = app.user("vecs", "accountant", json!({})).await;
    app.clock.advance(chrono::Duration::days(31));

    let s = scene(&app, 4800, "ruta").await;
    let o = scene(&app, 4800, "igors").await;
    // A former assistant of the client (the assignment ended before this month) and one
    // assigned to the client beside `ruta`.
    let former = app.assistant("Asistente bijusi").await;
    let r = app
        .post(
            &app.admin,
            "/api/v1/assignments",
            json!({ "assistant_id": former.id, "client_id": s.client, "service": "assistant",
                    "valid_from": "2026-02-01", "valid_to": "2026-10-31" }),
        )
        .await;
    r.expect(201);
    let (_, former) = app
        .user("bijusi", "assistant", json!({"assistant_id": former.id}))
        .await;
    let co = app.assistant("Asistents lidzas").await;
    app.assign(co.id, s.client, "2026-03-01").await;
    let (_, co) = app
        .user("lidzas", "assistant", json!({"assistant_id": co.id}))
        .await;
    let (_, client) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    let (_, other_client) = app
        .user("cits", "client", json!({"client_id": o.client}))
        .await;
    let (_, representative) = app
        .user(
            "parstavis",
            "representative",
            json!({"client_ids": [s.client]}),
        )
        .await;
    let coordinator = app.coordinator().await;
    let (accountant_user, accountant) = app.user("gramatvede", "accountant", json!({})).await;
    let (_, revoked) = app.user("zaudets", "accountant", json!({})).await;
    app.post(&revoked, "/api/v1/auth/logout", json!({})).await;

    let entry: mobile_api::entries::Entry = post(
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
    let decision = app
        .get(
            &app.admin,
            &format!("/api/v1/clients/{}/decisions", s.client),
        )
        .await
        .body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let url = format!(
        "/api/v1/clients/{}/decisions/{decision}/suspensions",
        s.client
    );
    let suspension = app
        .post(
            &app.admin,
            &url,
            json!({"from": "2026-01-10", "to": "2026-01-12", "reason": "x"}),
        )
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let assignment = app
        .get(
            &app.admin,
            &format!("/api/v1/assignments?client_id={}", s.client),
        )
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, victim) = app.user("upuris", "accountant", json!({})).await;
    let victim_me = app.get(&victim, "/api/v1/me").await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let victim_device = app
        .get(&app.admin, &format!("/api/v1/users/{victim_me}/devices"))
        .await
        .body[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let fill = |path: &str| {
        path.replace("{client_id}", &s.client.to_string())
            .replace("{decision_id}", &decision)
            .replace("{suspension_id}", &suspension)
            .replace("{assistant_id}", &s.assistant.to_string())
            .replace("{assignment_id}", &assignment)
            .replace("{user_id}", &accountant_user.id.to_string())
            .replace("{device_id}", &victim_device)
            .replace("{entry_id}", &entry.id.to_string())
            .replace("{month}", "2026-11")
            .replace("{statement_id}", &uuid::Uuid::new_v4().to_string())
            .replace("{outbox_id}", &uuid::Uuid::new_v4().to_string())
            .replace("{job_id}", &uuid::Uuid::new_v4().to_string())
            .replace("{name}", "x.csv")
    };
    let logins = [
        "ruta",
        "igors",
        "bijusi",
        "lidzas",
        "klients",
        "cits",
        "parstavis",
        "koordinators",
        "gramatvede",
        "admin",
    ];
    let tokens = [
        s.token.clone(),
        o.token.clone(),
        former,
        co,
        client,
        other_client,
        representative,
        coordinator,
        accountant,
        app.admin.clone(),
    ];

    // Every documented operation has a row, and every row is documented.
    let doc: Value = serde_json::from_str(&asistents::http::openapi::document()).unwrap();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.push((method.to_uppercase(), path.clone()));
        }
    }
    let rows = table();
    let listed: Vec<(String, String)> = rows
        .iter()
        .map(|(m, p, _, _)| (m.to_string(), p.to_string()))
        .collect();
    for d in &documented {
        assert!(
            listed.contains(d),
            "{} {} is missing from the authorization table",
            d.0,
            d.1
        );
    }
    for l in &listed {
        assert!(
            documented.contains(l),
            "{} {} is in the table but not a documented route",
            l.0,
            l.1
        );
    }

    let mut failures = Vec::new();
    for (method, path, body, expected) in &rows {
        let target = fill(path);
        for (i, who) in CALLERS.iter().enumerate() {
            let token = if *path == "/api/v1/auth/logout" {
                // Logging out ends the token: each caller logs out a fresh one.
                let password = if logins[i] == "admin" {
                    crate::helpers::ADMIN_PASSWORD
                } else {
                    crate::helpers::PASSWORD
                };
                let password = if logins[i] == "koordinators" {
                    crate::helpers::PASSWORD
                } else {
                    password
                };
                app.try_login(logins[i], password, "matrix-logout")
                    .await
                    .body["token"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            } else {
                tokens[i].clone()
            };
            let body = match body {
                Value::String(kind) if kind == "entry" => {
                    let mut b = session(
                        s.client,
                        &format!("2026-11-{:02}T08:00:00+02:00", 10 + i),
                        &format!("2026-11-{:02}T09:00:00+02:00", 10 + i),
                        "work",
                    );
                    b["assistant_id"] = json!(s.assistant);
                    Some(b)
                }
                Value::String(kind) if kind == "edit" => {
                    let mut b = session(
                        s.client,
                        "2026-11-02T08:00:00+02:00",
                        "2026-11-02T09:00:00+02:00",
                        "work",
                    );
                    b["base_version"] = json!(999);
                    Some(b)
                }
                Value::String(kind) if kind == "push" => {
                    let device = if logins[i] == "admin" {
                        format!("admin-{}", app.base.rsplit(':').next().unwrap_or_default())
                    } else {
                        format!("phone-{}", logins[i])
                    };
                    Some(json!({"device_id": device, "mutations": []}))
                }
                Value::Null => None,
                other => Some(other.clone()),
            };
            let target = if *method == "DELETE" {
                format!("{target}?base_version=999")
            } else {
                target.clone()
            };
            let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
            let r = app
                .send(m, Some(&token), &target, body.as_ref(), None)
                .await;
            let ok = match expected[i] {
                "ok" => ![401, 403, 404].contains(&r.status) && r.status < 500,
                code => r.status.to_string() == code,
            };
            if !ok {
                failures.push(format!(
                    "{method} {path} as {who}: expected {}, got {} {}",
                    expected[i],
                    r.status,
                    r.text.chars().take(160).collect::<String>()
                ));
            }
        }
        if !PUBLIC.contains(path) {
            for (who, token) in [
                ("no token", None),
                ("revoked token", Some(revoked.as_str())),
                ("expired token", Some(expired.as_str())),
            ] {
                let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
                let r = app.send(m, token, &target, Some(&json!({})), None).await;
                if r.status != 401 {
                    failures.push(format!(
                        "{method} {path} with {who}: expected 401, got {}",
                        r.status
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cells differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
