//! The clients' web page over plain HTTP: session cookie, CSRF, security headers, PIN login.
//! (`tests/browser` drives the same pages in Chromium with axe-core.)

use serde_json::json;

use crate::entries::{post, scene, session, sheet};
use crate::helpers::{PASSWORD, TestApp};

fn client(app: &TestApp) -> reqwest::Client {
    let _ = app;
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A page's HTML as the signed-in person gets it.
async fn page(app: &TestApp, url: &str, session_cookie: &str) -> String {
    client(app)
        .get(url)
        .header("cookie", session_cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The CSRF token a page's forms carry.
fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

async fn web_login(app: &TestApp, login: &str, password: &str) -> (u16, Option<String>) {
    let r = client(app)
        .post(format!("{}/web/login", app.base))
        .form(&[("login", login), ("password", password), ("lang", "lv")])
        .send()
        .await
        .unwrap();
    let cookie = r
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    (r.status().as_u16(), cookie)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_logs_in_with_the_password_not_the_pin_and_the_session_cookie_is_locked_down() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    app.user("klients", "client", json!({"client_id": s.client}))
        .await;
    let page = client(&app)
        .get(format!("{}/web/login", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    for h in [
        "content-security-policy",
        "x-content-type-options",
        "referrer-policy",
        "x-frame-options",
    ] {
        assert!(page.headers().get(h).is_some(), "{h}");
    }
    assert!(
        page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'none'")
    );
    assert!(page.text().await.unwrap().contains("<html lang=\"lv\">"));

    let (status, cookie) = web_login(&app, "klients", "wrong-password").await;
    assert_eq!((status, cookie), (401, None));
    let (status, cookie) = web_login(&app, "klients", PASSWORD).await;
    assert_eq!(status, 303);
    let cookie = cookie.unwrap();
    for flag in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/web"] {
        assert!(cookie.contains(flag), "{cookie}");
    }
    // The client's PIN only confirms a month on the assistant's phone: it is no login here.
    app.send(
        reqwest::Method::PUT,
        Some(&app.admin),
        &format!("/api/v1/clients/{}/pin", s.client),
        Some(&json!({"pin": "258014"})),
        None,
    )
    .await
    .expect(204);
    assert_eq!(web_login(&app, "klients", "258014").await.0, 401);
    // Staff and assistants use the API, not this page.
    assert_eq!(web_login(&app, "ruta", PASSWORD).await.0, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirming_on_the_web_needs_the_forms_csrf_token() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    app.user("klients", "client", json!({"client_id": s.client}))
        .await;
    let mut with_trip = session(
        s.client,
        "2026-10-20T09:00:00+03:00",
        "2026-10-20T12:00:00+03:00",
        "work",
    );
    with_trip["trips"] = json!([{"mode": "own_car", "from": "Mājas", "to": "Darbs", "distance_km": 12.4, "cost_cents": 350}]);
    let e: mobile_api::entries::Entry = post(&app, &s.token, &with_trip).await.json();
    app.post(
        &s.token,
        &format!("/api/v1/clients/{}/months/2026-10/submit", s.client),
        json!({}),
    )
    .await
    .expect(200);
    let (_, cookie) = web_login(&app, "klients", PASSWORD).await;
    let session_cookie = cookie.unwrap().split(';').next().unwrap().to_owned();
    let url = format!("{}/web/clients/{}/months/2026-10", app.base, s.client);
    let html = page(&app, &url, &session_cookie).await;
    assert!(
        html.contains("Gaida jūsu apstiprinājumu")
            && html.contains("20.10.2026")
            && html.contains("09:00–12:00"),
        "{html}"
    );
    assert!(
        html.contains("Mājas → Darbs, 12,4 km, 3,50 EUR"),
        "a Latvian page writes decimal commas: {html}"
    );
    let csrf = csrf_of(&html);
    let seen = format!("{}:{}", e.id, e.version);

    let forged = client(&app)
        .post(format!("{url}/confirm"))
        .header("cookie", &session_cookie)
        .form(&[("csrf", "forged"), ("seen", seen.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(
        sheet(&app, s.client, "2026-10").await.state.as_str(),
        "submitted",
        "nothing changed"
    );
    let no_session = client(&app)
        .post(format!("{url}/confirm"))
        .form(&[("csrf", csrf.as_str()), ("seen", seen.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(no_session.status(), 303, "to the login page");
    assert_eq!(
        sheet(&app, s.client, "2026-10").await.state.as_str(),
        "submitted"
    );

    let ok = client(&app)
        .post(format!("{url}/confirm"))
        .header("cookie", &session_cookie)
        .form(&[("csrf", csrf.as_str()), ("seen", seen.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    let m = sheet(&app, s.client, "2026-10").await;
    assert_eq!(
        (m.state.as_str(), m.confirmed_as.as_deref()),
        ("confirmed", Some("client"))
    );
    // Another client's month is not there for this login.
    let other = scene(&app, 600, "igors").await;
    let foreign = client(&app)
        .get(format!(
            "{}/web/clients/{}/months/2026-10",
            app.base, other.client
        ))
        .header("cookie", &session_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), 404);
}

/// The audit log's actions about one user's logins and devices, oldest first, with whether
/// each came from the web page.
async fn login_audit(app: &TestApp, user_id: uuid::Uuid, device_rows: &[String]) -> Vec<String> {
    use asistents::db::entity::audit_log;
    use sea_orm::{EntityTrait, QueryOrder};
    let rows = audit_log::Entity::find()
        .order_by_asc(audit_log::Column::Id)
        .all(&app.state.db)
        .await
        .unwrap();
    rows.into_iter()
        .filter(|r| r.subject_id == user_id.to_string() || device_rows.contains(&r.subject_id))
        .filter(|r| r.action.starts_with("log"))
        .map(|r| {
            let web = r
                .after
                .as_deref()
                .and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok())
                .is_some_and(|a| a["web"] == true);
            format!("{}{}", r.action, if web { " (web)" } else { "" })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_web_login_and_logout_are_audited_like_the_apis() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    let (user, _) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;

    // Through the API: a wrong password, a login, a logout.
    app.try_login("klients", "wrong-password", "phone").await;
    let token = app.login("klients", PASSWORD).await;
    app.post(&token, "/api/v1/auth/logout", json!({}))
        .await
        .expect(204);

    // Through the web page: the same three steps.
    assert_eq!(web_login(&app, "klients", "wrong-password").await.0, 401);
    let (_, cookie) = web_login(&app, "klients", PASSWORD).await;
    let session_cookie = cookie.unwrap().split(';').next().unwrap().to_owned();
    let html = page(&app, &format!("{}/web/", app.base), &session_cookie).await;
    let csrf = csrf_of(&html);
    let out = client(&app)
        .post(format!("{}/web/logout", app.base))
        .header("cookie", &session_cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    // The session is over.
    let after = client(&app)
        .get(format!("{}/web/", app.base))
        .header("cookie", &session_cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303, "logged out");

    let devices: Vec<String> = app
        .get(&app.admin, &format!("/api/v1/users/{}/devices", user.id))
        .await
        .expect(200)
        .json::<Vec<serde_json::Value>>()
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        login_audit(&app, user.id, &devices).await,
        [
            "login", // the helper's, with the password staff set
            "login", // the helper's, with the password the person chose
            "login_failed",
            "login",
            "logout",
            "login_failed (web)",
            "login (web)",
            "logout",
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_login_form_posted_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    let s = scene(&app, 4800, "ruta").await;
    app.user("klients", "client", json!({"client_id": s.client}))
        .await;
    let host = app.base.trim_start_matches("http://").to_owned();
    let from = async |origin: &str, site: Option<&str>| {
        let mut post = client(&app)
            .post(format!("{}/web/login", app.base))
            .header("origin", origin)
            .form(&[("login", "klients"), ("password", PASSWORD)]);
        if let Some(site) = site {
            post = post.header("sec-fetch-site", site);
        }
        post.send().await.unwrap().status().as_u16()
    };
    // An older browser names the other site in Origin.
    assert_eq!(from("https://evil.example", None).await, 403);
    assert_eq!(
        from(&format!("http://{host}.evil.example"), None).await,
        403
    );
    // A current one says so in Sec-Fetch-Site, also when Origin is "null".
    assert_eq!(from("null", Some("cross-site")).await, 403);
    assert_eq!(from("null", Some("same-site")).await, 403);
    // The page's own form (this page sends no referrer, so Origin is "null").
    assert_eq!(from("null", Some("same-origin")).await, 303);
    assert_eq!(from(&format!("http://{host}"), None).await, 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispute_form_with_thousands_of_sessions_ticked_is_refused_plainly() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    app.user("klients", "client", json!({"client_id": s.client}))
        .await;
    let (_, cookie) = web_login(&app, "klients", PASSWORD).await;
    let session_cookie = cookie.unwrap().split(';').next().unwrap().to_owned();
    let url = format!("{}/web/clients/{}/months/2026-10", app.base, s.client);
    let csrf = csrf_of(&page(&app, &url, &session_cookie).await);
    let mut form = vec![("csrf".to_owned(), csrf)];
    for i in 0..2_000u128 {
        let id = uuid::Uuid::from_u128(i).to_string();
        form.push((format!("reason_{id}"), "nebija".to_owned()));
        form.push(("entry".to_owned(), id));
    }
    let r = client(&app)
        .post(format!("{url}/dispute"))
        .header("cookie", &session_cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(
        sheet(&app, s.client, "2026-10").await.state.as_str(),
        "open",
        "nothing changed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_a_staff_reset_the_web_page_only_lets_the_client_choose_a_password() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    let (u, _) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
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
    app.post(
        &s.token,
        &format!("/api/v1/clients/{}/months/2026-10/submit", s.client),
        json!({}),
    )
    .await
    .expect(200);
    app.patch(
        &app.admin,
        &format!("/api/v1/users/{}", u.id),
        json!({"password": "dienesta-parole-1"}),
    )
    .await
    .expect(200);

    let (status, cookie) = web_login(&app, "klients", "dienesta-parole-1").await;
    assert_eq!(status, 303);
    let cookie = cookie.unwrap().split(';').next().unwrap().to_owned();
    let month = format!("{}/web/clients/{}/months/2026-10", app.base, s.client);
    for url in [format!("{}/web/", app.base), month.clone()] {
        let r = client(&app)
            .get(&url)
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{url}");
        assert_eq!(r.headers()["location"], "/web/password", "{url}");
    }
    let html = page(&app, &format!("{}/web/password", app.base), &cookie).await;
    assert!(
        html.contains("Šo paroli jums iedeva sociālais dienests"),
        "{html}"
    );
    let csrf = csrf_of(&html);
    // Confirming is not among what this session may do.
    let r = client(&app)
        .post(format!("{month}/confirm"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("seen", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/web/password");
    assert_eq!(
        sheet(&app, s.client, "2026-10").await.state.as_str(),
        "submitted"
    );

    let change = async |new: &str, repeat: &str| {
        client(&app)
            .post(format!("{}/web/password", app.base))
            .header("cookie", &cookie)
            .form(&[
                ("csrf", csrf.as_str()),
                ("current", "dienesta-parole-1"),
                ("new", new),
                ("repeat", repeat),
            ])
            .send()
            .await
            .unwrap()
    };
    let r = change("mana-parole-2026", "mana-parole-2025").await;
    assert_eq!(r.status(), 422);
    assert!(r.text().await.unwrap().contains("nesakrīt"));
    let r = change("mana-parole-2026", "mana-parole-2026").await;
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/web/login?done=password");
    // That session is over; the client logs in with the password only they know.
    let r = client(&app)
        .get(format!("{}/web/", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/web/login");
    let (status, cookie) = web_login(&app, "klients", "mana-parole-2026").await;
    assert_eq!(status, 303);
    let cookie = cookie.unwrap().split(';').next().unwrap().to_owned();
    let html = page(&app, &month, &cookie).await;
    assert!(html.contains("Gaida jūsu apstiprinājumu"), "{html}");
}

/// The phone app's files come from the binary, with a strict policy; the service worker names
/// its cache by the release's files, and never lists the API among what it keeps.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_phone_app_is_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let get = async |path: &str| {
        client(&app)
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap()
    };
    let index = get("/app/").await;
    assert_eq!(index.status(), 200);
    let csp = index.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
        "{csp}"
    );
    assert!(index.text().await.unwrap().contains("/app/app.js"));
    let sw = get("/app/sw.js").await;
    assert!(
        sw.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let sw = sw.text().await.unwrap();
    let version = asistents::web::phone::version();
    assert!(sw.contains(&format!("asistents-app-{version}")) && !sw.contains("__VERSION__"));
    assert!(!sw.contains("'/api"), "the API is never cached");
    for file in [
        "app.js",
        "store.js",
        "sync.js",
        "words.js",
        "manifest.webmanifest",
        "icon-192.png",
    ] {
        assert_eq!(get(&format!("/app/{file}")).await.status(), 200, "{file}");
    }
    assert_eq!(get("/app/secrets.txt").await.status(), 404);
    assert_eq!(get("/app").await.status(), 303);
}

/// A submitted month with two sessions of Ruta's, and the client's web session.
async fn submitted_with_two(app: &TestApp) -> (crate::entries::Scene, String, [uuid::Uuid; 2]) {
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(app, 4800, "ruta").await;
    app.user("klients", "client", json!({"client_id": s.client}))
        .await;
    let mut ids = [uuid::Uuid::nil(); 2];
    for (i, day) in ["2026-10-20", "2026-10-21"].iter().enumerate() {
        let e: mobile_api::entries::Entry = post(
            app,
            &s.token,
            &session(
                s.client,
                &format!("{day}T09:00:00+03:00"),
                &format!("{day}T12:00:00+03:00"),
                "work",
            ),
        )
        .await
        .json();
        ids[i] = e.id;
    }
    app.post(
        &s.token,
        &format!("/api/v1/clients/{}/months/2026-10/submit", s.client),
        json!({}),
    )
    .await
    .expect(200);
    let (_, cookie) = web_login(app, "klients", PASSWORD).await;
    let cookie = cookie.unwrap().split(';').next().unwrap().to_owned();
    (s, cookie, ids)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ticked_session_without_a_reason_sends_nothing_and_the_form_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let (s, cookie, [a, b]) = submitted_with_two(&app).await;
    let url = format!("{}/web/clients/{}/months/2026-10", app.base, s.client);
    let csrf = csrf_of(&page(&app, &url, &cookie).await);
    let r = client(&app)
        .post(format!("{url}/dispute"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("entry", &a.to_string()),
            (&format!("reason_{a}"), "Asistents atnāca vēlāk"),
            ("entry", &b.to_string()),
            (&format!("reason_{b}"), "  "),
            ("comment", "Lūdzu pārbaudīt abas"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let html = r.text().await.unwrap();
    assert!(html.contains("Nekas vēl nav nosūtīts"), "{html}");
    assert!(html.contains("Asistents atnāca vēlāk") && html.contains("Lūdzu pārbaudīt abas"));
    assert_eq!(html.matches(" checked>").count(), 2, "both ticks kept");
    assert!(html.contains(&format!("aria-describedby=\"m-{b}\"")));
    let m = sheet(&app, s.client, "2026-10").await;
    assert_eq!((m.state.as_str(), m.disputes.len()), ("submitted", 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirming_on_the_web_takes_a_step_that_names_what_is_confirmed() {
    let app = TestApp::spawn().await;
    let (s, cookie, _) = submitted_with_two(&app).await;
    let url = format!("{}/web/clients/{}/months/2026-10", app.base, s.client);
    let month = page(&app, &url, &cookie).await;
    assert!(
        month.contains("method=\"get\" action=\"/web/clients/"),
        "{month}"
    );
    assert!(!month.contains(&format!(
        "method=\"post\" action=\"/web/clients/{}/months/2026-10/confirm\"",
        s.client
    )));
    let step = page(&app, &format!("{url}/confirm"), &cookie).await;
    assert!(
        step.contains("Jūs apstiprināt 2 pakalpojuma reizes, kopā 6"),
        "{step}"
    );
    assert!(step.contains("vairs nevar mainīt"));
    let csrf = csrf_of(&step);
    let seen = step
        .split("name=\"seen\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let ok = client(&app)
        .post(format!("{url}/confirm"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str()), ("seen", seen.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 303);
    assert_eq!(
        sheet(&app, s.client, "2026-10").await.state.as_str(),
        "confirmed"
    );
    // Confirmed: the step is not offered again.
    let again = client(&app)
        .get(format!("{url}/confirm"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 303);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn confirm_is_not_offered_on_a_disputed_or_an_empty_month() {
    let app = TestApp::spawn().await;
    let (s, cookie, [a, _]) = submitted_with_two(&app).await;
    let url = format!("{}/web/clients/{}/months/2026-10", app.base, s.client);
    let csrf = csrf_of(&page(&app, &url, &cookie).await);
    let r = client(&app)
        .post(format!("{url}/dispute"))
        .header("cookie", &cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("entry", &a.to_string()),
            (&format!("reason_{a}"), "Nebija"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let disputed = page(&app, &url, &cookie).await;
    assert!(!disputed.contains("Pārskatīt un apstiprināt"), "{disputed}");
    assert!(
        disputed.contains("Nebija"),
        "the client's own objection is on the page"
    );
    // A month handed in with nothing in it: nothing to confirm.
    app.post(
        &s.token,
        &format!("/api/v1/clients/{}/months/2026-09/submit", s.client),
        json!({}),
    )
    .await
    .expect(200);
    let empty = page(
        &app,
        &format!("{}/web/clients/{}/months/2026-09", app.base, s.client),
        &cookie,
    )
    .await;
    assert!(empty.contains("nav pakalpojumu, ko apstiprināt"), "{empty}");
    assert!(!empty.contains("Pārskatīt un apstiprināt"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_logging_in_the_client_reads_their_own_language_and_whom_to_call() {
    let app = TestApp::spawn_with(|c| c.municipality_phone = Some("+371 654 00000".into())).await;
    let s = scene(&app, 4800, "ruta").await;
    app.user(
        "klients",
        "client",
        json!({"client_id": s.client, "locale": "ru"}),
    )
    .await;
    let login = page(&app, &format!("{}/web/login", app.base), "").await;
    assert!(
        login.contains("+371 654 00000") && login.contains("Jautājumi?"),
        "{login}"
    );
    let r = client(&app)
        .post(format!("{}/web/login", app.base))
        .form(&[("login", "klients"), ("password", PASSWORD), ("lang", "lv")])
        .send()
        .await
        .unwrap();
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect();
    assert!(
        cookies.contains(&"asistents_lang=ru".to_owned()),
        "{cookies:?}"
    );
    let home = page(&app, &format!("{}/web/", app.base), &cookies.join("; ")).await;
    assert!(home.contains("<html lang=\"ru\">"), "{home}");
}
