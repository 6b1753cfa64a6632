//! The social service's console over plain HTTP: staff log in, read the month board, approve
//! the confirmed months in bulk and the others with a reason, and close the month.

use serde_json::json;

use crate::entries::{post, scene, session, sheet};
use crate::helpers::{PASSWORD, TestApp};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Logs `login` into the console; the session cookie.
async fn console_login(app: &TestApp, login: &str) -> Option<String> {
    let r = client()
        .post(format!("{}/console/login", app.base))
        .form(&[("login", login), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    r.headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("asistents_console="))
}

async fn get(app: &TestApp, path: &str, cookie: &str) -> (u16, String) {
    let r = client()
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn csrf_of(html: &str) -> String {
    html.split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

async fn form(app: &TestApp, path: &str, cookie: &str, fields: &[(&str, &str)]) -> (u16, String) {
    let r = client()
        .post(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .form(fields)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_approves_and_closes_a_month_in_the_console_without_a_single_api_call() {
    let app = TestApp::spawn().await;
    app.wage_override("2026-10").await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    // Two clients with October sessions: Ruta's client confirms, Igors' does not.
    let s = scene(&app, 4800, "ruta").await;
    let o = scene(&app, 4800, "igors").await;
    for (who, day) in [(&s, "2026-10-20"), (&o, "2026-10-21")] {
        post(
            &app,
            &who.token,
            &session(
                who.client,
                &format!("{day}T09:00:00+03:00"),
                &format!("{day}T12:00:00+03:00"),
                "work",
            ),
        )
        .await
        .expect(201);
        app.post(
            &who.token,
            &format!("/api/v1/clients/{}/months/2026-10/submit", who.client),
            json!({}),
        )
        .await
        .expect(200);
    }
    let (_, klients) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    let m = sheet(&app, s.client, "2026-10").await;
    let seen: Vec<_> = m
        .entries
        .iter()
        .map(|e| json!({"id": e.id, "version": e.version}))
        .collect();
    app.post(
        &klients,
        &format!("/api/v1/clients/{}/months/2026-10/confirm", s.client),
        json!({ "entries": seen }),
    )
    .await
    .expect(200);
    app.user("koordinatore", "coordinator", json!({})).await;
    app.user("gramatvede", "accountant", json!({})).await;

    // Clients and representatives have no console.
    assert!(console_login(&app, "klients").await.is_none());
    let cookie = console_login(&app, "koordinatore")
        .await
        .expect("a coordinator logs in");
    let r = client()
        .get(format!("{}/console/", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["location"],
        "/console/months/2026-10",
        "the month that needs closing first"
    );
    let (status, board) = get(&app, "/console/months/2026-10", &cookie).await;
    assert_eq!(status, 200);
    assert!(
        board.contains("Klients ruta") && board.contains("Klients igors"),
        "{board}"
    );
    assert!(
        board.contains("Klients apstiprinājis: 1</a>")
            && board.contains("Nodots, gaida klientu: 1</a>"),
        "{board}"
    );
    let csrf = csrf_of(&board);
    // Only the confirmed month can be ticked for bulk approval.
    assert_eq!(board.matches("name=\"client\"").count(), 1);
    let (status, _) = form(
        &app,
        "/console/months/2026-10/approve",
        &cookie,
        &[("csrf", &csrf), ("client", &s.client.to_string())],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        sheet(&app, s.client, "2026-10").await.state.as_str(),
        "approved"
    );

    // Without the client's confirmation a reason is needed, and said so.
    let one = format!("/console/months/2026-10/clients/{}/approve", o.client);
    let (status, page) = form(&app, &one, &cookie, &[("csrf", &csrf), ("reason", " ")]).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Klients igors"),
        "the problem names the client: {page}"
    );
    assert_eq!(
        sheet(&app, o.client, "2026-10").await.state.as_str(),
        "submitted"
    );
    let (status, _) = form(
        &app,
        &one,
        &cookie,
        &[
            ("csrf", &csrf),
            ("reason", "Klients slimnīcā, apstiprināts pa tālruni"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let m = sheet(&app, o.client, "2026-10").await;
    assert_eq!(m.state.as_str(), "approved");
    assert_eq!(
        m.approval_reason.as_deref(),
        Some("Klients slimnīcā, apstiprināts pa tālruni")
    );

    // A form from elsewhere (no token) changes nothing.
    let (status, _) = form(
        &app,
        "/console/months/2026-10/close",
        &cookie,
        &[("csrf", "forged")],
    )
    .await;
    assert_eq!(status, 403);
    // The accountant reads the board but has no forms, and cannot close.
    let acc = console_login(&app, "gramatvede")
        .await
        .expect("an accountant logs in");
    let (status, read) = get(&app, "/console/months/2026-10", &acc).await;
    assert_eq!(status, 200);
    assert!(
        read.contains("Klients ruta") && !read.contains("/close\""),
        "{read}"
    );
    let (status, _) = form(
        &app,
        "/console/months/2026-10/close",
        &acc,
        &[("csrf", &csrf_of(&read))],
    )
    .await;
    assert_eq!(status, 403);

    // The coordinator closes the month: statements made, mail queued.
    let (status, closed) = form(
        &app,
        "/console/months/2026-10/close",
        &cookie,
        &[("csrf", &csrf)],
    )
    .await;
    assert_eq!(status, 200);
    assert!(closed.contains("Mēnesis slēgts"), "{closed}");
    assert_eq!(
        sheet(&app, s.client, "2026-10").await.state.as_str(),
        "closed"
    );
    assert_eq!(
        sheet(&app, o.client, "2026-10").await.state.as_str(),
        "closed"
    );
    // A session voided after the close: the board says the correction waits for the next
    // close, naming the client and the month.
    let victim = sheet(&app, s.client, "2026-10").await.entries[0].id;
    app.post(
        &app.admin,
        &format!("/api/v1/clients/{}/months/2026-10/amendments", s.client),
        json!({"void": {"entry_id": victim, "reason": "Klients bija slimnīcā"}}),
    )
    .await
    .expect(201);
    let (_, board) = get(&app, "/console/months/2026-11", &cookie).await;
    assert!(
        board.contains("laboti pēc slēgšanas") && board.contains("Klients ruta</a>, 2026-10"),
        "{board}"
    );
    // The statements come a page at a time: from the fifth of five, a way back and no further.
    let (status, page) = get(&app, "/console/statements?month=2026-10&offset=4", &cookie).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("5–5 / 5")
            && page.contains("?month=2026-10&amp;offset=0")
            && page.matches("<li>\n    <p class=\"when\">").count() == 1,
        "{page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_entries_and_undelivered_mail_wait_in_the_console_until_someone_decides() {
    // A mail server that is not there, and mail given up at once.
    let app = TestApp::spawn_with(|c| {
        c.smtp_url = Some("smtp://127.0.0.1:9".into());
        c.statement_recipients = vec!["socd@example.lv".into()];
        c.mail_retry_hours = 0;
    })
    .await;
    app.wage_override("2026-10").await;
    let s = scene(&app, 4800, "ruta").await;
    // An October session entered on 24 November, after the month's deadline: late.
    let late: mobile_api::entries::Entry = post(
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
    assert_eq!(late.status.as_str(), "pending_review");
    app.user("koordinatore", "coordinator", json!({})).await;
    let cookie = console_login(&app, "koordinatore").await.unwrap();
    let (status, page) = get(&app, "/console/exceptions", &cookie).await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Novēloti ieraksti pārbaudei")
            && page.contains("Klients ruta")
            && page.contains("20.10.2026 09:00–12:00"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let review = format!("/console/entries/{}/review", late.id);
    let (status, _) = form(
        &app,
        &review,
        &cookie,
        &[
            ("csrf", &csrf),
            ("decision", "approve"),
            ("reason", "Papīra lapa atrasta"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let entry: mobile_api::entries::Entry = app
        .get(&app.admin, &format!("/api/v1/entries/{}", late.id))
        .await
        .json();
    assert_eq!(entry.status.as_str(), "active");
    let (_, page) = get(&app, "/console/exceptions", &cookie).await;
    assert!(page.contains("Nav novēlotu ierakstu"), "{page}");

    // The month closed, its mail cannot be delivered: it waits here to be sent again.
    app.post(
        &app.admin,
        &format!("/api/v1/clients/{}/months/2026-10/approve", s.client),
        json!({"reason": "Apstiprināts pa tālruni"}),
    )
    .await
    .expect(200);
    app.close_month(&app.admin, "2026-10").await;
    app.clock.advance(chrono::Duration::minutes(1));
    asistents::jobs::deliver_outbox(&app.state).await.unwrap();
    let (_, page) = get(&app, "/console/exceptions", &cookie).await;
    assert!(
        page.contains("socd@example.lv") && page.contains("Sūtīt vēlreiz"),
        "{page}"
    );
    let id = page
        .split("/console/outbox/")
        .nth(1)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let (status, _) = form(
        &app,
        &format!("/console/outbox/{id}/resend"),
        &cookie,
        &[("csrf", &csrf_of(&page))],
    )
    .await;
    assert_eq!(status, 303);
    let pending: Vec<mobile_api::statements::OutboxRow> = app
        .get(&app.admin, "/api/v1/outbox?state=pending")
        .await
        .json::<mobile_api::Page<mobile_api::statements::OutboxRow>>()
        .items;
    assert!(
        pending
            .iter()
            .any(|o| o.resend_of.map(|r| r.to_string()) == Some(id.clone()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_given_a_password_chooses_their_own_before_the_console_opens() {
    let app = TestApp::spawn().await;
    app.post(
        &app.admin,
        "/api/v1/users",
        json!({"login": "jauna", "password": "pagaidu-parole-3", "role": "coordinator"}),
    )
    .await
    .expect(201);
    let r = client()
        .post(format!("{}/console/login", app.base))
        .form(&[("login", "jauna"), ("password", "pagaidu-parole-3")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/console/password");
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("asistents_console="))
        .unwrap();
    // Nothing else opens until then.
    let board = client()
        .get(format!("{}/console/months/2026-10", app.base))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(board.headers()["location"], "/console/password");
    let (status, page) = get(&app, "/console/password", &cookie).await;
    assert_eq!(status, 200);
    assert!(page.contains("iestatīja administrators"), "{page}");
    let csrf = csrf_of(&page);
    let change = |new: &'static str| {
        vec![
            ("csrf", csrf.clone()),
            ("current", "pagaidu-parole-3".to_owned()),
            ("new", new.to_owned()),
            ("repeat", new.to_owned()),
        ]
    };
    let fields = change("manas-pasas-parole-1");
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = client()
        .post(format!("{}/console/password", app.base))
        .header("cookie", &cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/console/login?done=password");
    let r = client()
        .post(format!("{}/console/login", app.base))
        .form(&[("login", "jauna"), ("password", "manas-pasas-parole-1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/console/");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_form_enrols_a_client_with_decision_assistant_and_login_or_nothing_at_all() {
    let app = TestApp::spawn().await;
    let assistant = app.assistant("Asistents Jānis").await;
    app.user("koordinatore", "coordinator", json!({})).await;
    let cookie = console_login(&app, "koordinatore").await.unwrap();
    let (status, page) = get(&app, "/console/clients/new", &cookie).await;
    assert_eq!(status, 200);
    let csrf = csrf_of(&page);
    let assistant_id = assistant.id.to_string();
    let mut fields = vec![
        ("csrf", csrf.as_str()),
        ("name", "Zane Testa"),
        ("birth_date", "1980-05-05"),
        ("disability_group", "1"),
        ("locale", "ru"),
        ("number", "SD/2026/77"),
        ("decided_on", "2026-09-20"),
        ("service", "assistant"),
        ("valid_from", "2026-10-01"),
        ("valid_to", "2027-09-30"),
        ("monthly_hours", "40,5"),
        ("assistant_id", assistant_id.as_str()),
        ("login_role", "client"),
        // The last part is wrong: a login name of two letters.
        ("login", "zt"),
        ("password", "Pagaidu-parole-1"),
    ];
    let (status, page) = form(&app, "/console/clients/new", &cookie, &fields).await;
    assert_eq!(status, 422, "{page}");
    // The form comes back with what was typed, the field named as its label says.
    assert!(
        page.contains("value=\"Zane Testa\"")
            && page.contains("value=\"SD&#x2f;2026&#x2f;77\"")
            && page.contains("value=\"40,5\"")
            && page.contains("Lietotājvārds"),
        "{page}"
    );
    // Nothing of it was saved: no client, so no decision or assignment either.
    let none: serde_json::Value = app.get(&app.admin, "/api/v1/clients?q=Zane").await.json();
    assert_eq!(none["total"], 0, "{none}");

    fields.retain(|(k, _)| *k != "login");
    fields.push(("login", "zane.testa"));
    let r = client()
        .post(format!("{}/console/clients/new", app.base))
        .header("cookie", &cookie)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 303);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    let id = to
        .trim_start_matches("/console/clients/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    let made: serde_json::Value = app
        .get(&app.admin, &format!("/api/v1/clients/{id}"))
        .await
        .json();
    assert_eq!(made["name"], "Zane Testa");
    assert_eq!(made["locale"], "ru");
    let decisions: serde_json::Value = app
        .get(&app.admin, &format!("/api/v1/clients/{id}/decisions"))
        .await
        .json();
    assert_eq!(decisions[0]["number"], "SD/2026/77");
    assert_eq!(decisions[0]["monthly_minutes"], 2430);
    let assignments: serde_json::Value = app
        .get(&app.admin, &format!("/api/v1/assignments?client_id={id}"))
        .await
        .json();
    assert_eq!(assignments["items"][0]["assistant_id"], assistant_id);
    assert_eq!(assignments["items"][0]["valid_from"], "2026-10-01");
    // The login is the client's, with a password only good for choosing their own.
    let login = app
        .try_login("zane.testa", "Pagaidu-parole-1", "t")
        .await
        .json::<serde_json::Value>();
    assert_eq!(login["password_change_required"], true, "{login}");
    let (_, card) = get(&app, &to, &cookie).await;
    assert!(
        card.contains("SD&#x2f;2026&#x2f;77")
            && card.contains("zane.testa")
            && card.contains("Asistents Jānis"),
        "{card}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dispute_is_resolved_in_the_console_as_corrected_or_rejected_with_a_reason() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    let mut ids = Vec::new();
    for day in ["2026-10-20", "2026-10-21"] {
        let e: mobile_api::entries::Entry = post(
            &app,
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
        ids.push(e.id);
    }
    app.post(
        &s.token,
        &format!("/api/v1/clients/{}/months/2026-10/submit", s.client),
        json!({}),
    )
    .await
    .expect(200);
    let (_, klients) = app
        .user("klients", "client", json!({"client_id": s.client}))
        .await;
    app.post(
        &klients,
        &format!("/api/v1/clients/{}/months/2026-10/dispute", s.client),
        json!({"entries": [
            {"id": ids[0], "reason": "Asistents nebija ieradies"},
            {"id": ids[1], "reason": "Beidzām stundu agrāk"},
        ]}),
    )
    .await
    .expect(200);
    app.user("koordinatore", "coordinator", json!({})).await;
    app.user("gramatvede", "accountant", json!({})).await;
    let cookie = console_login(&app, "koordinatore").await.unwrap();
    let (_, page) = get(&app, "/console/exceptions", &cookie).await;
    assert!(
        page.contains("Asistents nebija ieradies") && page.contains("Beidzām stundu agrāk"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    let first = format!(
        "/console/clients/{}/months/2026-10/disputes/{}",
        s.client, ids[0]
    );
    // Without a reason, or without how, nothing is resolved.
    let (status, page) = form(
        &app,
        &first,
        &cookie,
        &[("csrf", &csrf), ("resolution", "rejected"), ("reason", " ")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Iemesls"), "{page}");
    let (status, _) = form(
        &app,
        &first,
        &cookie,
        &[("csrf", &csrf), ("resolution", "maybe"), ("reason", "x")],
    )
    .await;
    assert_eq!(status, 422);
    // An accountant may not resolve.
    let acc = console_login(&app, "gramatvede").await.unwrap();
    let (_, acc_page) = get(&app, "/console/statements", &acc).await;
    let (status, _) = form(
        &app,
        &first,
        &acc,
        &[
            ("csrf", &csrf_of(&acc_page)),
            ("resolution", "rejected"),
            ("reason", "x"),
        ],
    )
    .await;
    assert_eq!(status, 403);
    // Rejected from the queue; corrected from the month sheet.
    let (status, _) = form(
        &app,
        &first,
        &cookie,
        &[
            ("csrf", &csrf),
            ("resolution", "rejected"),
            ("reason", "Klienta kalendārā vizīte ir"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let second = format!(
        "/console/clients/{}/months/2026-10/disputes/{}",
        s.client, ids[1]
    );
    let (status, _) = form(
        &app,
        &second,
        &cookie,
        &[
            ("csrf", &csrf),
            ("resolution", "corrected"),
            ("reason", "Asistents saīsināja ierakstu"),
            ("back", "sheet"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    // Once resolved, a dispute is not resolved again.
    let (status, _) = form(
        &app,
        &first,
        &cookie,
        &[
            ("csrf", &csrf),
            ("resolution", "corrected"),
            ("reason", "x"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    let m = sheet(&app, s.client, "2026-10").await;
    // In the order of the sessions (both were raised at one instant).
    let mut disputes = m.disputes.clone();
    disputes.sort_by_key(|d| ids.iter().position(|i| *i == d.entry_id));
    let how: Vec<_> = disputes
        .iter()
        .map(|d| d.resolution.clone().unwrap_or_default())
        .collect();
    assert_eq!(
        how,
        [
            "rejected: Klienta kalendārā vizīte ir",
            "corrected: Asistents saīsināja ierakstu"
        ]
    );
    let (_, page) = get(&app, "/console/exceptions", &cookie).await;
    assert!(page.contains("Nav neizlemtu iebildumu"), "{page}");
    let (_, log) = get(&app, "/console/audit", &cookie).await;
    assert!(log.contains("dispute_resolved"), "{log}");
    assert!(!log.contains("Ieraksti par šo klientu"), "{log}");
    // One client's log says how many records it holds: here all of them are on the page.
    let (_, theirs) = get(
        &app,
        &format!("/console/audit?client={}", s.client),
        &cookie,
    )
    .await;
    let rows = theirs.matches("<th scope=\"row\">").count();
    assert!(rows > 2, "{theirs}");
    assert!(
        theirs.contains(&format!("Ieraksti par šo klientu: {rows}.")),
        "{rows} {theirs}"
    );
    let (_, checked) = get(&app, "/console/audit?check=1", &cookie).await;
    assert!(checked.contains("Ķēde ir vesela"), "{checked}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_assistant_card_records_an_insurance_status_from_a_day() {
    let app = TestApp::spawn().await;
    app.clock.set("2026-11-02T10:00:00Z".parse().unwrap());
    let s = scene(&app, 4800, "ruta").await;
    app.user("koordinatore", "coordinator", json!({})).await;
    let cookie = console_login(&app, "koordinatore").await.unwrap();
    let card = format!("/console/assistants/{}", s.assistant);
    let (status, page) = get(&app, &card, &cookie).await;
    assert_eq!(status, 200);
    assert!(page.contains("Mainīt apdrošināšanas statusu"), "{page}");
    let csrf = csrf_of(&page);
    let action = format!("{card}/insurance");
    // A day that is not a date is refused in words, and nothing changes.
    let (status, refused) = form(
        &app,
        &action,
        &cookie,
        &[
            ("csrf", &csrf),
            ("status", "old_age_pensioner"),
            ("from", "21.10"),
        ],
    )
    .await;
    assert_eq!(status, 422, "{refused}");
    let (status, _) = form(
        &app,
        &action,
        &cookie,
        &[
            ("csrf", &csrf),
            ("status", "old_age_pensioner"),
            ("from", "2026-10-21"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let (_, page) = get(&app, &format!("{card}?done=insurance"), &cookie).await;
    assert!(
        page.contains("no 21.10.2026: Vecuma pensionārs")
            && page.contains("līdz 20.10.2026: Apdrošināts darbinieks"),
        "the card shows the statuses with their days:\n{page}"
    );
}
