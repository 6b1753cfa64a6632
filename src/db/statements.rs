//! Statements as stored: what closing a month reads (the sheets, the sessions as statement
//! lines, the people and their addresses, the versions issued before) and writes (statements,
//! their files and outbox rows, the closed sheets); the statements' reads; and the outbox's
//! claim / mark steps for the delivery worker. The close itself is `service::close`.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::LockBehavior;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
    sea_query::LockType,
};
use serde_json::json;
use uuid::Uuid;

use std::collections::HashMap;

use sea_orm::IntoActiveModel;

use super::entity::entries as entry_rows;
use super::entity::{
    assistants, clients, decisions, month_disputes, month_sheets, outbox, reported_lines,
    representatives, statement_files, statements, trips, users,
};
use super::entries;
use super::{audit, people};
use crate::domain::decision;
use crate::domain::ledger::{Actor, instant};
use crate::domain::statements::{self as docs, Line};
use crate::domain::time::{Month, month_parts, riga_date, riga_midnight};
use mobile_api::{EntryStatus, MonthState, OutboxState};

/// Clients (or assistants) named in one query's `IN` list: well under both engines' limits on
/// bind parameters.
const IN_LIST: usize = 5_000;

/// The active sessions of these clients' month as statement lines, clipped to the month, per
/// client in the order they started.
pub async fn lines_of(
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
            entry_id: e.id,
            assistant_id: e.assistant_id,
            assistant: names.get(&e.assistant_id).cloned().unwrap_or_default(),
            client_id: client.id,
            client: client.name.clone(),
            client_code: client.personal_code.clone(),
            purpose: e.purpose.clone(),
            start: start.max(from),
            end: end.min(to),
            minutes,
            trips: own
                .iter()
                .map(|t| {
                    // Statements are Latvian: a decimal comma.
                    let km = format!("{:.1}", f64::from(t.distance_m) / 1000.0).replace('.', ",");
                    format!("{} → {} ({km} km)", t.from_place, t.to_place)
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
pub type StatementKey = (String, Option<Uuid>, Option<Uuid>);

/// The newest version (and its id) of every statement of `month`, read once per close.
pub async fn latest_versions(
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

/// The stored summaries of these statements, by id.
pub async fn summaries_of(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, String>, DbErr> {
    let mut out = HashMap::new();
    for part in ids.chunks(IN_LIST) {
        let rows: Vec<(Uuid, String)> = statements::Entity::find()
            .select_only()
            .column(statements::Column::Id)
            .column(statements::Column::Summary)
            .filter(statements::Column::Id.is_in(part.to_vec()))
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The admin's recorded reason to close `month` although its rate pays below the minimum wage.
pub async fn wage_override(
    db: &impl ConnectionTrait,
    month: Month,
) -> Result<Option<super::entity::wage_overrides::Model>, DbErr> {
    super::entity::wage_overrides::Entity::find_by_id(month.to_string())
        .one(db)
        .await
}

/// Records the override of `month` (a second one keeps the first reason); whether it was new.
pub async fn record_wage_override(
    db: &impl ConnectionTrait,
    month: Month,
    reason: &str,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use super::entity::wage_overrides;
    use sea_orm::sea_query::OnConflict;
    let row = wage_overrides::Model {
        month: month.to_string(),
        reason: reason.to_owned(),
        created_by: Some(by),
        created_at: at,
    };
    let done = wage_overrides::Entity::insert(row.into_active_model())
        .on_conflict(
            OnConflict::column(wage_overrides::Column::Month)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(done > 0)
}

/// Holds the month close to one process at a time (PostgreSQL: a transaction-scoped advisory
/// lock; SQLite's one writer already does).
pub async fn lock_close(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if super::is_postgres(db) {
        db.execute_unprepared("select pg_advisory_xact_lock(7316003)")
            .await?;
    }
    Ok(())
}

/// The month's approved sheets, by client; one with flagged entries waits (see
/// `pending_sheets`).
pub async fn sheets_to_close(
    db: &impl ConnectionTrait,
    month: Month,
) -> Result<Vec<month_sheets::Model>, DbErr> {
    let flagged = flagged_clients(db, month).await?;
    Ok(month_sheets::Entity::find()
        .filter(month_sheets::Column::Month.eq(month.to_string()))
        .filter(month_sheets::Column::State.eq(MonthState::Approved.as_str()))
        .order_by_asc(month_sheets::Column::ClientId)
        .all(db)
        .await?
        .into_iter()
        .filter(|s| !flagged.contains(&s.client_id))
        .collect())
}

/// Closed client-months of `until` or earlier that changed since their statements were sent
/// (an amendment, a flag raised or decided, or a rate recorded later for their days), by month
/// and client: the next close carries their corrections. One with flagged entries waits until
/// a coordinator keeps or voids each (nothing is paid or withheld on a question still open).
pub async fn amended_sheets(
    db: &impl ConnectionTrait,
    until: Month,
) -> Result<Vec<month_sheets::Model>, DbErr> {
    let changed = changed_sheets(db, until).await?;
    let mut months: Vec<&str> = changed.iter().map(|s| s.month.as_str()).collect();
    months.dedup();
    let mut flagged = std::collections::HashSet::new();
    for m in months {
        if let Some(month) = Month::parse(m) {
            for client in flagged_clients(db, month).await? {
                flagged.insert((client, m.to_owned()));
            }
        }
    }
    Ok(changed
        .into_iter()
        .filter(|s| !flagged.contains(&(s.client_id, s.month.clone())))
        .collect())
}

/// Closed client-months of `until` or earlier whose version moved past what was reported.
async fn changed_sheets(
    db: &impl ConnectionTrait,
    until: Month,
) -> Result<Vec<month_sheets::Model>, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    month_sheets::Entity::find()
        .filter(month_sheets::Column::State.eq(MonthState::Closed.as_str()))
        .filter(month_sheets::Column::Month.lte(until.to_string()))
        .filter(
            Expr::col(month_sheets::Column::ReportedVersion)
                .lt(Expr::col(month_sheets::Column::Version)),
        )
        .order_by_asc(month_sheets::Column::Month)
        .order_by_asc(month_sheets::Column::ClientId)
        .all(db)
        .await
}

/// What the statements sent so far reported for these client-months (work month, client), line
/// by line; a line reported in several closes has a row for each.
pub async fn reported_of(
    db: &impl ConnectionTrait,
    sheets: &[(Month, Uuid)],
) -> Result<Vec<docs::Reported>, DbErr> {
    let mut out = Vec::new();
    for part in sheets.chunks(IN_LIST) {
        let clients: Vec<Uuid> = part.iter().map(|(_, c)| *c).collect();
        let months: Vec<String> = part.iter().map(|(m, _)| m.to_string()).collect();
        let rows = reported_lines::Entity::find()
            .filter(reported_lines::Column::ClientId.is_in(clients))
            .filter(reported_lines::Column::Month.is_in(months))
            .all(db)
            .await?;
        out.extend(
            rows.into_iter()
                .filter(|r| {
                    part.iter()
                        .any(|(m, c)| *c == r.client_id && m.to_string() == r.month)
                })
                .map(|r| docs::Reported {
                    month: r.month,
                    assistant_id: r.assistant_id,
                    client_id: r.client_id,
                    rate_from: r.rate_from,
                    rate_cents: r.rate_cents,
                    minutes: r.minutes,
                    amount_cents: r.amount_cents,
                    trip_cents: r.trip_cents,
                }),
        );
    }
    Ok(out)
}

/// Records what a close reported (its summary statement): from now on, it is what was sent.
pub async fn record_reported(
    db: &impl ConnectionTrait,
    statement_id: Uuid,
    lines: Vec<docs::Reported>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let rows: Vec<reported_lines::ActiveModel> = lines
        .into_iter()
        .map(|r| {
            reported_lines::Model {
                id: Uuid::now_v7(),
                statement_id,
                month: r.month,
                assistant_id: r.assistant_id,
                client_id: r.client_id,
                rate_from: r.rate_from,
                rate_cents: r.rate_cents,
                minutes: r.minutes,
                amount_cents: r.amount_cents,
                trip_cents: r.trip_cents,
                created_at: now,
            }
            .into_active_model()
        })
        .collect();
    super::insert_all(db, rows, 500).await
}

/// The clients with flagged entries in `month`: a fact recorded after the month was approved
/// flagged them, and the month waits until a coordinator keeps or voids each.
async fn flagged_clients(
    db: &impl ConnectionTrait,
    month: Month,
) -> Result<std::collections::HashSet<Uuid>, DbErr> {
    use super::entity::entries;
    use crate::domain::time::riga_midnight;
    use sea_orm::QuerySelect;
    let from = riga_midnight(month.first_day()).timestamp();
    let to = riga_midnight(month.next().first_day()).timestamp();
    let ids: Vec<Uuid> = entries::Entity::find()
        .select_only()
        .column(entries::Column::ClientId)
        .distinct()
        .filter(entries::Column::Status.eq(mobile_api::EntryStatus::Flagged.as_str()))
        .filter(entries::Column::StartUtc.lt(to))
        .filter(entries::Column::EndUtc.gt(from))
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().collect())
}

/// The client-months of `month` a close leaves for later (anything not approved or closed, and
/// approved ones with flagged entries), with the client's name, the state and whether flagged
/// entries wait there, by name.
pub async fn pending_sheets(
    db: &impl ConnectionTrait,
    month: Month,
) -> Result<Vec<(Uuid, String, MonthState, bool)>, DbErr> {
    let flagged = flagged_clients(db, month).await?;
    let sheets: Vec<month_sheets::Model> = month_sheets::Entity::find()
        .filter(month_sheets::Column::Month.eq(month.to_string()))
        .filter(month_sheets::Column::State.ne(MonthState::Closed.as_str()))
        .all(db)
        .await?
        .into_iter()
        .filter(|s| s.state != MonthState::Approved || flagged.contains(&s.client_id))
        .collect();
    let ids: Vec<Uuid> = sheets.iter().map(|s| s.client_id).collect();
    let names = clients_by_id(db, &ids).await?;
    let mut out: Vec<(Uuid, String, MonthState, bool)> = sheets
        .into_iter()
        .map(|s| {
            let name = names
                .get(&s.client_id)
                .map(|c| c.name.clone())
                .unwrap_or_default();
            (s.client_id, name, *s.state, flagged.contains(&s.client_id))
        })
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Ok(out)
}

/// The e-mail addresses of each client's active representatives, sorted.
pub async fn representative_emails(
    db: &impl ConnectionTrait,
) -> Result<HashMap<Uuid, Vec<String>>, DbErr> {
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
    Ok(rep_emails)
}

pub async fn clients_by_id(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, clients::Model>, DbErr> {
    let mut out = HashMap::new();
    for part in ids.chunks(IN_LIST) {
        for c in clients::Entity::find()
            .filter(clients::Column::Id.is_in(part.to_vec()))
            .all(db)
            .await?
        {
            out.insert(c.id, c);
        }
    }
    Ok(out)
}

/// Every decision version of these clients, per client, by valid_from, series and version.
pub async fn decisions_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(decision::Figures, Paper)>>, DbErr> {
    let mut out: HashMap<Uuid, Vec<(decision::Figures, Paper)>> = HashMap::new();
    for part in ids.chunks(IN_LIST) {
        for d in decisions::Entity::find()
            .filter(decisions::Column::ClientId.is_in(part.to_vec()))
            .order_by_asc(decisions::Column::ValidFrom)
            .order_by_asc(decisions::Column::SeriesId)
            .order_by_asc(decisions::Column::Version)
            .all(db)
            .await?
        {
            let paper = Paper {
                number: d.number.clone(),
                decided_on: d.decided_on,
            };
            out.entry(d.client_id)
                .or_default()
                .push((people::figures(&d), paper));
        }
    }
    Ok(out)
}

/// A decision as written on paper: its number and the day it was taken.
#[derive(Debug, Clone)]
pub struct Paper {
    pub number: String,
    pub decided_on: chrono::NaiveDate,
}

/// Display names of users, by id.
pub async fn user_names(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, DbErr> {
    use super::entity::users;
    let mut out = HashMap::new();
    for part in ids.chunks(IN_LIST) {
        for u in users::Entity::find()
            .filter(users::Column::Id.is_in(part.to_vec()))
            .all(db)
            .await?
        {
            out.insert(u.id, u.display_name);
        }
    }
    Ok(out)
}

/// These clients' disputes of `month`, per client, oldest first.
pub async fn disputes_of(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    month: Month,
) -> Result<HashMap<Uuid, Vec<month_disputes::Model>>, DbErr> {
    let mut out: HashMap<Uuid, Vec<month_disputes::Model>> = HashMap::new();
    for part in ids.chunks(IN_LIST) {
        for d in month_disputes::Entity::find()
            .filter(month_disputes::Column::ClientId.is_in(part.to_vec()))
            .filter(month_disputes::Column::Month.eq(month.to_string()))
            .order_by_asc(month_disputes::Column::RaisedAt)
            .all(db)
            .await?
        {
            out.entry(d.client_id).or_default().push(d);
        }
    }
    Ok(out)
}

/// These assistants, each with their first assistant login (whose e-mail address their pay
/// statement goes to, before the one on their record).
pub async fn assistants_with_logins(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, (assistants::Model, Option<users::Model>)>, DbErr> {
    let mut people_of: HashMap<Uuid, (assistants::Model, Option<users::Model>)> = HashMap::new();
    for part in ids.chunks(IN_LIST) {
        people_of.extend(
            assistants::Entity::find()
                .filter(assistants::Column::Id.is_in(part.to_vec()))
                .all(db)
                .await?
                .into_iter()
                .map(|a| (a.id, (a, None))),
        );
        for u in users::Entity::find()
            .filter(users::Column::AssistantId.is_in(part.to_vec()))
            .filter(users::Column::Role.eq("assistant"))
            .order_by_asc(users::Column::CreatedAt)
            .all(db)
            .await?
        {
            if let Some((_, login)) = u.assistant_id.and_then(|a| people_of.get_mut(&a))
                && login.is_none()
            {
                *login = Some(u);
            }
        }
    }
    Ok(people_of)
}

/// A statement with its files and outbox rows, ready to be written.
pub struct Issued {
    pub statement: statements::Model,
    pub files: Vec<statement_files::Model>,
    pub outbox: Vec<outbox::Model>,
}

/// Writes issued statements with multi-row inserts: statements, then their files (a few dozen
/// documents per statement, as they carry the bytes), then their outbox rows.
pub async fn write_issued(
    db: &impl ConnectionTrait,
    issued: Vec<Issued>,
) -> Result<Vec<Uuid>, DbErr> {
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
    let ids = made.iter().map(|s| s.id).collect();
    super::insert_all(db, rows(made), 500).await?;
    super::insert_all(db, rows(files), 32).await?;
    super::insert_all(db, rows(mail), 500).await?;
    Ok(ids)
}

/// Marks a step's sheets `closed` with one update and records their `month` changes. The
/// version moves on by one; `reported_version` is what the statements show, so a later
/// amendment moves the version past it. Returns their audit records, for the caller to append
/// at the end of its transaction: on PostgreSQL appending takes the audit chain's lock until
/// the commit, and every phone's push appends too.
pub async fn close_sheets(
    db: &impl ConnectionTrait,
    month: Month,
    sheets: Vec<(&month_sheets::Model, Vec<decision::Figures>)>,
    book: &crate::domain::policy::PolicyBook,
    actor: Actor,
    now: DateTime<Utc>,
) -> Result<Vec<audit::Record<'static>>, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    if sheets.is_empty() {
        return Ok(Vec::new());
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
            .col_expr(month_sheets::Column::LinesReported, Expr::value(true))
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
        closed.lines_reported = true;
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
    Ok(records)
}

pub async fn statement(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<statements::Model>, DbErr> {
    statements::Entity::find_by_id(id).one(db).await
}

/// A page of statements (of a month), in the order they were written, and how many there are.
pub async fn list(
    db: &impl ConnectionTrait,
    month: Option<Month>,
    close_job: Option<Uuid>,
    (offset, limit): (u64, u64),
) -> Result<(Vec<statements::Model>, u64), DbErr> {
    use sea_orm::PaginatorTrait;
    let mut select = statements::Entity::find()
        .order_by_asc(statements::Column::Month)
        .order_by_asc(statements::Column::CreatedAt)
        .order_by_asc(statements::Column::Id);
    if let Some(m) = month {
        select = select.filter(statements::Column::Month.eq(m.to_string()));
    }
    if let Some(job) = close_job {
        select = select.filter(statements::Column::CloseJob.eq(job));
    }
    let total = select.clone().count(db).await?;
    let rows = select.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
}

/// Names the close job that made these statements.
pub async fn made_by(db: &impl ConnectionTrait, ids: &[Uuid], job: Uuid) -> Result<(), DbErr> {
    use sea_orm::sea_query::Expr;
    for part in ids.chunks(IN_LIST) {
        statements::Entity::update_many()
            .col_expr(statements::Column::CloseJob, Expr::value(job))
            .filter(statements::Column::Id.is_in(part.to_vec()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// The mail of these statements, in the order it was queued.
pub async fn outbox_of(
    db: &impl ConnectionTrait,
    statement_ids: &[Uuid],
) -> Result<Vec<outbox::Model>, DbErr> {
    let mut out = Vec::new();
    for part in statement_ids.chunks(IN_LIST) {
        out.extend(
            outbox::Entity::find()
                .filter(outbox::Column::StatementId.is_in(part.to_vec()))
                .order_by_asc(outbox::Column::CreatedAt)
                .order_by_asc(outbox::Column::Id)
                .all(db)
                .await?,
        );
    }
    Ok(out)
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

/// The files of these statements without their bytes: (name, mime type, size in bytes) per
/// statement, by name. Listing statements never reads the documents themselves.
pub async fn file_sizes(
    db: &impl ConnectionTrait,
    statement_ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<(String, String, i64)>>, DbErr> {
    use sea_orm::sea_query::Expr;
    let mut out: HashMap<Uuid, Vec<(String, String, i64)>> = HashMap::new();
    for part in statement_ids.chunks(IN_LIST) {
        let rows: Vec<(Uuid, String, String, i64)> = statement_files::Entity::find()
            .select_only()
            .column(statement_files::Column::StatementId)
            .column(statement_files::Column::Name)
            .column(statement_files::Column::Mime)
            // `length` of a blob (SQLite) or bytea (PostgreSQL) is its size in bytes (an
            // `integer` on PostgreSQL, hence the cast).
            .column_as(Expr::cust("cast(length(content) as bigint)"), "size")
            .filter(statement_files::Column::StatementId.is_in(part.to_vec()))
            .order_by_asc(statement_files::Column::Name)
            .into_tuple()
            .all(db)
            .await?;
        for (statement, name, mime, size) in rows {
            out.entry(statement).or_default().push((name, mime, size));
        }
    }
    Ok(out)
}

/// How many mails are queued for each of these statements.
pub async fn outbox_counts(
    db: &impl ConnectionTrait,
    statement_ids: &[Uuid],
) -> Result<HashMap<Uuid, i64>, DbErr> {
    let mut out = HashMap::new();
    for part in statement_ids.chunks(IN_LIST) {
        let rows: Vec<(Uuid, i64)> = outbox::Entity::find()
            .select_only()
            .column(outbox::Column::StatementId)
            .column_as(outbox::Column::Id.count(), "n")
            .filter(outbox::Column::StatementId.is_in(part.to_vec()))
            .group_by(outbox::Column::StatementId)
            .into_tuple()
            .all(db)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The statements one close issued (those of `summary`'s month written at the same instant, and
/// the corrected timesheets of earlier months it carried), the summary first, each with its files.
pub async fn issued_with(
    db: &impl ConnectionTrait,
    summary: &statements::Model,
) -> Result<Vec<statements::Model>, DbErr> {
    use sea_orm::Condition;
    // The close's own month, and the corrected timesheets of earlier months it carried.
    let carried = Condition::all()
        .add(statements::Column::Month.lt(summary.month.clone()))
        .add(statements::Column::Kind.eq("client_timesheet"))
        .add(statements::Column::IsCorrection.eq(true));
    let mut made = statements::Entity::find()
        .filter(
            Condition::any()
                .add(statements::Column::Month.eq(summary.month.clone()))
                .add(carried),
        )
        .filter(statements::Column::CreatedAt.eq(summary.created_at))
        .order_by_asc(statements::Column::Kind)
        .order_by_asc(statements::Column::Id)
        .all(db)
        .await?;
    made.sort_by_key(|s| s.id != summary.id);
    Ok(made)
}

/// The files of these statements with their bytes, in the order of `statement_ids`, each
/// statement's by name.
pub async fn files_of(
    db: &impl ConnectionTrait,
    statement_ids: &[Uuid],
) -> Result<Vec<statement_files::Model>, DbErr> {
    let mut by_statement: HashMap<Uuid, Vec<statement_files::Model>> = HashMap::new();
    for part in statement_ids.chunks(IN_LIST) {
        for f in statement_files::Entity::find()
            .filter(statement_files::Column::StatementId.is_in(part.to_vec()))
            .order_by_asc(statement_files::Column::Name)
            .all(db)
            .await?
        {
            by_statement.entry(f.statement_id).or_default().push(f);
        }
    }
    Ok(statement_ids
        .iter()
        .flat_map(|id| by_statement.remove(id).unwrap_or_default())
        .collect())
}

/// A page of the outbox (in a state), in the order it was queued, and how many rows there are.
pub async fn outbox_rows(
    db: &impl ConnectionTrait,
    state: Option<OutboxState>,
    (offset, limit): (u64, u64),
) -> Result<(Vec<outbox::Model>, u64), DbErr> {
    use sea_orm::PaginatorTrait;
    let mut select = outbox::Entity::find()
        .order_by_asc(outbox::Column::CreatedAt)
        .order_by_asc(outbox::Column::Id);
    if let Some(s) = state {
        select = select.filter(outbox::Column::State.eq(s.as_str()));
    }
    let total = select.clone().count(db).await?;
    let rows = select.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
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
        message_id: docs::message_id(of.statement_id, &of.recipient, Some(id)),
        state: OutboxState::Pending.into(),
        attempts: 0,
        next_attempt_at: now,
        last_error: None,
        sent_at: None,
        resend_of: Some(of.id),
        created_at: now,
        claimed_by: None,
        digest: of.digest,
    };
    people::insert(db, row.clone()).await?;
    Ok(row)
}

/// Leases up to `limit` due rows (pending, or a lease that ran out) to the process `owner`: on
/// PostgreSQL rows another process holds are skipped, so two processes never send one mail.
pub async fn claim_due(
    db: &super::Db,
    now: DateTime<Utc>,
    lease: Duration,
    limit: u64,
    owner: &str,
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
        r.claimed_by = Some(owner.to_owned());
        people::update(&txn, r.clone()).await?;
        claimed.push(r);
    }
    txn.commit().await?;
    Ok(claimed)
}

/// Makes the rows `owner` leased due at once: called as a process starts, when nothing of its
/// own can still be sending (it was killed mid-delivery). Returns how many.
pub async fn release_claims_of(
    db: &impl ConnectionTrait,
    owner: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use sea_orm::sea_query::Expr;
    Ok(outbox::Entity::update_many()
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now))
        .col_expr(
            outbox::Column::ClaimedBy,
            Expr::value(Option::<String>::None),
        )
        .filter(outbox::Column::State.eq(OutboxState::Sending.as_str()))
        .filter(outbox::Column::ClaimedBy.eq(owner))
        .exec(db)
        .await?
        .rows_affected)
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
        claimed_by: Set(None),
        ..Default::default()
    })
    .exec(db)
    .await
    .map(|_| ())
}

/// An assistant's pay statements, newest month first, at most `limit`.
pub async fn pay_of_assistant(
    db: &impl ConnectionTrait,
    assistant_id: Uuid,
    limit: u64,
) -> Result<Vec<statements::Model>, DbErr> {
    use sea_orm::QuerySelect;
    statements::Entity::find()
        .filter(statements::Column::AssistantId.eq(assistant_id))
        .filter(statements::Column::Kind.eq("assistant_pay"))
        .order_by_desc(statements::Column::Month)
        .order_by_desc(statements::Column::Version)
        .limit(limit)
        .all(db)
        .await
}
