//! Clients through the coordinator's API, and who may see them.

use mobile_api::Page;
use mobile_api::people::Client;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_creates_reads_updates_and_finds_clients() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator().await;
    let r = app
        .post(&coordinator, "/api/v1/clients", json!({
            "name": "  Jānis Bērziņš ", "birth_date": "1978-03-14", "personal_code": "14037811234",
            "disability_group": 1, "locale": "lv", "email": "janis@example.lv", "phone": "+371 26123456"
        }))
        .await;
    r.expect(201);
    let c: Client = r.json();
    assert_eq!(c.name, "Jānis Bērziņš");
    assert_eq!(c.personal_code.as_deref(), Some("140378-11234"));
    assert!(c.active);
    for name in ["Olga Ivanova", "Ilze Krūmiņa"] {
        app.post(
            &coordinator,
            "/api/v1/clients",
            json!({"name": name, "birth_date": "1980-01-01"}),
        )
        .await
        .expect(201);
    }

    // Search ignores case and Latvian diacritics.
    let found: Page<Client> = app
        .get(&coordinator, "/api/v1/clients?q=BERZINS")
        .await
        .json();
    assert_eq!(found.total, 1);
    assert_eq!(found.items[0].id, c.id);
    let found: Page<Client> = app
        .get(&coordinator, "/api/v1/clients?q=kr%C5%AB")
        .await
        .json();
    assert_eq!(
        found
            .items
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Ilze Krūmiņa"]
    );
    // Paging: sorted by name, total counts all.
    let page: Page<Client> = app
        .get(&coordinator, "/api/v1/clients?limit=2&offset=1")
        .await
        .json();
    assert_eq!(
        (page.total, page.items.len(), page.offset, page.limit),
        (3, 2, 1, 2)
    );
    assert_eq!(page.items[0].name, "Jānis Bērziņš");

    let r = app
        .patch(
            &coordinator,
            &format!("/api/v1/clients/{}", c.id),
            json!({"phone": null, "locale": "ru", "active": false}),
        )
        .await;
    r.expect(200);
    let updated: Client = r.json();
    assert_eq!(updated.phone, None);
    assert_eq!(
        updated.email.as_deref(),
        Some("janis@example.lv"),
        "absent fields stay"
    );
    assert_eq!(updated.locale, mobile_api::Locale::Ru);
    let inactive: Page<Client> = app
        .get(&coordinator, "/api/v1/clients?active=false")
        .await
        .json();
    assert_eq!(inactive.total, 1);
    let read: Client = app
        .get(&coordinator, &format!("/api/v1/clients/{}", c.id))
        .await
        .json();
    assert_eq!(read, updated);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_client_fields_are_refused_naming_the_field() {
    let app = TestApp::spawn().await;
    let cases = [
        (
            json!({"name": "", "birth_date": "1980-01-01"}),
            "name",
            "empty",
        ),
        (
            json!({"name": "A", "birth_date": "2030-01-01"}),
            "birth_date",
            "in_future",
        ),
        (
            json!({"name": "A", "birth_date": "1980-01-01", "disability_group": 4}),
            "disability_group",
            "out_of_range",
        ),
        (
            json!({"name": "A", "birth_date": "1980-01-01", "email": "not-mail"}),
            "email",
            "not_an_email",
        ),
        (
            json!({"name": "A", "birth_date": "1980-01-01", "personal_code": "12345"}),
            "personal_code",
            "not_a_personal_code",
        ),
        (
            json!({"name": "A", "birth_date": "1980-01-01", "phone": "call me"}),
            "phone",
            "not_a_phone",
        ),
        (
            json!({"name": "A".repeat(201), "birth_date": "1980-01-01"}),
            "name",
            "too_long",
        ),
        (
            json!({"name": "A", "birth_date": "1980-01-01", "locale": "de"}),
            "locale",
            "out_of_range",
        ),
    ];
    for (body, field, reason) in cases {
        let r = app.post(&app.admin, "/api/v1/clients", &body).await;
        r.refused(422, "validation_failed");
        assert_eq!(r.body["error"]["details"]["field"], field, "{body}");
        assert_eq!(r.body["error"]["details"]["reason"], reason, "{body}");
    }
    let r = app
        .send(
            reqwest::Method::POST,
            Some(&app.admin),
            "/api/v1/clients",
            Some(&json!({"name": "A", "birth_date": "2030-01-01"})),
            Some("en"),
        )
        .await;
    assert_eq!(
        r.message(),
        "The field \"birth_date\" is not valid: in the future."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assistants_see_only_their_clients_and_never_personal_codes() {
    let app = TestApp::spawn().await;
    let mine = app.client("Olga Ivanova", "1965-11-02").await;
    let other = app.client("Aivars Kalniņš", "1990-06-21").await;
    let assistant = app.assistant("Ruta Bērziņa").await;
    app.assign(assistant.id, mine.id, "2026-01-01").await;
    let (_, token) = app
        .user("ruta", "assistant", json!({"assistant_id": assistant.id}))
        .await;

    let r = app
        .get(&token, &format!("/api/v1/clients/{}", mine.id))
        .await;
    r.expect(200);
    assert!(r.body.get("personal_code").is_none(), "{}", r.text);
    // A client not theirs looks exactly like one that does not exist.
    let foreign = app
        .get(&token, &format!("/api/v1/clients/{}", other.id))
        .await;
    let missing = app
        .get(&token, &format!("/api/v1/clients/{}", uuid::Uuid::new_v4()))
        .await;
    foreign.refused(404, "not_found");
    assert_eq!(foreign.body, missing.body);
    let list: Page<Client> = app.get(&token, "/api/v1/clients").await.json();
    assert_eq!(
        list.items.iter().map(|c| c.id).collect::<Vec<_>>(),
        [mine.id]
    );
    // Writing is for coordinators.
    app.post(
        &token,
        "/api/v1/clients",
        json!({"name": "X", "birth_date": "1980-01-01"}),
    )
    .await
    .refused(403, "forbidden");
    app.patch(
        &token,
        &format!("/api/v1/clients/{}", mine.id),
        json!({"name": "X"}),
    )
    .await
    .refused(403, "forbidden");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_and_representatives_see_their_own_client_and_accountants_no_client_records() {
    let app = TestApp::spawn().await;
    let adult = app.client("Inese Ozola", "1972-09-09").await;
    let child = app.client("Emīls Kalns", "2014-05-12").await;
    let (_, client_token) = app
        .user("inese", "client", json!({"client_id": adult.id}))
        .await;
    let (_, parent_token) = app
        .user(
            "vecaks",
            "representative",
            json!({"client_ids": [child.id]}),
        )
        .await;
    let (_, accountant) = app.user("gramatvede", "accountant", json!({})).await;

    app.get(&client_token, &format!("/api/v1/clients/{}", adult.id))
        .await
        .expect(200);
    app.get(&client_token, &format!("/api/v1/clients/{}", child.id))
        .await
        .refused(404, "not_found");
    let r = app
        .get(&parent_token, &format!("/api/v1/clients/{}", child.id))
        .await;
    r.expect(200);
    assert!(r.body.get("personal_code").is_none());
    app.get(&parent_token, &format!("/api/v1/clients/{}", adult.id))
        .await
        .refused(404, "not_found");
    let me = app.get(&parent_token, "/api/v1/me").await;
    assert_eq!(me.body["client_ids"], json!([child.id]));
    let staff_view: Client = app
        .get(&app.admin, &format!("/api/v1/clients/{}", child.id))
        .await
        .json();
    assert_eq!(staff_view.representatives.len(), 1);
    assert_eq!(staff_view.representatives[0].name, "vecaks");

    app.get(&accountant, "/api/v1/clients")
        .await
        .refused(403, "forbidden");
    app.get(&accountant, &format!("/api/v1/clients/{}", adult.id))
        .await
        .refused(403, "forbidden");
}
