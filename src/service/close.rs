//! Closing a month (SPEC §7): every approved client-month of the month gets its statements
//! (the client's timesheet; for each assistant concerned, the month's pay over all closed
//! client-months; the municipality summary), their files and their mail, and becomes `closed`,
//! in the caller's transaction. The API, the CLI and the scheduled close call it alike.

use chrono::{DateTime, Utc};
use serde_json::json;
use uuid::Uuid;

use std::collections::HashMap;
use std::sync::Arc;

use crate::db::entity::{assistants, clients, month_sheets, outbox, statement_files, statements};
use crate::db::statements::{
    Issued, StatementKey, assistants_with_logins, clients_by_id, close_sheets, decisions_of,
    disputes_of, latest_versions, lines_of, lock_close, representative_emails, sheets_to_close,
    write_issued,
};
use crate::db::{Conn, DbErr};
use crate::domain::decision;
use crate::domain::ledger::Actor;
use crate::domain::statements::{self as docs, Line, SummaryRow, Timesheet};
use crate::domain::time::Month;
use mobile_api::{MonthState, OutboxState};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Clients closed per step: their lines, documents and rows are in memory together, and one
/// step's documents render while the previous step's rows are written.
const CHUNK: usize = 256;

/// What closing needs from the configuration.
pub struct CloseSettings<'a> {
    pub recipients: &'a [String],
    pub municipality: &'a str,
    /// Why an admin closes the month although its rate pays below the minimum wage.
    pub wage_override: Option<&'a str>,
}

/// What a new statement is: its kind, whom it is about, its summary and files.
struct Draft {
    kind: &'static str,
    client: Option<Uuid>,
    assistant: Option<Uuid>,
    summary: serde_json::Value,
    files: Vec<(String, String, Vec<u8>)>,
    recipients: Vec<String>,
    /// A later version that only adds client-months closed since the last one (nothing sent
    /// before changes): an addition, to be paid on top, not a correction that replaces.
    addition: bool,
}

/// The next version of `draft`'s statement (a correction when one was issued before), with an
/// outbox row per distinct recipient.
fn issue(
    latest: &mut HashMap<StatementKey, (i32, Uuid)>,
    month: Month,
    draft: Draft,
    now: DateTime<Utc>,
) -> Issued {
    let key = (draft.kind.to_owned(), draft.client, draft.assistant);
    let (version, supersedes) = latest
        .get(&key)
        .map_or((1, None), |(v, id)| (v + 1, Some(*id)));
    let statement = statements::Model {
        id: Uuid::now_v7(),
        month: month.to_string(),
        kind: draft.kind.into(),
        client_id: draft.client,
        assistant_id: draft.assistant,
        version,
        is_correction: version > 1 && !draft.addition,
        supersedes,
        summary: draft.summary.to_string(),
        created_at: now,
    };
    latest.insert(key, (version, statement.id));
    let files = draft
        .files
        .into_iter()
        .map(|(name, mime, content)| statement_files::Model {
            id: Uuid::now_v7(),
            statement_id: statement.id,
            name: versioned(&name, version, draft.addition),
            mime,
            content,
        })
        .collect();
    let mut sent_to: Vec<&String> = Vec::new();
    let mut outbox = Vec::new();
    for r in &draft.recipients {
        if sent_to.iter().any(|s| s.eq_ignore_ascii_case(r)) {
            continue;
        }
        sent_to.push(r);
        outbox.push(outbox::Model {
            id: Uuid::now_v7(),
            statement_id: statement.id,
            recipient: r.clone(),
            message_id: docs::message_id(statement.id, r, None),
            state: OutboxState::Pending.into(),
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            sent_at: None,
            resend_of: None,
            claimed_by: None,
            digest: false,
            created_at: now,
        });
    }
    Issued {
        statement,
        files,
        outbox,
    }
}

/// A file's name as its version says it: `-originals-v1` for the first, `-labojums-vN` for a
/// correction, `-papildinajums-vN` for an addition, before the extension, so that no two
/// versions share a name and the name alone tells an accountant whether it replaces something
/// already paid or comes on top of it.
fn versioned(name: &str, version: i32, addition: bool) -> String {
    let what = if version <= 1 {
        "originals-v1".to_owned()
    } else if addition {
        format!("papildinajums-v{version}")
    } else {
        format!("labojums-v{version}")
    };
    match name.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}-{what}.{ext}"),
        None => format!("{name}-{what}"),
    }
}

/// Documents being made on the blocking pool, split across the machine's cores, while the
/// caller goes on (to write the previous step's rows).
struct Rendering<R>(Vec<tokio::task::JoinHandle<Result<Vec<R>, String>>>);

fn render<T, R, F>(items: Vec<T>, make: Arc<F>) -> Rendering<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> Result<R, String> + Send + Sync + 'static,
{
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = items.len().div_ceil(cores).max(1);
    let mut items = items.into_iter().peekable();
    let mut parts = Vec::new();
    while items.peek().is_some() {
        let part: Vec<T> = items.by_ref().take(per).collect();
        let make = Arc::clone(&make);
        parts.push(tokio::task::spawn_blocking(move || {
            part.into_iter().map(|t| make(t)).collect()
        }));
    }
    Rendering(parts)
}

impl<R> Rendering<R> {
    /// The documents, in the order their items were given.
    async fn done(self) -> Result<Vec<R>, DbErr> {
        let mut out = Vec::new();
        for part in self.0 {
            let made = part.await.map_err(|e| DbErr::Custom(e.to_string()))?;
            out.extend(made.map_err(DbErr::Custom)?);
        }
        Ok(out)
    }
}

fn confirmation(s: &month_sheets::Model) -> String {
    match (&s.confirmed_at, &s.confirmed_as, &s.approval_reason) {
        (Some(at), Some(how), _) => {
            let who = match how.as_str() {
                "client" => "klients",
                "representative" => "pārstāvis",
                "representative_also_assistant" => "pārstāvis, kas ir arī asistents",
                "client_pin" => "klients ar PIN asistenta ierīcē",
                other => other,
            };
            format!(
                "apstiprināja {who} {}",
                at.with_timezone(&crate::domain::time::TZ)
                    .format("%d.%m.%Y %H:%M")
            )
        }
        (_, _, Some(reason)) => {
            format!("apstiprināja sociālais dienests bez klienta apstiprinājuma: {reason}")
        }
        _ => "apstiprināja sociālais dienests".into(),
    }
}

/// A month's state as the summary says it.
fn state_words(state: MonthState) -> &'static str {
    match state {
        MonthState::Open => "aizpilda asistents",
        MonthState::Submitted => "gaida klienta apstiprinājumu",
        MonthState::Disputed => "klients iebilst",
        MonthState::Confirmed => "klients apstiprinājis, gaida koordinatoru",
        MonthState::Approved => "apstiprināts",
        MonthState::Closed => "slēgts",
    }
}

/// The social insurance status as the statements say it.
fn insurance_words(status: mobile_api::InsuranceStatus) -> &'static str {
    match status {
        mobile_api::InsuranceStatus::Insured => "apdrošināts darbinieks",
        mobile_api::InsuranceStatus::OldAgePensioner => "vecuma pensionārs",
        mobile_api::InsuranceStatus::LongServicePensioner => "izdienas pensionārs",
    }
}

/// A disputed session as the timesheet names it: its day and time (or \"ieraksts dzēsts\").
fn session_when(lines: &[Line], entry: Uuid) -> String {
    match lines.iter().find(|l| l.entry_id == entry) {
        Some(l) => {
            let (from, to) = (
                l.start.with_timezone(&crate::domain::time::TZ),
                l.end.with_timezone(&crate::domain::time::TZ),
            );
            format!(
                "{} {}–{}",
                from.format("%d.%m.%Y"),
                from.format("%H:%M"),
                to.format("%H:%M")
            )
        }
        None => "ieraksts dzēsts".into(),
    }
}

/// A client's timesheet to render, with what its statement needs besides the files.
struct TimesheetJob {
    client: clients::Model,
    timesheet: Timesheet,
    recipients: Vec<String>,
}

/// An assistant's pay statement to render.
struct PayJob {
    assistant: assistants::Model,
    pay: docs::Pay,
    /// The employer contribution rate of the assistant's insurance status.
    bp: i64,
    clients: Vec<(Uuid, String, Option<String>)>,
    recipients: Vec<String>,
}

/// Closes every approved client-month of `month`: statements (client timesheets; for each
/// assistant concerned, the month's pay over all closed client-months; the municipality summary),
/// their CSV files and outbox rows, and the sheets become `closed`. Running it again generates
/// nothing; a later close of the same month makes new versions marked as corrections.
///
/// It reads and writes a step of clients at a time with a handful of queries, and renders the
/// documents on every core while the previous step's rows are written.
pub async fn close_month(
    db: &impl Conn,
    month: Month,
    settings: &CloseSettings<'_>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Vec<statements::Model>, DbErr> {
    lock_close(db).await?;
    let sheets = sheets_to_close(db, month).await?;
    // Approved sheets close now; closed ones whose amendments no statement shows yet are issued again.
    let amended = |s: &month_sheets::Model| {
        s.state == MonthState::Closed && s.reported_version.is_some_and(|v| v < s.version)
    };
    let newly = sheets
        .iter()
        .filter(|s| s.state == MonthState::Approved || amended(s))
        .count();
    if newly == 0 {
        return Ok(Vec::new());
    }
    // No closed month was amended: this close only adds client-months approved since the last
    // one. Its summary and pay statements then hold only those (an addition, paid on top of
    // what was sent); an amendment restates the month (a correction that replaces it).
    let addition = !sheets.iter().any(amended);
    let book = crate::db::policy::book(db).await?;
    let policy = book.at(month.last_day()).map_err(DbErr::Custom)?;
    // Pay periods: the state rate plus the municipality's top-up, where it pays one.
    let pay_rates = book.pay_rates();
    let rates: Vec<(chrono::NaiveDate, i64)> =
        pay_rates.iter().map(|(d, total, _)| (*d, *total)).collect();
    let labels: HashMap<String, String> = policy
        .purposes
        .iter()
        .map(|p| (p.code.clone(), p.labels.lv.clone()))
        .collect();
    let labels = Arc::new(labels);
    let mut latest = latest_versions(db, month).await?;
    // Representatives' addresses by client, read once.
    let rep_emails = representative_emails(db).await?;

    let timesheet_files = {
        let labels = Arc::clone(&labels);
        Arc::new(move |job: TimesheetJob| {
            let label = |code: &str| labels.get(code).cloned().unwrap_or_else(|| code.to_owned());
            let csv = docs::timesheet_csv(&job.timesheet, label);
            let pdf = crate::documents::timesheet_pdf(&job.timesheet, label)?;
            Ok((job, csv, pdf))
        })
    };
    let mut created = Vec::new();
    let mut names_of_clients: HashMap<Uuid, String> = HashMap::new();
    let mut all_lines: Vec<Line> = Vec::new();
    let mut assistants_now: Vec<Uuid> = Vec::new();
    let mut rendering: Option<Rendering<(TimesheetJob, String, Vec<u8>)>> = None;
    for chunk in sheets.chunks(CHUNK) {
        let ids: Vec<Uuid> = chunk.iter().map(|s| s.client_id).collect();
        let clients: HashMap<Uuid, clients::Model> = clients_by_id(db, &ids).await?;
        let listed: Vec<clients::Model> = clients.values().cloned().collect();
        let mut lines = lines_of(db, &listed, month).await?;
        let fresh: Vec<&month_sheets::Model> = chunk
            .iter()
            .filter(|s| {
                (s.state == MonthState::Approved || amended(s))
                    && clients.contains_key(&s.client_id)
            })
            .collect();
        let fresh_ids: Vec<Uuid> = fresh.iter().map(|s| s.client_id).collect();
        let mut decisions = decisions_of(db, &fresh_ids).await?;
        let mut disputes = disputes_of(db, &fresh_ids, month).await?;
        let submitters: Vec<Uuid> = fresh.iter().filter_map(|s| s.submitted_by).collect();
        let submitters = crate::db::statements::user_names(db, &submitters).await?;
        let mut jobs = Vec::with_capacity(fresh.len());
        let mut closing = Vec::with_capacity(fresh.len());
        for sheet in chunk {
            let lines = lines.remove(&sheet.client_id).unwrap_or_default();
            let fresh = sheet.state == MonthState::Approved || amended(sheet);
            if fresh || !addition {
                all_lines.extend(lines.iter().cloned());
            }
            let Some(client) = clients.get(&sheet.client_id) else {
                continue;
            };
            if !fresh {
                continue;
            }
            assistants_now.extend(lines.iter().map(|l| l.assistant_id));
            let (versions, papers): (Vec<_>, Vec<_>) = decisions
                .remove(&client.id)
                .unwrap_or_default()
                .into_iter()
                .unzip();
            let disputes = disputes.remove(&client.id).unwrap_or_default();
            names_of_clients.insert(client.id, client.name.clone());
            // The version in force at the month's end (or the last one that began before it).
            let in_force = versions
                .iter()
                .zip(&papers)
                .filter(|(v, _)| v.effective_from <= month.last_day())
                .max_by_key(|(v, _)| (v.effective_from, v.version));
            let (decision, service) = match in_force {
                Some((v, p)) => (
                    format!("Nr. {}, {}", p.number, p.decided_on.format("%d.%m.%Y")),
                    match v.service {
                        mobile_api::Service::Assistant => "Asistenta pakalpojums",
                        mobile_api::Service::Companion => "Pavadoņa pakalpojums",
                    }
                    .to_owned(),
                ),
                None => (String::new(), String::new()),
            };
            let submitted = match (sheet.submitted_at, sheet.submitted_by) {
                (Some(at), by) => format!(
                    "{}, {}",
                    by.and_then(|u| submitters.get(&u).cloned())
                        .unwrap_or_else(|| "sistēma (termiņš)".into()),
                    at.with_timezone(&crate::domain::time::TZ)
                        .format("%d.%m.%Y %H:%M")
                ),
                (None, _) => String::new(),
            };
            let dispute_texts: Vec<String> = disputes
                .iter()
                .map(|d| {
                    let when = session_when(&lines, d.entry_id);
                    format!(
                        "{when}: {} — {}",
                        d.reason,
                        d.resolution
                            .clone()
                            .unwrap_or_else(|| "nav atrisināts".into())
                    )
                })
                .collect();
            let t = Timesheet {
                municipality: settings.municipality.to_owned(),
                client: client.name.clone(),
                month: month.to_string(),
                decision,
                service,
                submitted,
                issued: crate::domain::time::riga_date(now)
                    .format("%d.%m.%Y")
                    .to_string(),
                allowance_minutes: decision::month_allowance(&versions, month, policy.proration),
                used_minutes: sheet.used_minutes,
                transport_cap_cents: decision::month_transport_cap(&versions, month),
                transport_used_cents: sheet.transport_used_cents,
                confirmation: confirmation(sheet),
                disputes: dispute_texts,
                lines,
            };
            // The service's own addresses get one mail for the whole close (below).
            let mut recipients: Vec<String> = Vec::new();
            recipients.extend(client.email.clone());
            recipients.extend(rep_emails.get(&client.id).into_iter().flatten().cloned());
            closing.push((sheet, versions));
            jobs.push(TimesheetJob {
                client: client.clone(),
                timesheet: t,
                recipients,
            });
        }
        let next = render(jobs, Arc::clone(&timesheet_files));
        if let Some(previous) = rendering.replace(next) {
            let issued = timesheet_statements(previous.done().await?, &mut latest, month, now);
            created.extend(write_issued(db, issued).await?);
        }
        close_sheets(db, month, closing, &book, actor, now).await?;
    }
    if let Some(last) = rendering {
        let issued = timesheet_statements(last.done().await?, &mut latest, month, now);
        created.extend(write_issued(db, issued).await?);
    }

    assistants_now.sort();
    assistants_now.dedup();
    let mut summary_rows: Vec<SummaryRow> = Vec::new();
    let mut bps: Vec<i64> = Vec::new();
    // Each assistant's lines, in one pass (a country has thousands of assistants).
    let mut by_assistant: std::collections::BTreeMap<Uuid, Vec<Line>> = Default::default();
    for l in all_lines {
        by_assistant.entry(l.assistant_id).or_default().push(l);
    }
    let ids: Vec<Uuid> = by_assistant.keys().copied().collect();
    let mut people_of = assistants_with_logins(db, &ids).await?;
    let mut jobs = Vec::new();
    for (aid, lines) in by_assistant {
        let Some((a, login)) = people_of.remove(&aid) else {
            continue;
        };
        let status = *a.insurance_status;
        let bp = policy
            .employer_contribution_bp
            .get(&status)
            .copied()
            .unwrap_or(0);
        let pay = docs::pay(&lines, &rates, bp);
        let mut clients_of: Vec<(Uuid, String, Option<String>)> = lines
            .iter()
            .map(|l| (l.client_id, l.client.clone(), l.client_code.clone()))
            .collect();
        clients_of.sort();
        clients_of.dedup();
        let insurance = insurance_words(status).to_owned();
        bps.push(bp);
        // Trips go to the row of the rate in force on the day their session began.
        let rate_on = |day: chrono::NaiveDate| {
            rates
                .iter()
                .filter(|(from, _)| *from <= day)
                .max_by_key(|(from, _)| *from)
                .map(|(from, _)| *from)
        };
        let mut trips: HashMap<(Uuid, Option<chrono::NaiveDate>), i64> = HashMap::new();
        for l in &lines {
            let day = crate::domain::time::riga_date(l.start);
            *trips.entry((l.client_id, rate_on(day))).or_default() += l.trip_cents;
        }
        let first_row = summary_rows.len();
        for (p, (gross, employer)) in pay.lines.iter().zip(&pay.split) {
            let (client, code) = clients_of
                .iter()
                .find(|(c, _, _)| *c == p.client_id)
                .map(|(_, n, code)| (n.clone(), code.clone().unwrap_or_default()))
                .unwrap_or_default();
            summary_rows.push(SummaryRow {
                assistant_id: aid,
                assistant: a.name.clone(),
                assistant_code: a.personal_code.clone().unwrap_or_default(),
                iban: a.iban.clone().unwrap_or_default(),
                insurance: insurance.clone(),
                client_id: p.client_id,
                client,
                client_code: code,
                rate_from: p.rate_from,
                rate_cents: p.rate_cents,
                minutes: p.minutes,
                amount_cents: p.amount_cents,
                gross_cents: *gross,
                employer_cents: *employer,
                trip_cents: trips
                    .remove(&(p.client_id, Some(p.rate_from)))
                    .unwrap_or_default(),
            });
        }
        // Trips of a session whose minutes fell under another rate's row: on the pair's first row.
        for ((client, _), cents) in trips {
            if let Some(row) = summary_rows[first_row..]
                .iter_mut()
                .find(|r| r.client_id == client)
            {
                row.trip_cents += cents;
            }
        }
        if assistants_now.binary_search(&aid).is_err() {
            continue;
        }
        let mut recipients: Vec<String> = Vec::new();
        if let Some(email) = login.and_then(|u| u.email).or(a.email.clone()) {
            recipients.push(email);
        }
        jobs.push(PayJob {
            assistant: a,
            pay,
            bp,
            clients: clients_of,
            recipients,
        });
    }
    let pay_files = Arc::new(move |job: PayJob| {
        let payee = docs::Payee {
            name: job.assistant.name.clone(),
            personal_code: job.assistant.personal_code.clone(),
            iban: job.assistant.iban.clone(),
            insurance: insurance_words(*job.assistant.insurance_status).to_owned(),
            contribution_bp: job.bp,
        };
        let csv = docs::pay_csv(&payee, &month.to_string(), &job.pay, &job.clients);
        let xlsx = crate::documents::pay_xlsx(&payee, &month.to_string(), &job.pay, &job.clients)
            .map_err(|e| e.to_string())?;
        Ok((job, csv, xlsx))
    });
    let mut rendering: Option<Rendering<(PayJob, String, Vec<u8>)>> = None;
    let mut jobs = jobs.into_iter().peekable();
    while jobs.peek().is_some() || rendering.is_some() {
        let chunk: Vec<PayJob> = jobs.by_ref().take(CHUNK).collect();
        let next = (!chunk.is_empty()).then(|| render(chunk, Arc::clone(&pay_files)));
        let Some(previous) = std::mem::replace(&mut rendering, next) else {
            continue;
        };
        let issued = previous
            .done()
            .await?
            .into_iter()
            .map(|(job, csv, xlsx)| {
                let pay = &job.pay;
                let summary = json!({
                    "title": job.assistant.name, "facts": [
                        format!("Kopā: {} EUR (bruto {} EUR, darba devēja iemaksas {} EUR)", docs::euros(pay.amount_cents), docs::euros(pay.gross_cents), docs::euros(pay.employer_cents)),
                        format!("Stundas: {}", docs::hours(pay.lines.iter().map(|l| l.minutes).sum())),
                        format!("Braucienu kompensācija: {} EUR", docs::euros(pay.trip_cents)),
                    ],
                    "amount_cents": pay.amount_cents, "gross_cents": pay.gross_cents, "employer_cents": pay.employer_cents, "trip_cents": pay.trip_cents,
                });
                let stem = format!(
                    "darba-samaksa-{}-{month}",
                    crate::domain::text::slug(&job.assistant.name)
                );
                let draft = Draft {
                    kind: "assistant_pay",
                    client: None,
                    assistant: Some(job.assistant.id),
                    summary,
                    files: vec![
                        (
                            format!("{stem}.csv"),
                            "text/csv; charset=utf-8".into(),
                            csv.into_bytes(),
                        ),
                        (format!("{stem}.xlsx"), XLSX.into(), xlsx),
                    ],
                    recipients: job.recipients,
                    addition,
                };
                issue(&mut latest, month, draft, now)
            })
            .collect();
        created.extend(write_issued(db, issued).await?);
    }

    let key = ("municipality_summary".to_owned(), None, None);
    let version = latest.get(&key).map_or(1, |(v, _)| v + 1);
    let mut corrections: Vec<String> = sheets
        .iter()
        .filter(|s| amended(s))
        .map(|s| {
            let name = names_of_clients
                .get(&s.client_id)
                .cloned()
                .unwrap_or_else(|| s.client_id.to_string());
            format!("labojumi pēc slēgšanas: {name}")
        })
        .collect();
    if version > 1 && addition {
        corrections.push(format!(
            "{version}. versija — papildinājums: tikai {newly} klientu mēneši, kas slēgti tagad; \
             iepriekš nosūtītās versijas paliek spēkā un šo maksā papildus tām"
        ));
    } else if version > 1 {
        corrections.push(format!(
            "{}. versija: {} klientu mēneši slēgti vai laboti no jauna",
            version, newly
        ));
    }
    // The client-months still coming in are not closed now; the summary names them.
    let pending = crate::db::statements::pending_sheets(db, month).await?;
    let waiting: Vec<String> = pending
        .iter()
        .map(|(_, name, state, flagged)| match flagged {
            true => format!("{name} ({}, atzīmēti ieraksti)", state_words(*state)),
            false => format!("{name} ({})", state_words(*state)),
        })
        .collect();
    let csv = docs::summary_csv(
        &month.to_string(),
        settings.municipality,
        &summary_rows,
        &bps,
        (&corrections, &waiting),
    );
    let minutes: i64 = summary_rows.iter().map(|r| r.minutes).sum();
    let amount: i64 = summary_rows.iter().map(|r| r.amount_cents).sum();
    let mut facts = vec![
        format!(
            "Stundas: {}, summa: {} EUR",
            docs::hours(minutes),
            docs::euros(amount)
        ),
        format!(
            "Rindas (asistents × klients × likmes periods): {}",
            summary_rows.len()
        ),
        format!(
            "Vēl nav apstiprināti (netiek slēgti tagad): {}",
            pending.len()
        ),
    ];
    if let Some(why) = settings.wage_override {
        facts.push(format!(
            "Stundas likme zem minimālās stundas algas; administratora pamatojums: {why}"
        ));
    }
    let summary = json!({
        "title": settings.municipality, "facts": facts,
        "minutes": minutes, "amount_cents": amount,
    });
    let xlsx = crate::documents::summary_xlsx(
        &month.to_string(),
        settings.municipality,
        &summary_rows,
        &bps,
    )
    .map_err(|e| DbErr::Custom(e.to_string()))?;
    // The claim to the ministry, per service kind: each client's service as their decision in
    // force at the month's end has it (or the last one that began before).
    let mut ids: Vec<Uuid> = summary_rows.iter().map(|r| r.client_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let services: HashMap<Uuid, mobile_api::Service> = decisions_of(db, &ids)
        .await?
        .into_iter()
        .filter_map(|(client, versions)| {
            versions
                .iter()
                .filter(|(v, _)| v.effective_from <= month.last_day())
                .max_by_key(|(v, _)| (v.effective_from, v.version))
                .map(|(v, _)| (client, v.service))
        })
        .collect();
    let claim_rows: Vec<(mobile_api::Service, SummaryRow)> = summary_rows
        .iter()
        .map(|r| {
            let service = services
                .get(&r.client_id)
                .copied()
                .unwrap_or(mobile_api::Service::Assistant);
            (service, r.clone())
        })
        .collect();
    let state_rate = |from: chrono::NaiveDate| {
        pay_rates
            .iter()
            .find(|(d, _, _)| *d == from)
            .map(|(_, _, state)| *state)
            .unwrap_or(0)
    };
    let claim = docs::claim_csv(
        &month.to_string(),
        settings.municipality,
        &claim_rows,
        state_rate,
        (
            policy.admin_overhead_max_percent,
            policy.admin_overhead_max_cents_per_hour,
        ),
    );
    let draft = Draft {
        kind: "municipality_summary",
        client: None,
        assistant: None,
        summary,
        files: vec![
            (
                format!("kopsavilkums-{month}.csv"),
                "text/csv; charset=utf-8".into(),
                csv.into_bytes(),
            ),
            (format!("kopsavilkums-{month}.xlsx"), XLSX.into(), xlsx),
            (
                format!("valsts-pieprasijums-{month}.csv"),
                "text/csv; charset=utf-8".into(),
                claim.into_bytes(),
            ),
        ],
        recipients: settings.recipients.to_vec(),
        addition,
    };
    // The service's addresses (the accountants') get one mail for the whole close: the summary,
    // with the files of every statement issued in it.
    let mut issued = issue(&mut latest, month, draft, now);
    for row in &mut issued.outbox {
        row.digest = true;
    }
    created.extend(write_issued(db, vec![issued]).await?);
    Ok(created)
}

/// The timesheets' statements, from their rendered files.
fn timesheet_statements(
    rendered: Vec<(TimesheetJob, String, Vec<u8>)>,
    latest: &mut HashMap<StatementKey, (i32, Uuid)>,
    month: Month,
    now: DateTime<Utc>,
) -> Vec<Issued> {
    rendered
        .into_iter()
        .map(|(job, csv, pdf)| {
            let t = &job.timesheet;
            let summary = json!({
                "title": job.client.name, "facts": [
                    format!("Piešķirts: {} h, izmantots: {} h", docs::hours(t.allowance_minutes), docs::hours(t.used_minutes)),
                    format!("Pakalpojuma reizes: {}", t.lines.len()),
                    format!("Apstiprinājums: {}", t.confirmation),
                ],
                "allowance_minutes": t.allowance_minutes, "used_minutes": t.used_minutes,
                "transport_used_cents": t.transport_used_cents,
            });
            let name = format!(
                "uzskaites-lapa-{}-{month}.csv",
                crate::domain::text::slug(&job.client.name)
            );
            let draft = Draft {
                kind: "client_timesheet",
                client: Some(job.client.id),
                assistant: None,
                summary,
                files: vec![
                    (
                        name.clone(),
                        "text/csv; charset=utf-8".into(),
                        csv.into_bytes(),
                    ),
                    (name.replace(".csv", ".pdf"), "application/pdf".into(), pdf),
                ],
                recipients: job.recipients,
                addition: false,
            };
            issue(latest, month, draft, now)
        })
        .collect()
}
