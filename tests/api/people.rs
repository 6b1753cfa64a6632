//! Assistants and assignments.

use mobile_api::Page;
use mobile_api::people::{Assignment, Assistant};
use serde_json::json;

use crate::helpers::{TestApp, date};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_keeps_assistants_with_checked_ibans() {
    let app = TestApp::spawn().await;
    let r = app
        .post(&app.admin, "/api/v1/assistants", json!({
            "name": "Ludmila Ivanova", "email": "ludmila@example.lv", "phone": "+371 29876543",
            "personal_code": "010160-12345", "iban": "lv80 bank 0000 4351 9500 1", "insurance_status": "old_age_pensioner"
        }))
        .await;
    r.expect(201);
    let a: Assistant = r.json();
    assert_eq!(a.iban.as_deref(), Some("LV80BANK0000435195001"));
    assert_eq!(
        a.insurance_status,
        mobile_api::InsuranceStatus::OldAgePensioner
    );
    let r = app
        .post(
            &app.admin,
            "/api/v1/assistants",
            json!({"name": "X", "iban": "LV81BANK0000435195001"}),
        )
        .await;
    r.refused(422, "validation_failed");
    assert_eq!(r.body["error"]["details"]["reason"], "not_an_iban");
    app.post(
        &app.admin,
        "/api/v1/assistants",
        json!({"name": "X", "insurance_status": "retired"}),
    )
    .await
    .refused(422, "validation_failed");

    let r = app
        .patch(
            &app.admin,
            &format!("/api/v1/assistants/{}", a.id),
            json!({"iban": null, "active": false}),
        )
        .await;
    r.expect(200);
    let updated: Assistant = r.json();
    assert_eq!(
        (updated.iban, updated.active, updated.email.as_deref()),
        (None, false, Some("ludmila@example.lv"))
    );
    app.assistant("Andris Kalniņš").await;
    let found: Page<Assistant> = app
        .get(&app.admin, "/api/v1/assistants?q=kalnins&active=true")
        .await
        .json();
    assert_eq!(
        found
            .items
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["Andris Kalniņš"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accountants_read_assistants_without_personal_codes_and_assistants_read_only_themselves() {
    let app = TestApp::spawn().await;
    let me = app.assistant("Ruta Bērziņa").await;
    let other = app.assistant("Zane Ozola").await;
    let (_, accountant) = app.user("gramatvede", "accountant", json!({})).await;
    let (_, token) = app
        .user("ruta", "assistant", json!({"assistant_id": me.id}))
        .await;
    let list = app.get(&accountant, "/api/v1/assistants").await;
    list.expect(200);
    assert_eq!(list.body["total"], 2);
    assert!(!list.text.contains("personal_code"), "{}", list.text);
    let staff = app
        .get(&app.admin, &format!("/api/v1/assistants/{}", me.id))
        .await;
    assert_eq!(staff.body["personal_code"], "010190-12345");
    let own = app
        .get(&token, &format!("/api/v1/assistants/{}", me.id))
        .await;
    own.expect(200);
    assert!(own.body.get("personal_code").is_none());
    app.get(&token, &format!("/api/v1/assistants/{}", other.id))
        .await
        .refused(404, "not_found");
    app.get(&token, "/api/v1/assistants")
        .await
        .refused(403, "forbidden");
    app.post(&accountant, "/api/v1/assistants", json!({"name": "X"}))
        .await
        .refused(403, "forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assignments_link_assistants_to_clients_once_per_period() {
    let app = TestApp::spawn().await;
    let client = app.client("Olga Ivanova", "1965-11-02").await;
    let other_client = app.client("Inese Ozola", "1972-09-09").await;
    let assistant = app.assistant("Ruta Bērziņa").await;
    let a = app.assign(assistant.id, client.id, "2026-01-01").await;
    assert_eq!(
        (a.assistant_name.as_str(), a.client_name.as_str()),
        ("Ruta Bērziņa", "Olga Ivanova")
    );
    assert_eq!(a.valid_to, None);
    let dup = app
        .post(&app.admin, "/api/v1/assignments", json!({"assistant_id": assistant.id, "client_id": client.id, "service": "assistant", "valid_from": "2026-06-01"}))
        .await;
    dup.refused(409, "conflict");
    assert_eq!(
        dup.body["error"]["details"]["assignment_id"],
        a.id.to_string()
    );
    let r = app
        .post(&app.admin, "/api/v1/assignments", json!({"assistant_id": uuid::Uuid::new_v4(), "client_id": client.id, "service": "assistant", "valid_from": "2026-06-01"}))
        .await;
    r.refused(422, "validation_failed");
    assert_eq!(r.body["error"]["details"]["field"], "assistant_id");
    app.post(&app.admin, "/api/v1/assignments", json!({"assistant_id": assistant.id, "client_id": client.id, "service": "assistant", "valid_from": "2026-06-01", "valid_to": "2026-05-01"}))
        .await
        .refused(422, "validation_failed");

    // Ending the first assignment makes room for a later one.
    let r = app
        .patch(
            &app.admin,
            &format!("/api/v1/assignments/{}", a.id),
            json!({"valid_to": "2026-05-31", "relative": true}),
        )
        .await;
    r.expect(200);
    let ended: Assignment = r.json();
    assert_eq!(
        (ended.valid_to, ended.relative),
        (Some(date("2026-05-31")), true)
    );
    app.post(&app.admin, "/api/v1/assignments", json!({"assistant_id": assistant.id, "client_id": client.id, "service": "assistant", "valid_from": "2026-06-01"}))
        .await
        .expect(201);
    app.assign(assistant.id, other_client.id, "2026-01-01")
        .await;

    let on_day: Page<Assignment> = app
        .get(
            &app.admin,
            &format!(
                "/api/v1/assignments?client_id={}&active_on=2026-03-01",
                client.id
            ),
        )
        .await
        .json();
    assert_eq!(
        on_day.items.iter().map(|x| x.id).collect::<Vec<_>>(),
        [a.id]
    );
    let all: Page<Assignment> = app
        .get(
            &app.admin,
            &format!("/api/v1/assignments?assistant_id={}", assistant.id),
        )
        .await
        .json();
    assert_eq!(all.total, 3);

    let (_, token) = app
        .user("ruta", "assistant", json!({"assistant_id": assistant.id}))
        .await;
    let own: Page<Assignment> = app.get(&token, "/api/v1/assignments").await.json();
    assert_eq!(own.total, 3);
    app.get(&token, &format!("/api/v1/assignments/{}", a.id))
        .await
        .expect(200);
    app.post(&token, "/api/v1/assignments", json!({"assistant_id": assistant.id, "client_id": client.id, "service": "assistant", "valid_from": "2027-01-01"}))
        .await
        .refused(403, "forbidden");
    let stranger = app.assistant("Igors Popovs").await;
    let (_, other) = app
        .user("igors", "assistant", json!({"assistant_id": stranger.id}))
        .await;
    app.get(&other, &format!("/api/v1/assignments/{}", a.id))
        .await
        .refused(404, "not_found");
    app.get(
        &other,
        &format!("/api/v1/assignments?assistant_id={}", assistant.id),
    )
    .await
    .refused(403, "forbidden");
    let me = app.get(&other, "/api/v1/me").await;
    assert_eq!(me.body["assignments"], json!([]));
}
