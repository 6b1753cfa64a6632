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
async fn a_password_staff_reset_only_lets_its_holder_choose_their_own_and_nothing_else() {
    use asistents::db::entity::audit_log;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = crate::entries::scene(&app, 4800, "ruta").await;
    let (u, token) = app
        .user("aina", "client", json!({"client_id": s.client}))
        .await;
    let e: mobile_api::entries::Entry = crate::entries::post(
        &app,
        &s.token,
        &crate::entries::session(
            s.client,
            "2026-10-20T09:00:00+03:00",
            "2026-10-20T12:00:00+03:00",
            "work",
        ),
    )
    .await
    .json();
    let month = format!("/api/v1/clients/{}/months/2026-10", s.client);
    app.post(&s.token, &format!("{month}/submit"), json!({}))
        .await
        .expect(200);

    // The coordinator resets the client's password and tries to act as the client.
    let coordinator = app.coordinator().await;
    let r = app
        .patch(
            &coordinator,
            &format!("/api/v1/users/{}", u.id),
            json!({"password": "cita-parole-789"}),
        )
        .await;
    r.expect(200);
    app.get(&token, "/api/v1/me")
        .await
        .refused(401, "token_revoked");
    let r = app.try_login("aina", "cita-parole-789", "p").await;
    r.expect(200);
    assert_eq!(r.body["password_change_required"], true, "{}", r.text);
    let temporary = r.body["token"].as_str().unwrap().to_owned();
    let me = app.get(&temporary, "/api/v1/me").await;
    me.expect(200);
    assert_eq!(me.body["password_change_required"], true);
    let seen = json!({"entries": [{"id": e.id, "version": e.version}]});
    app.post(&temporary, &format!("{month}/confirm"), &seen)
        .await
        .refused(403, "password_change_required");
    app.get(&temporary, &month)
        .await
        .refused(403, "password_change_required");
    assert_eq!(
        crate::entries::sheet(&app, s.client, "2026-10")
            .await
            .state
            .as_str(),
        "submitted",
        "nothing was confirmed"
    );

    // Its holder chooses their own (not the same again); that session ends with it.
    let change = |new: &str| json!({"current_password": "cita-parole-789", "new_password": new});
    app.post(&temporary, "/api/v1/me/password", change("cita-parole-789"))
        .await
        .refused(422, "validation_failed");
    let r = app
        .post(
            &temporary,
            "/api/v1/me/password",
            change("manas-pasas-parole"),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text);
    app.get(&temporary, "/api/v1/me")
        .await
        .refused(401, "token_revoked");
    let r = app.try_login("aina", "manas-pasas-parole", "p").await;
    r.expect(200);
    assert_eq!(r.body["password_change_required"], false);
    let own = r.body["token"].as_str().unwrap().to_owned();
    app.post(&own, &format!("{month}/confirm"), &seen)
        .await
        .expect(200);
    let m = crate::entries::sheet(&app, s.client, "2026-10").await;
    assert_eq!(m.confirmed_as.as_deref(), Some("client"));
    let view = app.get(&own, &format!("/api/v1/users/{}", u.id)).await;
    view.expect(200);
    assert!(!view.text.contains("password_hash"), "no hash is ever sent");

    // The audit log shows the reset, who made it, the login with the staff's password and the
    // person's own choice.
    let rows = audit_log::Entity::find()
        .filter(audit_log::Column::Action.is_in(["user_updated", "login", "password_changed"]))
        .order_by_asc(audit_log::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap();
    let coordinator_id = app.get(&coordinator, "/api/v1/me").await.body["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let reset = rows
        .iter()
        .find(|r| r.action == "user_updated" && r.subject_id == u.id.to_string())
        .expect("the reset is audited");
    assert_eq!(
        reset.actor_user_id.map(|a| a.to_string()),
        Some(coordinator_id)
    );
    assert!(
        reset
            .after
            .as_deref()
            .unwrap_or("")
            .contains("\"password_reset\":true")
    );
    let after_reset: Vec<String> = rows
        .iter()
        .filter(|r| r.id > reset.id && r.actor_user_id == Some(u.id))
        .map(|r| format!("{} {}", r.action, r.after.clone().unwrap_or_default()))
        .collect();
    assert!(
        after_reset[0].starts_with("login ")
            && after_reset[0].contains("\"temporary_password\":true"),
        "{after_reset:?}"
    );
    assert!(
        after_reset[1].starts_with("password_changed ")
            && after_reset[1].contains("\"from_temporary_password\":true"),
        "{after_reset:?}"
    );
    assert!(
        after_reset[2].starts_with("login ")
            && after_reset[2].contains("\"temporary_password\":false"),
        "{after_reset:?}"
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
