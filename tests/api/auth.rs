//! Login, tokens per device, throttling, logout, revocation, expiry, password change.

use chrono::Duration;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_logs_in_with_the_configured_password_and_sees_itself() {
    let app = TestApp::spawn().await;
    let r = app
        .try_login("ADMIN", crate::helpers::ADMIN_PASSWORD, "laptop")
        .await;
    r.expect(200);
    assert_eq!(r.body["user"]["role"], "admin");
    assert_eq!(r.body["token"].as_str().unwrap().len(), 64);
    let expires: chrono::DateTime<chrono::Utc> =
        r.body["expires_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(expires, crate::helpers::test_now() + Duration::days(30));
    let me = app
        .get(r.body["token"].as_str().unwrap(), "/api/v1/me")
        .await;
    me.expect(200);
    assert_eq!(me.body["user"]["display_name"], "Administrators");
    assert_eq!(me.body["assignments"], json!([]));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_device_has_its_own_token_and_a_new_login_replaces_the_devices_old_one() {
    let app = TestApp::spawn().await;
    let phone = app
        .try_login("admin", crate::helpers::ADMIN_PASSWORD, "phone")
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let tablet = app
        .try_login("admin", crate::helpers::ADMIN_PASSWORD, "tablet")
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get(&phone, "/api/v1/me").await.expect(200);
    app.get(&tablet, "/api/v1/me").await.expect(200);
    let phone2 = app
        .try_login("admin", crate::helpers::ADMIN_PASSWORD, "phone")
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get(&phone, "/api/v1/me")
        .await
        .refused(401, "unauthorized");
    app.get(&phone2, "/api/v1/me").await.expect(200);
    app.get(&tablet, "/api/v1/me").await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn repeated_failures_lock_the_login_with_retry_after_and_success_resets_the_count() {
    let app = TestApp::spawn().await;
    app.user("asistente", "accountant", json!({})).await;
    for _ in 0..4 {
        app.try_login("asistente", "wrong-password", "p")
            .await
            .refused(401, "invalid_credentials");
    }
    // A success before the limit resets the count.
    app.try_login("asistente", PASSWORD, "p").await.expect(200);
    for _ in 0..4 {
        app.try_login("asistente", "wrong-password", "p")
            .await
            .refused(401, "invalid_credentials");
    }
    app.try_login("asistente", "wrong-password", "p")
        .await
        .refused(401, "invalid_credentials");
    // Five failures in a row: locked, even with the right password.
    let r = app.try_login("asistente", PASSWORD, "p").await;
    r.refused(429, "too_many_attempts");
    let retry: i64 = r
        .headers
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(retry, 15 * 60);
    assert_eq!(r.body["error"]["details"]["retry_after_seconds"], 900);
    assert!(r.message().contains("900"), "{}", r.message());
    // Other logins from elsewhere are not locked by it.
    app.try_login("admin", crate::helpers::ADMIN_PASSWORD, "x")
        .await
        .expect(200);
    app.clock.advance(Duration::minutes(16));
    app.try_login("asistente", PASSWORD, "p").await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_failures_from_one_address_lock_that_address() {
    let app = TestApp::spawn_with(|c| c.address_max_failures = 3).await;
    for login in ["a1", "a2", "a3"] {
        app.try_login(login, "wrong-password", "p")
            .await
            .refused(401, "invalid_credentials");
    }
    app.try_login("admin", crate::helpers::ADMIN_PASSWORD, "p")
        .await
        .refused(429, "too_many_attempts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_ends_the_calling_token_only() {
    let app = TestApp::spawn().await;
    let other = app
        .try_login("admin", crate::helpers::ADMIN_PASSWORD, "other")
        .await
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.post(&app.admin, "/api/v1/auth/logout", json!({})).await;
    assert_eq!(r.status, 204);
    app.get(&app.admin, "/api/v1/me")
        .await
        .refused(401, "token_revoked");
    app.get(&other, "/api/v1/me").await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_revokes_a_lost_phone_and_its_token_stops_at_once() {
    let app = TestApp::spawn().await;
    let coordinator = app.coordinator().await;
    let (user, phone) = app.user("lietotajs", "accountant", json!({})).await;
    let devices = app
        .get(&coordinator, &format!("/api/v1/users/{}/devices", user.id))
        .await;
    devices.expect(200);
    let list = devices.body.as_array().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["device_id"], "phone-lietotajs");
    let id = list[0]["id"].as_str().unwrap();
    app.get(&phone, "/api/v1/me").await.expect(200);
    let r = app
        .post(
            &coordinator,
            &format!("/api/v1/devices/{id}/revoke"),
            json!({}),
        )
        .await;
    r.expect(200);
    assert!(r.body["revoked_at"].is_string());
    app.get(&phone, "/api/v1/me")
        .await
        .refused(401, "token_revoked");
    // Someone else's device is not theirs to revoke, nor to learn of.
    let (_, stranger) = app.user("svesais", "accountant", json!({})).await;
    app.post(
        &stranger,
        &format!("/api/v1/devices/{id}/revoke"),
        json!({}),
    )
    .await
    .refused(404, "not_found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_expire_after_the_configured_days() {
    let app = TestApp::spawn_with(|c| c.token_ttl_days = 2).await;
    let token = app.login("admin", crate::helpers::ADMIN_PASSWORD).await;
    app.clock.advance(Duration::days(2) - Duration::seconds(1));
    app.get(&token, "/api/v1/me").await.expect(200);
    app.clock.advance(Duration::seconds(1));
    app.get(&token, "/api/v1/me")
        .await
        .refused(401, "token_expired");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn changing_ones_password_needs_the_current_one_and_logs_out_other_devices() {
    let app = TestApp::spawn().await;
    let (_, phone) = app.user("maija", "accountant", json!({})).await;
    let laptop = app.try_login("maija", PASSWORD, "laptop").await.body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .post(
            &phone,
            "/api/v1/me/password",
            json!({"current_password": "nope-nope-nope", "new_password": "jauna-parole-456"}),
        )
        .await;
    r.refused(401, "invalid_credentials");
    let r = app
        .post(
            &phone,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    r.refused(422, "validation_failed");
    assert_eq!(r.body["error"]["details"]["reason"], "password_too_short");
    let r = app
        .post(
            &phone,
            "/api/v1/me/password",
            json!({"current_password": PASSWORD, "new_password": "jauna-parole-456"}),
        )
        .await;
    assert_eq!(r.status, 204);
    app.get(&phone, "/api/v1/me").await.expect(200);
    app.get(&laptop, "/api/v1/me")
        .await
        .refused(401, "token_revoked");
    app.try_login("maija", PASSWORD, "x")
        .await
        .refused(401, "invalid_credentials");
    app.try_login("maija", "jauna-parole-456", "x")
        .await
        .expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deactivated_user_cannot_log_in_and_their_tokens_end() {
    let app = TestApp::spawn().await;
    let (user, token) = app.user("aiziet", "accountant", json!({})).await;
    let r = app
        .patch(
            &app.admin,
            &format!("/api/v1/users/{}", user.id),
            json!({"active": false}),
        )
        .await;
    r.expect(200);
    app.get(&token, "/api/v1/me")
        .await
        .refused(401, "token_revoked");
    app.try_login("aiziet", PASSWORD, "p")
        .await
        .refused(401, "invalid_credentials");
    app.patch(
        &app.admin,
        &format!("/api/v1/users/{}", user.id),
        json!({"active": true}),
    )
    .await
    .expect(200);
    app.try_login("aiziet", PASSWORD, "p").await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_bodies_with_missing_device_fields_are_refused() {
    let app = TestApp::spawn().await;
    let body = json!({"login": "admin", "password": crate::helpers::ADMIN_PASSWORD, "device": {"device_id": " ", "name": "x", "platform": "x", "app_version": "1"}});
    let r = app
        .send(
            reqwest::Method::POST,
            None,
            "/api/v1/auth/login",
            Some(&body),
            Some("en"),
        )
        .await;
    r.refused(422, "validation_failed");
    assert_eq!(r.body["error"]["details"]["field"], "device.device_id");
    let body = json!({"login": "admin", "password": crate::helpers::ADMIN_PASSWORD});
    let r = app
        .send(
            reqwest::Method::POST,
            None,
            "/api/v1/auth/login",
            Some(&body),
            None,
        )
        .await;
    r.refused(422, "validation_failed");
}

/// The statuses of `n` wrong-password logins sent at once, sorted.
async fn at_once(app: &TestApp, logins: impl Fn(usize) -> String, n: usize) -> Vec<u16> {
    let sends = (0..n).map(|i| {
        let (http, base, login) = (app.http.clone(), app.base.clone(), logins(i));
        async move {
            let body = json!({
                "login": login, "password": "wrong-password",
                "device": {"device_id": format!("d{i}"), "name": "x", "platform": "android", "app_version": "1"},
            });
            http.post(format!("{base}/api/v1/auth/login"))
                .json(&body)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let mut statuses = crate::helpers::join_all(sends.collect()).await;
    statuses.sort();
    statuses
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_passwords_sent_at_once_are_checked_no_more_often_than_the_limit() {
    let app = TestApp::spawn_with(|c| c.address_max_failures = 1_000).await;
    app.user("asistente", "accountant", json!({})).await;
    let statuses = at_once(&app, |_| "asistente".into(), 50).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        (checked, refused),
        (5, 45),
        "at most five guesses are checked: {statuses:?}"
    );
    app.try_login("asistente", PASSWORD, "p")
        .await
        .refused(429, "too_many_attempts");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_logins_sent_at_once_from_one_address_stop_at_its_limit() {
    let app = TestApp::spawn().await;
    let statuses = at_once(&app, |i| format!("nav{i}"), 50).await;
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(checked, 20, "the address's limit: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 30);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guessing_the_current_password_uses_up_the_logins_budget_and_ends_the_token() {
    let app = TestApp::spawn().await;
    let (_, phone) = app.user("maija", "accountant", json!({})).await;
    let guess = |n: usize| json!({"current_password": format!("minejums-{n}"), "new_password": "jauna-parole-456"});
    for n in 0..5 {
        app.post(&phone, "/api/v1/me/password", guess(n))
            .await
            .refused(401, "invalid_credentials");
    }
    // The fifth wrong guess ended the token: no sixth guess is checked.
    app.post(&phone, "/api/v1/me/password", guess(5))
        .await
        .refused(401, "token_revoked");
    app.get(&phone, "/api/v1/me")
        .await
        .refused(401, "token_revoked");
    // The login is locked like after five wrong logins.
    app.try_login("maija", PASSWORD, "x")
        .await
        .refused(429, "too_many_attempts");
}

/// 200 wrong logins at once: the password checks are bounded (one per core and a short queue),
/// so the excess is turned away at once with `503` and `Retry-After` (or `429` past a budget),
/// and the rest of the service keeps answering meanwhile. (Memory and latency under such a burst
/// are measured by the `login_burst` bench, not here.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_of_wrong_logins_is_bounded_and_the_excess_told_when_to_come_back() {
    let app = TestApp::spawn_with(|c| c.address_max_failures = 10_000).await;
    let burst: Vec<_> = (0..200)
        .map(|i| {
            let app = &app;
            async move {
                app.try_login(&format!("nav-{i}"), "wrong-password", &format!("p{i}"))
                    .await
            }
        })
        .collect();
    let (answers, me) = tokio::join!(crate::helpers::join_all(burst), async {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        app.get(&app.admin, "/api/v1/me").await
    });
    me.expect(200);
    let mut by_status = std::collections::BTreeMap::new();
    for r in &answers {
        *by_status.entry(r.status).or_insert(0) += 1;
        assert!(
            [401, 429, 503].contains(&r.status),
            "{} {}",
            r.status,
            r.text
        );
        if r.status != 401 {
            assert!(
                r.headers.get("retry-after").is_some(),
                "{} without Retry-After",
                r.status
            );
        }
    }
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    // One check per core and 16 waiting per core: beyond that, requests are turned away.
    if cores * 17 < 200 {
        assert!(by_status.contains_key(&503), "{by_status:?}");
    }
    assert!(by_status.contains_key(&401), "{by_status:?}");
}
