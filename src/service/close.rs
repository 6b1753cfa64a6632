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
    Issued, StatementKey, amended_sheets, assistants_with_logins, clients_by_id, close_sheets,
    decisions_of, disputes_of, latest_versions, lines_of, lock_close, representative_emails,
    sheets_to_close, write_issued,
};
use crate::db::{Conn, DbErr};
use crate::domain::decision;
use crate::domain::ledger::Actor;
use crate::domain::statements::{self as docs, Line, SummaryRow, Timesheet, Worked};
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
    /// What a later version is to what was sent before.
    change: Change,
}

/// What a statement's later version is to the ones sent before.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Only client-months closed since the last one: paid on top, nothing sent changes.
    Addition,
    /// It corrects what was sent: a timesheet anew, or a pay statement or summary carrying the
    /// differences against what was sent (paid on top; negative amounts are withheld).
    Correction,
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
        is_correction: version > 1 && draft.change == Change::Correction,
        supersedes,
        summary: draft.summary.to_string(),
        created_at: now,
        close_job: None,
    };
    latest.insert(key, (version, statement.id));
    let files = draft
        .files
        .into_iter()
        .map(|(name, mime, content)| statement_files::Model {
            id: Uuid::now_v7(),
            statement_id: statement.id,
            name: versioned(&name, version, draft.change),
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
fn versioned(name: &str, version: i32, change: Change) -> String {
    let what = match change {
        _ if version <= 1 => "originals-v1".to_owned(),
        Change::Addition => format!("papildinajums-v{version}"),
        Change::Correction => format!("labojums-v{version}"),
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
    /// A closed month issued again because it changed since it was sent.
    change: Change,
}

/// An assistant's pay statement to render: the month's pay and the corrections it carries.
struct PayJob {
    assistant: assistants::Model,
    payee: docs::Payee,
    pay: docs::Pay,
    corrections: Vec<SummaryRow>,
    clients: Vec<(Uuid, String, Option<String>)>,
    recipients: Vec<String>,
}

/// What issuing the timesheets of one month needs from the close.
struct Context<'a> {
    settings: &'a CloseSettings<'a>,
    book: &'a crate::domain::policy::PolicyBook,
    labels: Arc<HashMap<String, String>>,
    rep_emails: &'a HashMap<Uuid, Vec<String>>,
    actor: Actor,
    now: DateTime<Utc>,
}

/// Closes `month`: every approved client-month of it gets its timesheet and becomes `closed`;
/// every closed client-month of it or of an earlier month that changed since its statements were
/// sent (an amendment, a rate recorded later) gets its timesheet anew, and its differences against
/// what was sent are carried as corrections. For each assistant concerned a pay statement of
/// `month` holds the month's pay over the client-months closed now and the corrections; the
/// municipality summary holds both, with what to pay in all. Running it again generates nothing.
///
/// A later close of the same month is an addition (only client-months closed since) or, when it
/// carries corrections, a correction: either way it is paid on top of what was sent, never
/// instead of it. What each close reported is recorded line by line, so that the next
/// correction is the difference against exactly what was sent.
///
/// It reads and writes a step of clients at a time with a handful of queries, and renders the
/// documents on every core while the previous step's rows are written. Returns the ids of the
/// statements it made.
pub async fn close_month(
    db: &impl Conn,
    month: Month,
    settings: &CloseSettings<'_>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    lock_close(db).await?;
    let fresh = sheets_to_close(db, month).await?;
    let amended = amended_sheets(db, month).await?;
    if fresh.is_empty() && amended.is_empty() {
        return Ok(Vec::new());
    }
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
    // Representatives' addresses by client, read once.
    let rep_emails = representative_emails(db).await?;
    let ctx = Context {
        settings,
        book: &book,
        labels: Arc::new(labels),
        rep_emails: &rep_emails,
        actor,
        now,
    };

    // The client-months issued now, by month: this month's approved ones first, then each
    // changed closed one with its month.
    let mut by_month: std::collections::BTreeMap<Month, Vec<month_sheets::Model>> =
        Default::default();
    let closing_now = fresh.len();
    if !fresh.is_empty() {
        by_month.insert(month, fresh);
    }
    for sheet in &amended {
        let of = Month::parse(&sheet.month)
            .ok_or_else(|| DbErr::Custom(format!("a stored month reads {}", sheet.month)))?;
        by_month.entry(of).or_default().push(sheet.clone());
    }
    let mut created = Vec::new();
    // Each assistant's sessions of this month in the client-months closed now (and, further
    // down, the corrections carried to them); the sessions as they stand of every changed
    // client-month; every client's name and personal code, as payroll knows them.
    let mut by_assistant: std::collections::BTreeMap<Uuid, (Vec<Worked>, Vec<docs::Reported>)> =
        Default::default();
    let mut changed: Vec<(Month, Uuid, Vec<Worked>)> = Vec::new();
    let mut names: HashMap<Uuid, (String, Option<String>)> = HashMap::new();
    // Changed client-months closed before their lines were recorded: what was sent is not known
    // line by line, so no difference is carried for them (that could pay a month twice); the
    // summary names them with their figures as they stand, for the accountant to settle.
    let mut unrecorded: Vec<(Month, Uuid, Vec<Worked>)> = Vec::new();
    // The sheets' audit records, appended last (see `close_sheets`).
    let mut audit = Vec::new();
    for (of, sheets) in by_month {
        let mut lines = timesheets(
            db,
            of,
            &sheets,
            &ctx,
            (&mut created, &mut names, &mut audit),
        )
        .await?;
        for sheet in &sheets {
            let Some(lines) = lines.remove(&sheet.client_id) else {
                continue;
            };
            if sheet.state == MonthState::Approved {
                for w in lines {
                    by_assistant.entry(w.assistant_id).or_default().0.push(w);
                }
            } else if sheet.lines_reported {
                changed.push((of, sheet.client_id, lines));
            } else {
                unrecorded.push((of, sheet.client_id, lines));
            }
        }
    }

    // The corrections: each changed client-month as it stands, line by line, minus what was sent.
    let pairs: Vec<(Month, Uuid)> = changed.iter().map(|(m, c, _)| (*m, *c)).collect();
    let sent = crate::db::statements::reported_of(db, &pairs).await?;
    // Insurance status changes, for the few assistants who have them: a change within a month
    // splits its lines at the day.
    let mut everyone: Vec<Uuid> = by_assistant
        .keys()
        .copied()
        .chain(
            changed
                .iter()
                .flat_map(|(_, _, l)| l)
                .map(|l| l.assistant_id),
        )
        .collect();
    everyone.sort_unstable();
    everyone.dedup();
    let periods = crate::db::people::insurance_periods(db, &everyone).await?;
    let changes_in =
        |aid: Uuid, of: Month| -> Vec<(chrono::NaiveDate, mobile_api::InsuranceStatus)> {
            periods
                .get(&aid)
                .into_iter()
                .flatten()
                .filter(|(d, _)| *d > of.first_day() && *d <= of.last_day())
                .copied()
                .collect()
        };
    let client_of = |id: Uuid| {
        names
            .get(&id)
            .map(|(name, code)| (name.clone(), code.clone().unwrap_or_default()))
            .unwrap_or_default()
    };
    let mut standing = Vec::new();
    let mut recorded_now = Vec::new();
    for (of, client, lines) in changed.iter().chain(&unrecorded) {
        let known = changed.iter().any(|(m, c, _)| m == of && c == client);
        let mut per_assistant: std::collections::BTreeMap<Uuid, Vec<Worked>> = Default::default();
        for l in lines {
            per_assistant.entry(l.assistant_id).or_default().push(*l);
        }
        for (aid, lines) in per_assistant {
            // Only the amounts count here; the lines split where the statements split them.
            let mut split = vec![(chrono::NaiveDate::MIN, 0)];
            split.extend(changes_in(aid, *of).into_iter().map(|(d, _)| (d, 0)));
            let pay = docs::pay_by_periods(&lines, &rates, &split);
            let own_rates = docs::rates_with_contributions(&rates, &split);
            let rows = docs::summary_rows(
                &of.to_string(),
                aid,
                &docs::Payee::default(),
                &pay,
                &lines,
                &own_rates,
                client_of,
            );
            let out = if known {
                &mut standing
            } else {
                &mut recorded_now
            };
            out.extend(rows.iter().map(SummaryRow::reported));
        }
    }
    let deltas = docs::difference(&standing, &sent);
    // Client-months marked changed whose timesheets and pay came out as sent (a rate recorded
    // for days without sessions): they are reported again as they are, and nothing is issued.
    if closing_now == 0 && deltas.is_empty() && created.is_empty() && unrecorded.is_empty() {
        crate::db::audit::append_all(db, now, audit).await?;
        return Ok(created);
    }

    // The corrections, to each assistant's sessions of this month, in one pass (a country has
    // thousands of assistants).
    for d in &deltas {
        by_assistant
            .entry(d.assistant_id)
            .or_default()
            .1
            .push(d.clone());
    }
    let ids: Vec<Uuid> = by_assistant.keys().copied().collect();
    let mut people_of = assistants_with_logins(db, &ids).await?;
    let bp_of = |status: mobile_api::InsuranceStatus| {
        policy
            .employer_contribution_bp
            .get(&status)
            .copied()
            .unwrap_or(0)
    };
    let mut summary_rows: Vec<SummaryRow> = Vec::new();
    let mut carried: Vec<SummaryRow> = Vec::new();
    let mut bps: Vec<i64> = Vec::new();
    let mut jobs = Vec::new();
    for (aid, (lines, deltas)) in by_assistant {
        let Some((a, login)) = people_of.remove(&aid) else {
            continue;
        };
        // The status on the month's first day, and its changes within the month.
        let own = periods.get(&aid);
        let status = own
            .and_then(|p| p.iter().rfind(|(d, _)| *d <= month.first_day()))
            .or(own.and_then(|p| p.first()))
            .map_or(*a.insurance_status, |(_, s)| *s);
        let changes: Vec<(chrono::NaiveDate, String, i64)> = changes_in(aid, month)
            .into_iter()
            .map(|(d, s)| (d, insurance_words(s).to_owned(), bp_of(s)))
            .collect();
        let bp = bp_of(status);
        bps.push(bp);
        bps.extend(changes.iter().map(|(_, _, bp)| *bp));
        let payee = docs::Payee {
            name: a.name.clone(),
            personal_code: a.personal_code.clone(),
            iban: a.iban.clone(),
            insurance: insurance_words(status).to_owned(),
            contribution_bp: bp,
            changes,
        };
        let pay = docs::pay_by_periods(&lines, &rates, &payee.contributions());
        let own_rates = docs::rates_with_contributions(&rates, &payee.contributions());
        summary_rows.extend(docs::summary_rows(
            &month.to_string(),
            aid,
            &payee,
            &pay,
            &lines,
            &own_rates,
            client_of,
        ));
        let corrections = docs::correction_rows(&deltas, &payee, client_of);
        carried.extend(corrections.iter().cloned());
        let mut ids: Vec<Uuid> = lines.iter().map(|l| l.client_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let clients_of: Vec<(Uuid, String, Option<String>)> = ids
            .into_iter()
            .map(|id| {
                let (name, code) = names.get(&id).cloned().unwrap_or_default();
                (id, name, code)
            })
            .collect();
        let mut recipients: Vec<String> = Vec::new();
        if let Some(email) = login.and_then(|u| u.email).or(a.email.clone()) {
            recipients.push(email);
        }
        jobs.push(PayJob {
            assistant: a,
            payee,
            pay,
            corrections,
            clients: clients_of,
            recipients,
        });
    }
    let mut latest = latest_versions(db, month).await?;
    created.extend(pay_statements(db, jobs, &mut latest, month, now).await?);

    let key = ("municipality_summary".to_owned(), None, None);
    let version = latest.get(&key).map_or(1, |(v, _)| v + 1);
    // The client-months whose pay changed (one marked changed by a rate of other days has none).
    let mut notes: Vec<String> = changed
        .iter()
        .filter(|(of, client, _)| {
            carried
                .iter()
                .any(|r| r.client_id == *client && r.month == of.to_string())
        })
        .map(|(of, client, _)| {
            let (name, _) = client_of(*client);
            format!("labojumi pēc slēgšanas: {name}, {of}")
        })
        .collect();
    for (of, client, _) in &unrecorded {
        let (name, _) = client_of(*client);
        let (minutes, cents) = recorded_now
            .iter()
            .filter(|r| r.client_id == *client && r.month == of.to_string())
            .fold((0, 0), |(m, c), r| (m + r.minutes, c + r.amount_cents));
        notes.push(format!(
            "labojumi pēc slēgšanas: {name}, {of} — mēnesis slēgts, pirms sistēma uzskaitīja \
             nosūtīto pa rindām, tāpēc starpība šeit nav aprēķināta; mēnesis tagad: {} h, {} EUR; \
             starpību pret iepriekš samaksāto aprēķiniet pēc iepriekšējās versijas",
            docs::hours(minutes),
            docs::euros(cents)
        ));
    }
    let newly = summary_rows
        .iter()
        .map(|r| r.client_id)
        .collect::<std::collections::HashSet<_>>()
        .len();
    if version > 1 && carried.is_empty() {
        notes.push(format!(
            "{version}. versija — papildinājums: tikai {newly} klientu mēneši, kas slēgti tagad; \
             iepriekš nosūtītās versijas paliek spēkā un šo maksā papildus tām"
        ));
    } else if version > 1 {
        notes.push(format!(
            "{version}. versija — labojums: tikai starpība pret iepriekš nosūtīto un {newly} \
             klientu mēneši, kas slēgti tagad; iepriekš nosūtītās versijas paliek spēkā un šo \
             maksā papildus tām"
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
        (&summary_rows, &carried),
        &bps,
        (&notes, &waiting),
    );
    let (this_month, _) = docs::totals(&summary_rows);
    let (fixes, _) = docs::totals(&carried);
    let mut facts = vec![
        format!(
            "Stundas: {}, summa: {} EUR",
            docs::hours(this_month.minutes),
            docs::euros(this_month.amount_cents)
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
    if !carried.is_empty() {
        facts.push(format!(
            "Labojumi par iepriekš nosūtīto ({} rindas): {} h, {} EUR; izmaksāt kopā {} EUR",
            carried.len(),
            docs::hours(fixes.minutes),
            docs::euros(fixes.amount_cents),
            docs::euros(this_month.amount_cents + fixes.amount_cents)
        ));
    }
    if let Some(why) = settings.wage_override {
        facts.push(format!(
            "Stundas likme zem minimālās stundas algas; administratora pamatojums: {why}"
        ));
    }
    let summary = json!({
        "title": settings.municipality, "facts": facts,
        "minutes": this_month.minutes, "amount_cents": this_month.amount_cents,
        "correction_minutes": fixes.minutes, "correction_cents": fixes.amount_cents,
        "correction_rows": carried.len(),
    });
    let xlsx = crate::documents::summary_xlsx(
        &month.to_string(),
        settings.municipality,
        (&summary_rows, &carried),
        &bps,
    )
    .map_err(|e| DbErr::Custom(e.to_string()))?;
    // The claim to the ministry, per service kind: each client's service as their decision in
    // force at the month's end has it (or the last one that began before). Corrections count in
    // the claim of the month that carries them.
    let claim_rows: Vec<SummaryRow> = summary_rows.iter().chain(&carried).cloned().collect();
    let mut ids: Vec<Uuid> = claim_rows.iter().map(|r| r.client_id).collect();
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
    let claim_rows: Vec<(mobile_api::Service, SummaryRow)> = claim_rows
        .into_iter()
        .map(|r| {
            let service = services
                .get(&r.client_id)
                .copied()
                .unwrap_or(mobile_api::Service::Assistant);
            (service, r)
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
        change: if carried.is_empty() {
            Change::Addition
        } else {
            Change::Correction
        },
    };
    // The service's addresses (the accountants') get one mail for the whole close: the summary,
    // with the files of every statement issued in it.
    let mut issued = issue(&mut latest, month, draft, now);
    for row in &mut issued.outbox {
        row.digest = true;
    }
    let summary_id = issued.statement.id;
    created.extend(write_issued(db, vec![issued]).await?);
    // What this close reported is, from now on, what was sent.
    let reported = summary_rows
        .iter()
        .map(SummaryRow::reported)
        .chain(deltas)
        .chain(recorded_now)
        .collect();
    crate::db::statements::record_reported(db, summary_id, reported, now).await?;
    crate::db::audit::append_all(db, now, audit).await?;
    Ok(created)
}

/// What the timesheets add to the close as they go: the statements made, each client's name and
/// personal code, and the closed sheets' audit records.
type Gathered<'a> = (
    &'a mut Vec<Uuid>,
    &'a mut HashMap<Uuid, (String, Option<String>)>,
    &'a mut Vec<crate::db::audit::Record<'static>>,
);

/// Issues the timesheets of `sheets` (client-months of `month`: approved ones, or closed ones
/// that changed since they were sent) and closes them; returns each client's sessions of the
/// month as its pay needs them, puts each client's name and personal code in `names`, the
/// statements made in `created` and the closed sheets' audit records in `audit`.
async fn timesheets(
    db: &impl Conn,
    month: Month,
    sheets: &[month_sheets::Model],
    ctx: &Context<'_>,
    (created, names, audit): Gathered<'_>,
) -> Result<HashMap<Uuid, Vec<Worked>>, DbErr> {
    let policy = ctx.book.at(month.last_day()).map_err(DbErr::Custom)?;
    let mut latest = latest_versions(db, month).await?;
    let make = {
        let labels = Arc::clone(&ctx.labels);
        Arc::new(move |job: TimesheetJob| {
            let label = |code: &str| labels.get(code).cloned().unwrap_or_else(|| code.to_owned());
            let csv = docs::timesheet_csv(&job.timesheet, label);
            let pdf = crate::documents::timesheet_pdf(&job.timesheet, label)?;
            Ok((job, csv, pdf))
        })
    };
    let mut out: HashMap<Uuid, Vec<Worked>> = HashMap::new();
    let mut rendering: Option<Rendering<(TimesheetJob, String, Vec<u8>)>> = None;
    for chunk in sheets.chunks(CHUNK) {
        let ids: Vec<Uuid> = chunk.iter().map(|s| s.client_id).collect();
        let clients: HashMap<Uuid, clients::Model> = clients_by_id(db, &ids).await?;
        let listed: Vec<clients::Model> = clients.values().cloned().collect();
        let mut lines = lines_of(db, &listed, month).await?;
        let mut decisions = decisions_of(db, &ids).await?;
        let mut disputes = disputes_of(db, &ids, month).await?;
        let submitters: Vec<Uuid> = chunk.iter().filter_map(|s| s.submitted_by).collect();
        let submitters = crate::db::statements::user_names(db, &submitters).await?;
        // What the timesheets sent last of the changed ones showed: one that shows the same
        // (only the pay changed, e.g. a rate recorded later) is not sent to the client again.
        let sent_before: Vec<Uuid> = chunk
            .iter()
            .filter(|s| s.state == MonthState::Closed)
            .filter_map(|s| {
                let key = ("client_timesheet".to_owned(), Some(s.client_id), None);
                latest.get(&key).map(|(_, id)| *id)
            })
            .collect();
        let sent_before = crate::db::statements::summaries_of(db, sent_before).await?;
        let shown = |client: Uuid| {
            let key = ("client_timesheet".to_owned(), Some(client), None);
            latest
                .get(&key)
                .and_then(|(_, id)| sent_before.get(id))
                .and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
                .and_then(|v| v["digest"].as_str().map(str::to_owned))
        };
        let mut jobs = Vec::with_capacity(chunk.len());
        let mut closing = Vec::with_capacity(chunk.len());
        for sheet in chunk {
            let Some(client) = clients.get(&sheet.client_id) else {
                continue;
            };
            let lines = lines.remove(&sheet.client_id).unwrap_or_default();
            let (versions, papers): (Vec<_>, Vec<_>) = decisions
                .remove(&client.id)
                .unwrap_or_default()
                .into_iter()
                .unzip();
            let disputes = disputes.remove(&client.id).unwrap_or_default();
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
                municipality: ctx.settings.municipality.to_owned(),
                client: client.name.clone(),
                month: month.to_string(),
                decision,
                service,
                submitted,
                issued: crate::domain::time::riga_date(ctx.now)
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
            out.insert(
                client.id,
                t.lines.iter().map(Worked::from).collect::<Vec<_>>(),
            );
            names.insert(
                client.id,
                (client.name.clone(), client.personal_code.clone()),
            );
            // The service's own addresses get one mail for the whole close (the summary's).
            let mut recipients: Vec<String> = Vec::new();
            recipients.extend(client.email.clone());
            recipients.extend(
                ctx.rep_emails
                    .get(&client.id)
                    .into_iter()
                    .flatten()
                    .cloned(),
            );
            closing.push((sheet, versions));
            if sheet.state == MonthState::Closed
                && shown(client.id).as_deref() == Some(&docs::timesheet_digest(&t))
            {
                continue;
            }
            jobs.push(TimesheetJob {
                client: client.clone(),
                timesheet: t,
                recipients,
                change: match *sheet.state {
                    MonthState::Closed => Change::Correction,
                    _ => Change::Addition,
                },
            });
        }
        let next = render(jobs, Arc::clone(&make));
        if let Some(previous) = rendering.replace(next) {
            let issued = timesheet_statements(previous.done().await?, &mut latest, month, ctx.now);
            created.extend(write_issued(db, issued).await?);
        }
        audit.extend(close_sheets(db, month, closing, ctx.book, ctx.actor, ctx.now).await?);
    }
    if let Some(last) = rendering {
        let issued = timesheet_statements(last.done().await?, &mut latest, month, ctx.now);
        created.extend(write_issued(db, issued).await?);
    }
    Ok(out)
}

/// Renders and writes the pay statements of `month`, a step at a time.
async fn pay_statements(
    db: &impl Conn,
    jobs: Vec<PayJob>,
    latest: &mut HashMap<StatementKey, (i32, Uuid)>,
    month: Month,
    now: DateTime<Utc>,
) -> Result<Vec<Uuid>, DbErr> {
    let pay_files = Arc::new(move |job: PayJob| {
        let of = (&job.pay, job.corrections.as_slice());
        let csv = docs::pay_csv(&job.payee, &month.to_string(), of, &job.clients);
        let xlsx = crate::documents::pay_xlsx(&job.payee, &month.to_string(), of, &job.clients)
            .map_err(|e| e.to_string())?;
        Ok((job, csv, xlsx))
    });
    let mut created = Vec::new();
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
                let draft = pay_draft(job, csv, xlsx, month);
                issue(latest, month, draft, now)
            })
            .collect();
        created.extend(write_issued(db, issued).await?);
    }
    Ok(created)
}

/// An assistant's pay statement: its figures (what it pays in all, corrections included) and
/// its files.
fn pay_draft(job: PayJob, csv: String, xlsx: Vec<u8>, month: Month) -> Draft {
    let pay = &job.pay;
    let all = docs::payable(pay, &job.corrections);
    let (fixes, _) = docs::totals(&job.corrections);
    let mut facts = vec![
        format!(
            "Kopā: {} EUR (bruto {} EUR, darba devēja iemaksas {} EUR)",
            docs::euros(all.amount_cents),
            docs::euros(all.gross_cents),
            docs::euros(all.employer_cents)
        ),
        format!(
            "Stundas: {}",
            docs::hours(pay.lines.iter().map(|l| l.minutes).sum())
        ),
        format!(
            "Braucienu kompensācija: {} EUR",
            docs::euros(all.trip_cents)
        ),
    ];
    if !job.corrections.is_empty() {
        facts.push(format!(
            "No tā labojumi par iepriekš nosūtīto: {} h, {} EUR, transports {} EUR",
            docs::hours(fixes.minutes),
            docs::euros(fixes.amount_cents),
            docs::euros(fixes.trip_cents)
        ));
    }
    let summary = json!({
        "title": job.assistant.name, "facts": facts,
        "amount_cents": all.amount_cents, "gross_cents": all.gross_cents,
        "employer_cents": all.employer_cents, "trip_cents": all.trip_cents,
        "correction_cents": fixes.amount_cents, "correction_rows": job.corrections.len(),
    });
    let stem = format!(
        "darba-samaksa-{}-{month}",
        crate::domain::text::slug(&job.assistant.name)
    );
    Draft {
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
        change: if job.corrections.is_empty() {
            Change::Addition
        } else {
            Change::Correction
        },
    }
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
                "digest": docs::timesheet_digest(t),
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
                change: job.change,
            };
            issue(latest, month, draft, now)
        })
        .collect()
}
