-- The warnings found when an entry was last written: a JSON array of {code, details}. Kept so
-- that coordinators can list the entries that carry them.
alter table entries add column warnings text;

-- A POST /api/v1/entries retried with the same Idempotency-Key gets the first answer again. The
-- key is the caller's, so it is scoped to the user; request_hash tells a replay from a reuse.
create table idempotency_keys (
    user_id {uuid} not null,
    key text not null,
    request_hash text not null,
    status integer not null,
    response text not null,
    created_at {ts} not null,
    primary key (user_id, key)
)
