-- What the statements sent so far paid, per work month × assistant × client × rate period: each
-- close adds the rows it reported (a first close the month's lines, an addition the client-months
-- closed in it, a correction the differences against what was sent), so their sum is always what
-- has been paid, and a correction is the difference between the month as it stands and that sum.
create table reported_lines (
    id {uuid} primary key,
    -- The municipality summary that carried the row.
    statement_id {uuid} not null references statements(id),
    month text not null,
    assistant_id {uuid} not null,
    client_id {uuid} not null,
    rate_from {date} not null,
    rate_cents bigint not null,
    minutes bigint not null,
    amount_cents bigint not null,
    trip_cents bigint not null,
    created_at {ts} not null
);
create index reported_lines_client_month on reported_lines (client_id, month)
;
-- Whether a closed client-month's lines were recorded when it was reported. Months closed
-- before these records existed have none: a correction of one cannot be computed as a
-- difference, and the close says so instead of paying the month again.
alter table month_sheets add column lines_reported {bool} not null default false
