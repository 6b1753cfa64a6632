//! Closing a month: statements, their files and their outbox rows, in one transaction; and the
//! outbox's claim / mark steps for the delivery worker.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::LockBehavior;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::LockType,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use std::collections::HashMap;
use std::sync::Arc;

use sea_orm::IntoActiveModel;

use super::entity::entries as entry_rows;
use super::entity::{
    assistants, clients, decisions, month_disputes, month_sheets, outbox, representatives,
    statement_files, statements, trips, users,
};
use super::entries;
use super::{audit, people, policy};
use crate::domain::decision;
use crate::domain::ledger::{Actor, instant};
use crate::domain::statements::{self as docs, Line, SummaryRow, Timesheet};
use crate::domain::time::{Month, month_parts, riga_date, riga_midnight};
use mobile_api::{EntryStatus, MonthState, OutboxState};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What closing needs from the configuration.
pub struct CloseSettings<'a> {
    pub recipients: &'a [String],
    pub municipality: &'a str,
}

/// Clients (or assistants) named in one query's `IN` list: well under both engines' limits on
/// bind parameters.
const IN_LIST: usize = 5_000;
/// Clients closed per step: their lines, documents and rows are in memory together, and one
/// step's documents render while the previous step's rows are written.
const CHUNK: usize = 256;

/// The active sessions of these clients' month as statement lines, clipped to the month, per
/// client in the order they started.
async fn lines_of(
    db: &impl ConnectionTrait,
    clients: &[clients::Model],
    month: Month,
) -> Result<HashMap<Uuid, Vec<Line>>, DbErr> {
    let (from, to) = (
        riga_midnight(month.first_day()),
        riga_midnight(month.next().first_day()),
    );
    let mut rows = Vec::new();
    for part in clients.chunks(IN_LIST) {
        rows.extend(
            entry_rows::Entity::find()
                .filter(entry_rows::Column::ClientId.is_in(part.iter().map(|c| c.id)))
                .filter(entry_rows::Column::StartUtc.lt(to.timestamp()))
                .filter(entry_rows::Column::EndUtc.gt(from.timestamp()))
                .filter(entry_rows::Column::Status.eq(EntryStatus::Active.as_str()))
                .order_by_asc(entry_rows::Column::StartUtc)
                .order_by_asc(entry_rows::Column::Id)
                .all(db)
                .await?,
        );
    }
    let mut trips: HashMap<Uuid, Vec<trips::Model>> = HashMap::new();
    for part in rows.chunks(IN_LIST) {
        for t in entries::trips_of(db, part.iter().map(|e| e.id).collect()).await? {
            trips.entry(t.entry_id).or_default().push(t);
        }
    }
    let mut assistant_ids: Vec<Uuid> = rows.iter().map(|e| e.assistant_id).collect();
    assistant_ids.sort();
    assistant_ids.dedup();
    let mut names: HashMap<Uuid, String> = HashMap::new();
    for part in assistant_ids.chunks(IN_LIST) {
        names.extend(people::assistant_names(db, part.to_vec()).await?);
    }
    let by_id: HashMap<Uuid, &clients::Model> = clients.iter().map(|c| (c.id, c)).collect();
    let mut lines: HashMap<Uuid, Vec<Line>> = HashMap::new();
    for e in &rows {
        let Some(client) = by_id.get(&e.client_id) else {
            continue;
        };
        let (start, end) = (instant(e.start_utc), instant(e.end_utc));
        let minutes = month_parts(start, end)
            .into_iter()
            .filter(|(m, _)| *m == month)
            .map(|(_, x)| x)
            .sum();
        let own = trips.get(&e.id).map(Vec::as_slice).unwrap_or_default();
        let starts_here = Month::of(riga_date(start)) == month;
        lines.entry(client.id).or_default().push(Line {
            assistant_id: e.assistant_id,
            assistant: names.get(&e.assistant_id).cloned().unwrap_or_default(),
            client_id: client.id,
            client: client.name.clone(),
            purpose: e.purpose.clone(),
            start: start.max(from),
            end: end.min(to),
            minutes,
            trips: own
                .iter()
                .map(|t| {
                    format!(
                        "{} → {} ({:.1} km)",
                        t.from_place,
                        t.to_place,
                        f64::from(t.distance_m) / 1000.0
                    )
                })
                .collect(),
            trip_cents: if starts_here {
                own.iter().map(|t| t.cost_cents).sum()
            } else {
                0
            },
        });
    }
    Ok(lines)
}

/// A statement's identity across versions: kind, client, assistant.
type StatementKey = (String, Option<Uuid>, Option<Uuid>);

/// The newest version (and its id) of every statement of `month`, read once per close.
async fn latest_versions(
    db: &impl ConnectionTrait,
    month: Month,
) -> Result<HashMap<StatementKey, (i32, Uuid)>, DbErr> {
    let mut latest: HashMap<StatementKey, (i32, Uuid)> = HashMap::new();
    for s in statements::Entity::find()
        .filter(statements::Column::Month.eq(month.to_string()))
        .all(db)
        .await?
    {
        let slot = latest
            .entry((s.kind, s.client_id, s.assistant_id))
            .or_insert((s.version, s.id));
        if s.version > slot.0 {
            *slot = (s.version, s.id);
        }
    }
    Ok(latest)
}

fn message_id(statement: Uuid, recipient: &str, resend: Option<Uuid>) -> String {
    let h: String = Sha256::digest(recipient.to_lowercase().as_bytes())
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect();
    match resend {
        None => format!("<{statement}.{h}@asistents>"),
        Some(r) => format!("<{statement}.{h}.{r}@asistents>"),
    }
}

/// A statement with its files and outbox rows, ready to be written.
struct Issued {
    statement: statements::Model,
    files: Vec<statement_files::Model>,
    outbox: Vec<outbox::Model>,
}

/// What a new statement is: its kind, whom it is about, its summary and files.
struct Draft {
    kind: &'static str,
    client: Option<Uuid>,
    assistant: Option<Uuid>,
    summary: serde_json::Value,
    files: Vec<(String, String, Vec<u8>)>,
    recipients: Vec<String>,
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
        is_correction: version > 1,
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
            name,
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
            message_id: message_id(statement.id, r, None),
            state: OutboxState::Pending.into(),
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            sent_at: None,
            resend_of: None,
            created_at: now,
        });
    }
    Issued {
        statement,
        files,
        outbox,
    }
}

/// Writes issued statements with multi-row inserts: statements, then their files (a few dozen
/// documents per statement, as they carry the bytes), then their outbox rows.
async fn write_issued(
    db: &impl ConnectionTrait,
    issued: Vec<Issued>,
) -> Result<Vec<statements::Model>, DbErr> {
    let mut made = Vec::with_capacity(issued.len());
    let (mut files, mut mail) = (Vec::new(), Vec::new());
    for i in issued {
        made.push(i.statement);
        files.extend(i.files);
        mail.extend(i.outbox);
    }
    fn rows<M: IntoActiveModel<A>, A: sea_orm::ActiveModelTrait>(v: Vec<M>) -> Vec<A> {
        v.into_iter()
            .map(IntoActiveModel::into_active_model)
            .collect()
    }
    super::insert_all(db, rows(made.clone()), 500).await?;
    super::insert_all(db, rows(files), 32).await?;
    super::insert_all(db, rows(mail), 500).await?;
    Ok(made)
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
    clients: Vec<(Uuid, String)>,
    recipients: Vec<String>,
}

/// Groups rows by a key, keeping their order within each group.
fn grouped<T>(rows: Vec<T>, key: impl Fn(&T) -> Uuid) -> HashMap<Uuid, Vec<T>> {
    let mut by: HashMap<Uuid, Vec<T>> = HashMap::new();
    for r in rows {
        by.entry(key(&r)).or_default().push(r);
    }
    by
}

/// Closes every approved client-month of `month`: statements (client timesheets; for each
/// assistant concerned, the month's pay over all closed client-months; the municipality summary),
/// their CSV files and outbox rows, and the sheets become `closed`. Running it again generates
/// nothing; a later close of the same month makes new versions marked as corrections.
///
/// It reads and writes a step of clients at a time with a handful of queries, and renders the
/// documents on every core while the previous step's rows are written.
pub async fn close_month(
    db: &impl ConnectionTrait,
    month: Month,
    settings: &CloseSettings<'_>,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Vec<statements::Model>, DbErr> {
    if super::is_postgres(db) {
        db.execute_unprepared("select pg_advisory_xact_lock(7316003)")
            .await?;
    }
    let sheets = month_sheets::Entity::find()
        .filter(month_sheets::Column::Month.eq(month.to_string()))
        .filter(
            month_sheets::Column::State
                .is_in([MonthState::Approved.as_str(), MonthState::Closed.as_str()]),
        )
        .order_by_asc(month_sheets::Column::ClientId)
        .all(db)
        .await?;
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
    let book = policy::book(db).await?;
    let policy = book.at(month.last_day()).map_err(DbErr::Custom)?;
    let rates: Vec<_> = book
        .versions("hourly_rate_cents")
        .into_iter()
        .filter_map(|(d, v)| Some((d, v.as_i64()?)))
        .collect();
    let labels: HashMap<String, String> = policy
        .purposes
        .iter()
        .map(|p| (p.code.clone(), p.labels.lv.clone()))
        .collect();
    let labels = Arc::new(labels);
    let mut latest = latest_versions(db, month).await?;
    // Representatives' addresses by client, read once.
    let reps = super::session::users(db, Some("representative"), None, Some(true), 0, 100_000)
        .await?
        .0;
    let rep_email: HashMap<Uuid, String> = reps
        .into_iter()
        .filter_map(|r| Some((r.id, r.email?)))
        .collect();
    let mut rep_emails: HashMap<Uuid, Vec<String>> = HashMap::new();
    for r in representatives::Entity::find().all(db).await? {
        if let Some(email) = rep_email.get(&r.user_id) {
            rep_emails
                .entry(r.client_id)
                .or_default()
                .push(email.clone());
        }
    }
    for emails in rep_emails.values_mut() {
        emails.sort();
    }

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
    let mut all_lines: Vec<Line> = Vec::new();
    let mut assistants_now: Vec<Uuid> = Vec::new();
    let mut rendering: Option<Rendering<(TimesheetJob, String, Vec<u8>)>> = None;
    for chunk in sheets.chunks(CHUNK) {
        let ids: Vec<Uuid> = chunk.iter().map(|s| s.client_id).collect();
        let clients = clients::Entity::find()
            .filter(clients::Column::Id.is_in(ids.clone()))
            .all(db)
            .await?;
        let mut lines = lines_of(db, &clients, month).await?;
        let clients: HashMap<Uuid, clients::Model> =
            clients.into_iter().map(|c| (c.id, c)).collect();
        let fresh: Vec<&month_sheets::Model> = chunk
            .iter()
            .filter(|s| {
                (s.state == MonthState::Approved || amended(s))
                    && clients.contains_key(&s.client_id)
            })
            .collect();
        let fresh_ids: Vec<Uuid> = fresh.iter().map(|s| s.client_id).collect();
        let mut decisions = grouped(
            decisions::Entity::find()
                .filter(decisions::Column::ClientId.is_in(fresh_ids.clone()))
                .order_by_asc(decisions::Column::ValidFrom)
                .order_by_asc(decisions::Column::SeriesId)
                .order_by_asc(decisions::Column::Version)
                .all(db)
                .await?,
            |d| d.client_id,
        );
        let mut disputes = grouped(
            month_disputes::Entity::find()
                .filter(month_disputes::Column::ClientId.is_in(fresh_ids))
                .filter(month_disputes::Column::Month.eq(month.to_string()))
                .order_by_asc(month_disputes::Column::RaisedAt)
                .all(db)
                .await?,
            |d| d.client_id,
        );
        let mut jobs = Vec::with_capacity(fresh.len());
        let mut closing = Vec::with_capacity(fresh.len());
        for sheet in chunk {
            let lines = lines.remove(&sheet.client_id).unwrap_or_default();
            all_lines.extend(lines.iter().cloned());
            let Some(client) = clients.get(&sheet.client_id) else {
                continue;
            };
            if sheet.state != MonthState::Approved && !amended(sheet) {
                continue;
            }
            assistants_now.extend(lines.iter().map(|l| l.assistant_id));
            let versions: Vec<_> = decisions
                .remove(&client.id)
                .unwrap_or_default()
                .iter()
                .map(people::figures)
                .collect();
            let disputes = disputes.remove(&client.id).unwrap_or_default();
            let t = Timesheet {
                client: client.name.clone(),
                month: month.to_string(),
                allowance_minutes: decision::month_allowance(&versions, month, policy.proration),
                used_minutes: sheet.used_minutes,
                transport_cap_cents: decision::month_transport_cap(&versions, month),
                transport_used_cents: sheet.transport_used_cents,
                confirmation: confirmation(sheet),
                disputes: disputes
                    .iter()
                    .map(|d| {
                        format!(
                            "{}: {} — {}",
                            d.entry_id,
                            d.reason,
                            d.resolution
                                .clone()
                                .unwrap_or_else(|| "nav atrisināts".into())
                        )
                    })
                    .collect(),
                lines,
            };
            let mut recipients = settings.recipients.to_vec();
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
    // Each assistant's lines, in one pass (a country has thousands of assistants).
    let mut by_assistant: std::collections::BTreeMap<Uuid, Vec<Line>> = Default::default();
    for l in all_lines {
        by_assistant.entry(l.assistant_id).or_default().push(l);
    }
    let ids: Vec<Uuid> = by_assistant.keys().copied().collect();
    let mut people_of: HashMap<Uuid, assistants::Model> = HashMap::new();
    let mut logins: HashMap<Uuid, users::Model> = HashMap::new();
    for part in ids.chunks(IN_LIST) {
        people_of.extend(
            assistants::Entity::find()
                .filter(assistants::Column::Id.is_in(part.to_vec()))
                .all(db)
                .await?
                .into_iter()
                .map(|a| (a.id, a)),
        );
        for u in users::Entity::find()
            .filter(users::Column::AssistantId.is_in(part.to_vec()))
            .filter(users::Column::Role.eq("assistant"))
            .order_by_asc(users::Column::CreatedAt)
            .all(db)
            .await?
        {
            if let Some(aid) = u.assistant_id {
                logins.entry(aid).or_insert(u);
            }
        }
    }
    let mut jobs = Vec::new();
    for (aid, lines) in by_assistant {
        let Some(a) = people_of.remove(&aid) else {
            continue;
        };
        let status = *a.insurance_status;
        let bp = policy
            .employer_contribution_bp
            .get(&status)
            .copied()
            .unwrap_or(0);
        let pay = docs::pay(&lines, &rates, bp);
        let mut clients_of: Vec<(Uuid, String)> = lines
            .iter()
            .map(|l| (l.client_id, l.client.clone()))
            .collect();
        clients_of.sort();
        clients_of.dedup();
        let mut own: HashMap<Uuid, (i64, i64)> = HashMap::new();
        for l in &lines {
            let slot = own.entry(l.client_id).or_default();
            slot.0 += l.minutes;
            slot.1 += l.trip_cents;
        }
        let mut amounts: HashMap<Uuid, i64> = HashMap::new();
        for p in &pay.lines {
            *amounts.entry(p.client_id).or_default() += p.amount_cents;
        }
        for (cid, cname) in &clients_of {
            let (minutes, trip_cents) = own.get(cid).copied().unwrap_or_default();
            summary_rows.push(SummaryRow {
                assistant: a.name.clone(),
                client: cname.clone(),
                minutes,
                amount_cents: amounts.get(cid).copied().unwrap_or_default(),
                trip_cents,
            });
        }
        if assistants_now.binary_search(&aid).is_err() {
            continue;
        }
        let mut recipients = settings.recipients.to_vec();
        if let Some(email) = logins
            .remove(&aid)
            .and_then(|u| u.email)
            .or(a.email.clone())
        {
            recipients.push(email);
        }
        jobs.push(PayJob {
            assistant: a,
            pay,
            clients: clients_of,
            recipients,
        });
    }
    let pay_files = Arc::new(move |job: PayJob| {
        let client_name = |c: Uuid| {
            job.clients
                .iter()
                .find(|(i, _)| *i == c)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        };
        let name = &job.assistant.name;
        let csv = docs::pay_csv(name, &month.to_string(), &job.pay, client_name);
        let xlsx = crate::documents::pay_xlsx(name, &month.to_string(), &job.pay, client_name)
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
                    crate::domain::text::search_fold(&job.assistant.name).replace(' ', "-")
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
        .map(|s| format!("labojumi pēc slēgšanas: klients {}", s.client_id))
        .collect();
    if version > 1 {
        corrections.push(format!(
            "{}. versija: {} klientu mēneši slēgti vai laboti no jauna",
            version, newly
        ));
    }
    let csv = docs::summary_csv(
        &month.to_string(),
        settings.municipality,
        &summary_rows,
        &corrections,
    );
    let minutes: i64 = summary_rows.iter().map(|r| r.minutes).sum();
    let amount: i64 = summary_rows.iter().map(|r| r.amount_cents).sum();
    let summary = json!({
        "title": settings.municipality, "facts": [
            format!("Stundas: {}, summa: {} EUR", docs::hours(minutes), docs::euros(amount)),
            format!("Rindas (asistents × klients): {}", summary_rows.len()),
        ],
        "minutes": minutes, "amount_cents": amount,
    });
    let xlsx =
        crate::documents::summary_xlsx(&month.to_string(), settings.municipality, &summary_rows)
            .map_err(|e| DbErr::Custom(e.to_string()))?;
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
        ],
        recipients: settings.recipients.to_vec(),
    };
    let issued = issue(&mut latest, month, draft, now);
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
                crate::domain::text::search_fold(&job.client.name).replace(' ', "-")
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
            };
            issue(latest, month, draft, now)
        })
        .collect()
}

/// Marks a step's sheets `closed` with one update, records their `month` changes and their audit
/// records. The version moves on by one; `reported_version` is what the statements show, so a
/// later amendment moves the version past it.
async fn close_sheets(
    db: &impl ConnectionTrait,
    month: Month,
    sheets: Vec<(&month_sheets::Model, Vec<decision::Figures>)>,
    book: &crate::domain::policy::PolicyBook,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    if sheets.is_empty() {
        return Ok(());
    }
    for part in sheets.chunks(IN_LIST) {
        month_sheets::Entity::update_many()
            .col_expr(
                month_sheets::Column::ClosedAt,
                Expr::case(
                    Expr::col(month_sheets::Column::State).eq(MonthState::Approved.as_str()),
                    Expr::value(Some(now)),
                )
                .finally(Expr::col(month_sheets::Column::ClosedAt))
                .into(),
            )
            .col_expr(
                month_sheets::Column::State,
                Expr::value(MonthState::Closed.as_str()),
            )
            .col_expr(
                month_sheets::Column::Version,
                Expr::col(month_sheets::Column::Version).add(1),
            )
            .col_expr(
                month_sheets::Column::ReportedVersion,
                Expr::col(month_sheets::Column::Version).add(1),
            )
            .col_expr(month_sheets::Column::UpdatedAt, Expr::value(now))
            .filter(month_sheets::Column::Id.is_in(part.iter().map(|(s, _)| s.id)))
            .exec(db)
            .await?;
    }
    let mut changes = Vec::with_capacity(sheets.len());
    let mut records = Vec::with_capacity(sheets.len());
    for (sheet, versions) in sheets {
        let mut closed = sheet.clone();
        if sheet.state == MonthState::Approved {
            closed.closed_at = Some(now);
        }
        closed.state = MonthState::Closed.into();
        closed.version += 1;
        closed.reported_version = Some(closed.version);
        closed.updated_at = now;
        let data = entries::month_change(sheet.client_id, month, Some(&closed), &versions, book)?;
        let scope = super::changes::Scope {
            client_id: Some(sheet.client_id),
            ..Default::default()
        };
        changes.push(super::changes::row(
            "month",
            "upsert",
            format!("{}/{month}", sheet.client_id),
            scope,
            &data,
            now,
        ));
        records.push(audit::Record {
            actor: Some(actor.user_id),
            action: "month_closed",
            subject_kind: "month",
            subject_id: format!("{}/{}", sheet.client_id, sheet.month),
            client_id: Some(sheet.client_id),
            before: Some(json!({ "state": sheet.state })),
            after: Some(json!({ "state": MonthState::Closed })),
        });
    }
    super::changes::record_all(db, changes).await?;
    audit::append_all(db, now, records).await
}

pub async fn statement(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<statements::Model>, DbErr> {
    statements::Entity::find_by_id(id).one(db).await
}

pub async fn list(
    db: &impl ConnectionTrait,
    month: Option<Month>,
) -> Result<Vec<statements::Model>, DbErr> {
    let mut select = statements::Entity::find()
        .order_by_asc(statements::Column::Month)
        .order_by_asc(statements::Column::CreatedAt);
    if let Some(m) = month {
        select = select.filter(statements::Column::Month.eq(m.to_string()));
    }
    select.all(db).await
}

pub async fn files(
    db: &impl ConnectionTrait,
    statement_id: Uuid,
) -> Result<Vec<statement_files::Model>, DbErr> {
    statement_files::Entity::find()
        .filter(statement_files::Column::StatementId.eq(statement_id))
        .order_by_asc(statement_files::Column::Name)
        .all(db)
        .await
}

pub async fn outbox_rows(
    db: &impl ConnectionTrait,
    state: Option<&str>,
) -> Result<Vec<outbox::Model>, DbErr> {
    let mut select = outbox::Entity::find()
        .order_by_asc(outbox::Column::CreatedAt)
        .order_by_asc(outbox::Column::Id);
    if let Some(s) = state {
        select = select.filter(outbox::Column::State.eq(s));
    }
    select.all(db).await
}

pub async fn outbox_row(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<outbox::Model>, DbErr> {
    outbox::Entity::find_by_id(id).one(db).await
}

/// A coordinator's deliberate resend of the same statement version to the same recipient.
pub async fn resend(
    db: &impl ConnectionTrait,
    of: &outbox::Model,
    now: DateTime<Utc>,
) -> Result<outbox::Model, DbErr> {
    let id = Uuid::now_v7();
    let row = outbox::Model {
        id,
        statement_id: of.statement_id,
        recipient: of.recipient.clone(),
        message_id: message_id(of.statement_id, &of.recipient, Some(id)),
        state: OutboxState::Pending.into(),
        attempts: 0,
        next_attempt_at: now,
        last_error: None,
        sent_at: None,
        resend_of: Some(of.id),
        created_at: now,
    };
    people::insert(db, row.clone()).await?;
    Ok(row)
}

/// Leases up to `limit` due rows (pending, or a lease that ran out) to this worker: on PostgreSQL
/// rows another process holds are skipped, so two processes never send one mail.
pub async fn claim_due(
    db: &super::Db,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
) -> Result<Vec<outbox::Model>, DbErr> {
    use sea_orm::TransactionTrait;
    let txn = db.begin().await?;
    let mut select = outbox::Entity::find()
        .filter(
            outbox::Column::State
                .is_in([OutboxState::Pending.as_str(), OutboxState::Sending.as_str()]),
        )
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(outbox::Column::NextAttemptAt)
        .limit(limit);
    if super::is_postgres(&txn) {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = select.all(&txn).await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for mut r in rows {
        r.state = OutboxState::Sending.into();
        r.next_attempt_at = now + lease;
        r.attempts += 1;
        people::update(&txn, r.clone()).await?;
        claimed.push(r);
    }
    txn.commit().await?;
    Ok(claimed)
}

pub async fn mark(
    db: &impl ConnectionTrait,
    mut row: outbox::Model,
    state: OutboxState,
    next: DateTime<Utc>,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    row.state = state.into();
    row.next_attempt_at = next;
    row.last_error = error;
    if state == OutboxState::Sent {
        row.sent_at = Some(now);
    }
    outbox::Entity::update(outbox::ActiveModel {
        id: Set(row.id),
        state: Set(row.state),
        next_attempt_at: Set(row.next_attempt_at),
        last_error: Set(row.last_error),
        sent_at: Set(row.sent_at),
        ..Default::default()
    })
    .exec(db)
    .await
    .map(|_| ())
}
