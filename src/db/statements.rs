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

use super::entity::{
    assistants, clients, month_sheets, outbox, statement_files, statements, users,
};
use super::entries::{self, Actor, EntryFilter, instant};
use super::{audit, people, policy};
use crate::domain::decision;
use crate::domain::statements::{self as docs, Line, SummaryRow, Timesheet};
use crate::domain::time::{Month, month_parts, riga_date, riga_midnight};
use mobile_api::InsuranceStatus;

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// What closing needs from the configuration.
pub struct CloseSettings<'a> {
    pub recipients: &'a [String],
    pub municipality: &'a str,
}

/// The active sessions of a client's month as statement lines, clipped to the month.
async fn lines_of(
    db: &impl ConnectionTrait,
    client: &clients::Model,
    month: Month,
) -> Result<Vec<Line>, DbErr> {
    let filter = EntryFilter {
        client_id: Some(client.id),
        month: Some(month),
        status: Some("active".into()),
        ..Default::default()
    };
    let (rows, _) = entries::list(db, &filter, 0, 100_000).await?;
    let trips = entries::trips_of(db, rows.iter().map(|e| e.id).collect()).await?;
    let names = people::assistant_names(db, rows.iter().map(|e| e.assistant_id).collect()).await?;
    let (from, to) = (
        riga_midnight(month.first_day()),
        riga_midnight(month.next().first_day()),
    );
    Ok(rows
        .iter()
        .map(|e| {
            let (start, end) = (instant(e.start_utc), instant(e.end_utc));
            let minutes = month_parts(start, end)
                .into_iter()
                .filter(|(m, _)| *m == month)
                .map(|(_, x)| x)
                .sum();
            let own: Vec<_> = trips.iter().filter(|t| t.entry_id == e.id).collect();
            let starts_here = Month::of(riga_date(start)) == month;
            Line {
                assistant_id: e.assistant_id,
                assistant: names
                    .iter()
                    .find(|(i, _)| *i == e.assistant_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
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
            }
        })
        .collect())
}

async fn next_version(
    db: &impl ConnectionTrait,
    month: Month,
    kind: &str,
    client: Option<Uuid>,
    assistant: Option<Uuid>,
) -> Result<(i32, Option<Uuid>), DbErr> {
    let mut select = statements::Entity::find()
        .filter(statements::Column::Month.eq(month.to_string()))
        .filter(statements::Column::Kind.eq(kind));
    select = match client {
        Some(c) => select.filter(statements::Column::ClientId.eq(c)),
        None => select.filter(statements::Column::ClientId.is_null()),
    };
    select = match assistant {
        Some(a) => select.filter(statements::Column::AssistantId.eq(a)),
        None => select.filter(statements::Column::AssistantId.is_null()),
    };
    let latest = select
        .order_by_desc(statements::Column::Version)
        .one(db)
        .await?;
    Ok(latest
        .map(|s| (s.version + 1, Some(s.id)))
        .unwrap_or((1, None)))
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

#[allow(clippy::too_many_arguments)]
async fn store(
    db: &impl ConnectionTrait,
    month: Month,
    kind: &str,
    client: Option<Uuid>,
    assistant: Option<Uuid>,
    summary: serde_json::Value,
    files: Vec<(String, String, Vec<u8>)>,
    recipients: &[String],
    now: DateTime<Utc>,
) -> Result<statements::Model, DbErr> {
    let (version, supersedes) = next_version(db, month, kind, client, assistant).await?;
    let model = statements::Model {
        id: Uuid::now_v7(),
        month: month.to_string(),
        kind: kind.into(),
        client_id: client,
        assistant_id: assistant,
        version,
        is_correction: version > 1,
        supersedes,
        summary: summary.to_string(),
        created_at: now,
    };
    people::insert(db, model.clone()).await?;
    for (name, mime, content) in files {
        people::insert(
            db,
            statement_files::Model {
                id: Uuid::now_v7(),
                statement_id: model.id,
                name,
                mime,
                content,
            },
        )
        .await?;
    }
    let mut sent_to: Vec<String> = Vec::new();
    for r in recipients {
        if sent_to.iter().any(|s| s.eq_ignore_ascii_case(r)) {
            continue;
        }
        sent_to.push(r.clone());
        people::insert(
            db,
            outbox::Model {
                id: Uuid::now_v7(),
                statement_id: model.id,
                recipient: r.clone(),
                message_id: message_id(model.id, r, None),
                state: "pending".into(),
                attempts: 0,
                next_attempt_at: now,
                last_error: None,
                sent_at: None,
                resend_of: None,
                created_at: now,
            },
        )
        .await?;
    }
    Ok(model)
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

/// Closes every approved client-month of `month`: statements (client timesheets; for each
/// assistant concerned, the month's pay over all closed client-months; the municipality summary),
/// their CSV files and outbox rows, and the sheets become `closed`. Running it again generates
/// nothing; a later close of the same month makes new versions marked as corrections.
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
        .filter(month_sheets::Column::State.is_in(["approved", "closed"]))
        .all(db)
        .await?;
    // Approved sheets close now; closed ones whose amendments no statement shows yet are issued again.
    let amended = |s: &month_sheets::Model| {
        s.state == "closed" && s.reported_version.is_some_and(|v| v < s.version)
    };
    let newly: Vec<&month_sheets::Model> = sheets
        .iter()
        .filter(|s| s.state == "approved" || amended(s))
        .collect();
    if newly.is_empty() {
        return Ok(Vec::new());
    }
    let book = policy::book(db).await?;
    let policy = book.at(month.last_day()).map_err(DbErr::Custom)?;
    let rates: Vec<_> = book
        .versions("hourly_rate_cents")
        .into_iter()
        .filter_map(|(d, v)| Some((d, v.as_i64()?)))
        .collect();
    let label = |code: &str| {
        policy
            .purpose(code)
            .map(|p| p.labels.lv.clone())
            .unwrap_or_else(|| code.to_owned())
    };
    let mut created = Vec::new();
    let mut all_lines: Vec<Line> = Vec::new();
    let mut assistants_now: Vec<Uuid> = Vec::new();
    // Representatives' addresses by client, read once.
    let mut rep_emails: std::collections::HashMap<Uuid, Vec<String>> = Default::default();
    let reps = super::session::users(db, Some("representative"), None, Some(true), 0, 100_000)
        .await?
        .0;
    for rep in reps {
        let Some(email) = rep.email else { continue };
        for client_id in super::session::represented(db, rep.id).await? {
            rep_emails.entry(client_id).or_default().push(email.clone());
        }
    }
    for sheet in &sheets {
        let Some(client) = people::client(db, sheet.client_id).await? else {
            continue;
        };
        let lines = lines_of(db, &client, month).await?;
        all_lines.extend(lines.iter().cloned());
        if sheet.state != "approved" && !amended(sheet) {
            continue;
        }
        assistants_now.extend(lines.iter().map(|l| l.assistant_id));
        let versions: Vec<_> = people::decisions_of(db, client.id)
            .await?
            .iter()
            .map(people::figures)
            .collect();
        let disputes = super::months::disputes(db, client.id, month).await?;
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
        let csv = docs::timesheet_csv(&t, label);
        let pdf = crate::documents::timesheet_pdf(&t, label).map_err(DbErr::Custom)?;
        let mut recipients = settings.recipients.to_vec();
        recipients.extend(client.email.clone());
        recipients.extend(rep_emails.get(&client.id).into_iter().flatten().cloned());
        let summary = json!({
            "title": client.name, "facts": [
                format!("Piešķirts: {} h, izmantots: {} h", docs::hours(t.allowance_minutes), docs::hours(t.used_minutes)),
                format!("Pakalpojuma reizes: {}", t.lines.len()),
                format!("Apstiprinājums: {}", t.confirmation),
            ],
            "allowance_minutes": t.allowance_minutes, "used_minutes": t.used_minutes,
            "transport_used_cents": t.transport_used_cents,
        });
        let name = format!(
            "uzskaites-lapa-{}-{month}.csv",
            crate::domain::text::search_fold(&client.name).replace(' ', "-")
        );
        created.push(
            store(
                db,
                month,
                "client_timesheet",
                Some(client.id),
                None,
                summary,
                vec![
                    (
                        name.clone(),
                        "text/csv; charset=utf-8".into(),
                        csv.into_bytes(),
                    ),
                    (name.replace(".csv", ".pdf"), "application/pdf".into(), pdf),
                ],
                &recipients,
                now,
            )
            .await?,
        );
    }
    assistants_now.sort();
    assistants_now.dedup();
    let mut summary_rows: Vec<SummaryRow> = Vec::new();
    // Each assistant's lines, in one pass (a country has thousands of assistants).
    let mut by_assistant: std::collections::BTreeMap<Uuid, Vec<Line>> = Default::default();
    for l in all_lines {
        by_assistant.entry(l.assistant_id).or_default().push(l);
    }
    for (aid, lines) in by_assistant {
        let Some(a) = assistants::Entity::find_by_id(aid).one(db).await? else {
            continue;
        };
        let status = InsuranceStatus::parse(&a.insurance_status).unwrap_or_default();
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
        for (cid, cname) in &clients_of {
            let own: Vec<&Line> = lines.iter().filter(|l| l.client_id == *cid).collect();
            summary_rows.push(SummaryRow {
                assistant: a.name.clone(),
                client: cname.clone(),
                minutes: own.iter().map(|l| l.minutes).sum(),
                amount_cents: pay
                    .lines
                    .iter()
                    .filter(|p| p.client_id == *cid)
                    .map(|p| p.amount_cents)
                    .sum(),
                trip_cents: own.iter().map(|l| l.trip_cents).sum(),
            });
        }
        if assistants_now.binary_search(&aid).is_err() {
            continue;
        }
        let client_name = |c: Uuid| {
            clients_of
                .iter()
                .find(|(i, _)| *i == c)
                .map(|(_, n)| n.clone())
                .unwrap_or_default()
        };
        let csv = docs::pay_csv(&a.name, &month.to_string(), &pay, client_name);
        let xlsx = crate::documents::pay_xlsx(&a.name, &month.to_string(), &pay, client_name)
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        let mut recipients = settings.recipients.to_vec();
        if let Some(user) = users::Entity::find()
            .filter(users::Column::AssistantId.eq(aid))
            .filter(users::Column::Role.eq("assistant"))
            .one(db)
            .await?
            && let Some(email) = user.email.or(a.email.clone())
        {
            recipients.push(email);
        }
        let summary = json!({
            "title": a.name, "facts": [
                format!("Kopā: {} EUR (bruto {} EUR, darba devēja iemaksas {} EUR)", docs::euros(pay.amount_cents), docs::euros(pay.gross_cents), docs::euros(pay.employer_cents)),
                format!("Stundas: {}", docs::hours(pay.lines.iter().map(|l| l.minutes).sum())),
                format!("Braucienu kompensācija: {} EUR", docs::euros(pay.trip_cents)),
            ],
            "amount_cents": pay.amount_cents, "gross_cents": pay.gross_cents, "employer_cents": pay.employer_cents, "trip_cents": pay.trip_cents,
        });
        let stem = format!(
            "darba-samaksa-{}-{month}",
            crate::domain::text::search_fold(&a.name).replace(' ', "-")
        );
        created.push(
            store(
                db,
                month,
                "assistant_pay",
                None,
                Some(aid),
                summary,
                vec![
                    (
                        format!("{stem}.csv"),
                        "text/csv; charset=utf-8".into(),
                        csv.into_bytes(),
                    ),
                    (format!("{stem}.xlsx"), XLSX.into(), xlsx),
                ],
                &recipients,
                now,
            )
            .await?,
        );
    }
    let (version, _) = next_version(db, month, "municipality_summary", None, None).await?;
    let mut corrections: Vec<String> = newly
        .iter()
        .filter(|s| amended(s))
        .map(|s| format!("labojumi pēc slēgšanas: klients {}", s.client_id))
        .collect();
    if version > 1 {
        corrections.push(format!(
            "{}. versija: {} klientu mēneši slēgti vai laboti no jauna",
            version,
            newly.len()
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
    created.push(
        store(
            db,
            month,
            "municipality_summary",
            None,
            None,
            summary,
            vec![
                (
                    format!("kopsavilkums-{month}.csv"),
                    "text/csv; charset=utf-8".into(),
                    csv.into_bytes(),
                ),
                (format!("kopsavilkums-{month}.xlsx"), XLSX.into(), xlsx),
            ],
            settings.recipients,
            now,
        )
        .await?,
    );

    for sheet in newly {
        let mut closed = sheet.clone();
        if sheet.state == "approved" {
            closed.closed_at = Some(now);
        }
        closed.state = "closed".into();
        closed.version += 1;
        // What the statements just generated show; a later amendment moves the version past it.
        closed.reported_version = Some(closed.version);
        closed.updated_at = now;
        people::update(db, closed).await?;
        entries::record_months(db, sheet.client_id, &[month], now).await?;
        audit::append(
            db,
            now,
            audit::Record {
                actor: Some(actor.user_id),
                action: "month_closed",
                subject_kind: "month",
                subject_id: format!("{}/{}", sheet.client_id, sheet.month),
                client_id: Some(sheet.client_id),
                before: Some(json!({ "state": sheet.state })),
                after: Some(json!({ "state": "closed" })),
            },
        )
        .await?;
    }
    Ok(created)
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
        state: "pending".into(),
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
        .filter(outbox::Column::State.is_in(["pending", "sending"]))
        .filter(outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(outbox::Column::NextAttemptAt)
        .limit(limit);
    if super::is_postgres(&txn) {
        select = select.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let rows = select.all(&txn).await?;
    let mut claimed = Vec::with_capacity(rows.len());
    for mut r in rows {
        r.state = "sending".into();
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
    state: &str,
    next: DateTime<Utc>,
    error: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    row.state = state.into();
    row.next_attempt_at = next;
    row.last_error = error;
    if state == "sent" {
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
