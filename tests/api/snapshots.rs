//! Snapshots of what people receive: the statement e-mail and the CSV files, from fixed inputs.
//! A change shows in review as a diff of `tests/api/snapshots/`.

use asistents::domain::statements::{self as docs, Line, SummaryRow, Timesheet};
use chrono::{DateTime, Utc};
use uuid::Uuid;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn lines() -> Vec<Line> {
    let (ruta, anna) = (Uuid::from_u128(1), Uuid::from_u128(9));
    let line = |start, end, minutes, purpose: &str, trips: Vec<String>, cents| Line {
        entry_id: Uuid::from_u128(100 + minutes as u128),
        assistant_id: ruta,
        assistant: "Ruta Bērziņa".into(),
        client_id: anna,
        client: "Anna Liepa".into(),
        client_code: Some("010190-10006".into()),
        purpose: purpose.into(),
        start: t(start),
        end: t(end),
        minutes,
        trips,
        trip_cents: cents,
    };
    vec![
        line(
            "2023-03-02T09:00:00+02:00",
            "2023-03-02T12:30:00+02:00",
            210,
            "work",
            vec![],
            0,
        ),
        line(
            "2023-03-07T14:00:00+02:00",
            "2023-03-07T17:00:00+02:00",
            180,
            "day_centre",
            vec!["Mājas → Dienas centrs (12,4 km)".into()],
            350,
        ),
        line(
            "2023-03-31T21:00:00+03:00",
            "2023-04-01T00:00:00+03:00",
            180,
            "other",
            vec![],
            0,
        ),
    ]
}

fn label(code: &str) -> String {
    match code {
        "work" => "Algots darbs".into(),
        "day_centre" => "Dienas aprūpes centrs vai darbnīca".into(),
        other => format!("Citas aktivitātes ({other})"),
    }
}

#[test]
fn the_client_timesheet_csv() {
    let sheet = Timesheet {
        municipality: "Daugavpils pilsētas Sociālais dienests".into(),
        client: "Anna Liepa".into(),
        month: "2023-03".into(),
        decision: "Nr. SD/2022/114, 15.12.2022".into(),
        service: "Asistenta pakalpojums".into(),
        submitted: "Ruta Bērziņa, 01.04.2023 18:02".into(),
        issued: "05.04.2023".into(),
        allowance_minutes: 2400,
        used_minutes: 570,
        transport_cap_cents: 2000,
        transport_used_cents: 350,
        confirmation: "apstiprināja klients 03.04.2023 10:15".into(),
        disputes: vec![],
        lines: lines(),
    };
    insta::assert_snapshot!(docs::timesheet_csv(&sheet, label));
}

#[test]
fn the_pay_and_summary_csvs() {
    let rates = [
        ("2023-01-01".parse().unwrap(), 479),
        ("2023-04-01".parse().unwrap(), 511),
    ];
    let pay = docs::pay(&lines(), &rates, 2359);
    let payee = docs::Payee {
        name: "Ruta Bērziņa".into(),
        personal_code: Some("120377-12002".into()),
        iban: Some("LV80BANK0000435195001".into()),
        insurance: "apdrošināts darbinieks".into(),
        contribution_bp: 2359,
        changes: Vec::new(),
    };
    let anna = (
        Uuid::from_u128(9),
        "Anna Liepa".to_owned(),
        Some("010190-10006".to_owned()),
    );
    insta::assert_snapshot!(
        "pay_csv",
        docs::pay_csv(&payee, "2023-03", (&pay, &[]), std::slice::from_ref(&anna))
    );
    let row = |assistant: u128, name: &str, rate_from: &str, rate, minutes, amount, trips| {
        let (gross, employer) = asistents::domain::pay::split_gross(amount, 2359);
        SummaryRow {
            month: "2023-03".into(),
            assistant_id: Uuid::from_u128(assistant),
            assistant: name.into(),
            assistant_code: format!("1203{assistant:02}-12002"),
            iban: "LV80BANK0000435195001".into(),
            insurance: "apdrošināts darbinieks".into(),
            client_id: anna.0,
            client: anna.1.clone(),
            client_code: "010190-10006".into(),
            rate_from: rate_from.parse().unwrap(),
            rate_cents: rate,
            minutes,
            amount_cents: amount,
            gross_cents: gross,
            employer_cents: employer,
            trip_cents: trips,
        }
    };
    // Two assistants of one name stay two people; a month across a rate change has two periods.
    let rows = vec![
        row(1, "Ruta Bērziņa", "2023-01-01", 479, 390, 3114, 350),
        row(2, "Ruta Bērziņa", "2023-01-01", 479, 360, 2874, 0),
        row(1, "Ruta Bērziņa", "2023-04-01", 511, 180, 1533, 0),
    ];
    let (clients, assistants) = docs::head_count(&rows);
    assert_eq!((clients, assistants), (1, 2));
    insta::assert_snapshot!(
        "summary_csv",
        docs::summary_csv(
            "2023-03",
            "Daugavpils pilsētas Sociālais dienests",
            (&rows, &[]),
            &[2359],
            (
                &["2. versija: papildus slēgti 1 klientu mēneši".into()],
                &["Igors Petrovs (gaida klienta apstiprinājumu)".into()]
            )
        )
    );
    // A close that carries corrections of February: a session voided (taken back) and one added
    // under the later rate, as differences with their signs, and what to pay in all.
    let sent = vec![
        docs::Reported {
            month: "2023-02".into(),
            ..rows[0].reported()
        },
        docs::Reported {
            month: "2023-02".into(),
            ..rows[2].reported()
        },
    ];
    let standing = vec![
        docs::Reported {
            month: "2023-02".into(),
            minutes: 300,
            amount_cents: 2395,
            trip_cents: 0,
            ..rows[0].reported()
        },
        docs::Reported {
            month: "2023-02".into(),
            minutes: 240,
            amount_cents: 2044,
            ..rows[2].reported()
        },
    ];
    let deltas = docs::difference(&standing, &sent);
    assert_eq!(
        deltas
            .iter()
            .map(|d| (d.minutes, d.amount_cents, d.trip_cents))
            .collect::<Vec<_>>(),
        [(-90, -719, -350), (60, 511, 0)]
    );
    let fixes = docs::correction_rows(&deltas, &payee, |_| {
        (anna.1.clone(), "010190-10006".to_owned())
    });
    assert_eq!(
        fixes
            .iter()
            .map(|f| f.gross_cents + f.employer_cents)
            .sum::<i64>(),
        -208,
        "the parts add up to the difference"
    );
    insta::assert_snapshot!(
        "pay_csv_with_corrections",
        docs::pay_csv(
            &payee,
            "2023-03",
            (&pay, &fixes),
            std::slice::from_ref(&anna)
        )
    );
    insta::assert_snapshot!(
        "summary_csv_with_corrections",
        docs::summary_csv(
            "2023-03",
            "Daugavpils pilsētas Sociālais dienests",
            (&rows, &fixes),
            &[2359],
            (&["labojumi pēc slēgšanas: Anna Liepa, 2023-02".into()], &[])
        )
    );
}

#[test]
fn the_statement_email() {
    let mail = asistents::mail::StatementMail {
        message_id: "<statement.fixed@asistents>",
        from: "asistents <noreply@asistents.invalid>",
        to: "gramatvediba@example.lv",
        kind_label: "Asistenta darba samaksas aprēķins",
        subject_of: "Ruta Bērziņa",
        month: "2023-03",
        version: 2,
        is_correction: true,
        replaces: false,
        carries: false,
        facts: vec![
            "Kopā: 45,51 EUR (bruto 36,82 EUR, darba devēja iemaksas 8,69 EUR)".into(),
            "Stundas: 9,50".into(),
        ],
        municipality: "Daugavpils pilsētas Sociālais dienests",
        address: "Alejas iela 68, Daugavpils, LV-5401",
        files: vec![(
            "darba-samaksa-ruta-berzina-2023-03.csv".into(),
            "text/csv".into(),
            b"x".to_vec(),
        )],
    };
    let (subject, text, html) = asistents::mail::render(&mail).unwrap();
    insta::assert_snapshot!("email_subject", subject);
    insta::assert_snapshot!("email_text", text);
    insta::assert_snapshot!("email_html", html);
}
