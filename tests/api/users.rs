//! Users, roles and links.

use mobile_api::Page;
use mobile_api::people::User;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_gets_a_login_linked_to_what_it_acts_as() {
    let app = TestApp::spawn().await;
    let client = app.client("Inese Ozola", "1972-09-09").await;
    let child = app.client("Emīls Kalns", "2014-05-12").await;
    let assistant = app.assistant("Ruta Bērziņa").await;
    let (u, _) = app
        .user("Ruta.B", "assistant", json!({"assistant_id": assistant.id}))
        .await;
    assert_eq!(
        (u.login.as_str(), u.display_name.as_str(), u.assistant_id),
        ("ruta.b", "Ruta Bērziņa", Some(assistant.id))
    );
    let (u, _) = app
        .user(
            "inese",
            "client",
            json!({"client_id": client.id, "locale": "ru"}),
        )
        .await;
    assert_eq!(
        (u.client_id, u.locale),
        (Some(client.id), mobile_api::Locale::Ru)
    );
    let (u, _) = app
        .user(
            "vecaks",
            "representative",
            json!({"client_ids": [child.id, client.id, child.id], "display_name": "Kalnu ģimene"}),
        )
        .await;
    assert_eq!(u.client_ids.len(), 2);
    app.user("gramatvede", "accountant", json!({})).await;
    app.user("koord", "coordinator", json!({})).await;

    let list: Page<User> = app
        .get(&app.admin, "/api/v1/users?role=assistant")
        .await
        .json();
    assert_eq!(
        list.items
            .iter()
            .map(|u| u.login.as_str())
            .collect::<Vec<_>>(),
        ["ruta.b"]
    );
    let all: Page<User> = app.get(&app.admin, "/api/v1/users").await.json();
    assert_eq!(all.total, 6);

    let r = app
        .patch(
            &app.admin,
            &format!("/api/v1/users/{}", u.id),
            json!({"client_ids": [child.id]}),
        )
        .await;
    r.expect(200);
    assert_eq!(r.body["client_ids"], json!([child.id]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_that_do_not_fit_the_role_are_refused() {
    let app = TestApp::spawn().await;
    let client = app.client("Inese Ozola", "1972-09-09").await;
    let assistant = app.assistant("Ruta Bērziņa").await;
    let cases = [
        (json!({"role": "assistant"}), "assistant_id", "required"),
        (
            json!({"role": "assistant", "assistant_id": uuid::Uuid::new_v4()}),
            "assistant_id",
            "unknown",
        ),
        (
            json!({"role": "client", "assistant_id": assistant.id}),
            "assistant_id",
            "wrong_kind",
        ),
        (json!({"role": "client"}), "client_id", "required"),
        (
            json!({"role": "representative", "client_ids": []}),
            "client_ids",
            "required",
        ),
        (
            json!({"role": "representative", "client_ids": [uuid::Uuid::new_v4()]}),
            "client_ids",
            "unknown",
        ),
        (
            json!({"role": "accountant", "client_id": client.id}),
            "client_id",
            "wrong_kind",
        ),
    ];
    for (mut body, field, reason) in cases {
        body["login"] = json!("jauns");
        body["password"] = json!(PASSWORD);
        let r = app.post(&app.admin, "/api/v1/users", &body).await;
        r.refused(422, "validation_failed");
        assert_eq!(
            (
                r.body["error"]["details"]["field"].as_str(),
                r.body["error"]["details"]["reason"].as_str()
            ),
            (Some(field), Some(reason)),
            "{body}"
        );
    }
    let r = app
        .post(
            &app.admin,
            "/api/v1/users",
            json!({"login": "jauns", "password": "short", "role": "accountant"}),
        )
        .await;
    assert_eq!(r.body["error"]["details"]["reason"], "password_too_short");
    app.post(
        &app.admin,
        "/api/v1/users",
        json!({"login": "x", "password": PASSWORD, "role": "accountant"}),
    )
    .await
    .refused(422, "validation_failed");
    app.post(
        &app.admin,
        "/api/v1/users",
        json!({"login": "jauns", "password": PASSWORD, "role": "boss"}),
    )
    .await
    .refused(422, "validation_failed");
    app.post(
        &app.admin,
        "/api/v1/users",
        json!({"login": "jauns", "password": PASSWORD, "role": "accountant"}),
    )
    .await
    .expect(201);
    let r = app
        .post(
            &app.admin,
            "/api/v1/users",
            json!({"login": "JAUNS", "password": PASSWORD, "role": "accountant"}),
        )
        .await;
    r.refused(409, "conflict");
    assert_eq!(r.body["error"]["details"]["reason"], "login_taken");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coordinators_manage_users_but_not_admins_or_other_coordinators() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator().await;
    app.post(
        &coordinator,
        "/api/v1/users",
        json!({"login": "gram", "password": PASSWORD, "role": "accountant"}),
    )
    .await
    .expect(201);
    app.post(
        &coordinator,
        "/api/v1/users",
        json!({"login": "boss", "password": PASSWORD, "role": "admin"}),
    )
    .await
    .refused(403, "forbidden");
    app.post(
        &coordinator,
        "/api/v1/users",
        json!({"login": "k2", "password": PASSWORD, "role": "coordinator"}),
    )
    .await
    .refused(403, "forbidden");
    let admin_id = app.get(&app.admin, "/api/v1/me").await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.patch(
        &coordinator,
        &format!("/api/v1/users/{admin_id}"),
        json!({"active": false}),
    )
    .await
    .refused(403, "forbidden");
    let (_, accountant) = app.user("gramatvede", "accountant", json!({})).await;
    app.get(&accountant, "/api/v1/users")
        .await
        .refused(403, "forbidden");
    app.post(
        &accountant,
        "/api/v1/users",
        json!({"login": "x1", "password": PASSWORD, "role": "accountant"}),
    )
    .await
    .refused(403, "forbidden");
    // Nobody can lock themself out.
    app.patch(
        &app.admin,
        &format!("/api/v1/users/{admin_id}"),
        json!({"active": false}),
    )
    .await
    .refused(422, "validation_failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_password_reset_by_staff_logs_the_user_out_everywhere() {
    let app = TestApp::spawn().await;
    let (u, token) = app.user("aina", "accountant", json!({})).await;
    let r = app
        .patch(
            &app.admin,
            &format!("/api/v1/users/{}", u.id),
            json!({"password": "cita-parole-789"}),
        )
        .await;
    r.expect(200);
    app.get(&token, "/api/v1/me")
        .await
        .refused(401, "unauthorized");
    app.try_login("aina", "cita-parole-789", "p")
        .await
        .expect(200);
    let own = app
        .get(
            &app.login("aina", "cita-parole-789").await,
            &format!("/api/v1/users/{}", u.id),
        )
        .await;
    own.expect(200);
    assert!(
        !own.text.contains("password"),
        "no hash is ever sent: {}",
        own.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_can_neither_list_nor_revoke_the_admins_devices() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator().await;
    let me: serde_json::Value = app.get(&app.admin, "/api/v1/me").await.json();
    let admin_id = me["user"]["id"].as_str().unwrap().to_owned();
    app.get(&coordinator, &format!("/api/v1/users/{admin_id}/devices"))
        .await
        .refused(404, "not_found");
    let devices: Vec<serde_json::Value> = app
        .get(&app.admin, &format!("/api/v1/users/{admin_id}/devices"))
        .await
        .json();
    let device = devices[0]["id"].as_str().unwrap();
    app.post(
        &coordinator,
        &format!("/api/v1/devices/{device}/revoke"),
        serde_json::json!({}),
    )
    .await
    .refused(404, "not_found");
    app.get(&app.admin, "/api/v1/me").await.expect(200);
}
