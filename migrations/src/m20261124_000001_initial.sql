-- Conventions: ids are UUIDs chosen by the server (or, for entries, by the device), money is
-- integer euro cents, durations integer minutes, instants UTC. Enumerations are short text codes
-- checked by the service, so a new purpose or role is not a schema change.

-- The person receiving the service. personal_code is sensitive: only coordinators see it and it
-- never reaches a log. pin_hash is the client's own confirmation PIN (Argon2id), never in clear.
create table clients (
    id {uuid} primary key,
    name text not null,
    -- the name in lower case with Latvian diacritics folded, for search ("berzins" finds "Bērziņš")
    search_name text not null,
    birth_date {date} not null,
    personal_code text,
    disability_group integer,
    locale text not null default 'lv',
    email text,
    phone text,
    pin_hash text,
    active {bool} not null,
    created_at {ts} not null,
    updated_at {ts} not null
);
create index clients_search on clients (search_name);

-- A decision is versioned: every version is a row of one series. Version 1 starts at valid_from,
-- an amendment is a new row with a later effective_from. History is never edited. The version in
-- force on a day is the highest version of its series whose effective_from is not after that day.
-- purposes is a JSON array of purpose codes, null meaning every purpose of the service kind.
create table decisions (
    id {uuid} primary key,
    series_id {uuid} not null,
    version integer not null,
    client_id {uuid} not null references clients (id),
    number text not null,
    decided_on {date} not null,
    service text not null,
    valid_from {date} not null,
    valid_to {date} not null,
    effective_from {date} not null,
    monthly_minutes integer not null,
    purposes text,
    transport_allowed {bool} not null,
    transport_cap_cents bigint not null,
    weekly_procedures {bool} not null,
    note text,
    created_at {ts} not null,
    created_by {uuid},
    unique (series_id, version)
);
create index decisions_client on decisions (client_id, service);

-- Periods (inpatient care, long-term social care, prison) in which a decision's service may not
-- be given. They belong to the series, so they hold across amendments. Both days inclusive.
create table suspensions (
    id {uuid} primary key,
    series_id {uuid} not null,
    client_id {uuid} not null references clients (id),
    starts_on {date} not null,
    ends_on {date} not null,
    reason text not null,
    created_at {ts} not null,
    created_by {uuid}
);
create index suspensions_client on suspensions (client_id);

-- The paid assistant or companion. insurance_status decides the split of the hourly amount into
-- gross pay and employer contributions (policy data).
create table assistants (
    id {uuid} primary key,
    name text not null,
    search_name text not null,
    email text,
    phone text,
    personal_code text,
    iban text,
    insurance_status text not null,
    active {bool} not null,
    created_at {ts} not null,
    updated_at {ts} not null
);
create index assistants_search on assistants (search_name);

-- Assistant <-> client for one service kind and period (valid_to null = open-ended).
-- relative: the assistant is a family member of the client (the statement says so).
create table assignments (
    id {uuid} primary key,
    assistant_id {uuid} not null references assistants (id),
    client_id {uuid} not null references clients (id),
    service text not null,
    valid_from {date} not null,
    valid_to {date},
    relative {bool} not null,
    created_at {ts} not null,
    updated_at {ts} not null
);
create index assignments_assistant on assignments (assistant_id);
create index assignments_client on assignments (client_id);

-- Logins. A user is linked to the assistant or client it acts as; representatives are linked to
-- their clients through the representatives table.
create table users (
    id {uuid} primary key,
    login text not null unique,
    password_hash text not null,
    role text not null,
    display_name text not null,
    locale text not null,
    email text,
    assistant_id {uuid} references assistants (id),
    client_id {uuid} references clients (id),
    active {bool} not null,
    created_at {ts} not null,
    updated_at {ts} not null
);

create table representatives (
    user_id {uuid} not null references users (id),
    client_id {uuid} not null references clients (id),
    primary key (user_id, client_id)
);
create index representatives_client on representatives (client_id);

-- One row per (user, device): the device's bearer token (only its SHA-256 is kept), its expiry and
-- revocation, and the last sync sequence number applied for it.
create table devices (
    id {uuid} primary key,
    user_id {uuid} not null references users (id),
    device_id text not null,
    name text not null,
    platform text not null,
    app_version text not null,
    token_hash text not null unique,
    created_at {ts} not null,
    last_login_at {ts} not null,
    expires_at {ts} not null,
    revoked_at {ts},
    revoked_by {uuid},
    last_applied_seq bigint not null,
    unique (user_id, device_id)
);

-- Failed logins per key ('login:<name>' or 'addr:<ip>'), to answer too_many_attempts.
create table login_attempts (
    key text primary key,
    failures integer not null,
    window_started_at {ts} not null,
    locked_until {ts}
);

-- A service session. The id is chosen by the device, so a retried upload names the same row.
-- Instants are integer Unix seconds (UTC) plus the UTC offset in seconds the device sent: integer
-- comparison is exact and identical on both engines, and the original local time can be rebuilt.
-- minutes is real elapsed time. version grows by one with each change.
create table entries (
    id {uuid} primary key,
    client_id {uuid} not null references clients (id),
    assistant_id {uuid} not null references assistants (id),
    purpose text not null,
    start_utc bigint not null,
    start_offset integer not null,
    end_utc bigint not null,
    end_offset integer not null,
    minutes integer not null,
    place text not null,
    note text,
    status text not null,
    version integer not null,
    late {bool} not null,
    review_reason text,
    reviewed_by {uuid},
    reviewed_at {ts},
    created_by {uuid} not null,
    device_time {ts},
    received_at {ts} not null,
    created_at {ts} not null,
    updated_at {ts} not null
);
create index entries_client_time on entries (client_id, start_utc);
create index entries_assistant_time on entries (assistant_id, start_utc);

-- Legs travelled with the client. Distance in metres keeps it an integer.
create table trips (
    entry_id {uuid} not null references entries (id) on delete cascade,
    position integer not null,
    mode text not null,
    from_place text not null,
    to_place text not null,
    distance_m integer not null,
    cost_cents bigint not null,
    primary key (entry_id, position)
);

-- One client x one calendar month (Europe/Riga). used_minutes and transport_used_cents are kept
-- in step with the entries in the transaction that writes them; this row is also what writers
-- lock so that two of them never spend the same free minutes.
create table month_sheets (
    id {uuid} primary key,
    client_id {uuid} not null references clients (id),
    month text not null,
    state text not null,
    used_minutes bigint not null,
    transport_used_cents bigint not null,
    version integer not null,
    submitted_at {ts},
    submitted_by {uuid},
    confirmed_at {ts},
    confirmed_by {uuid},
    confirmed_as text,
    approved_at {ts},
    approved_by {uuid},
    approval_reason text,
    closed_at {ts},
    updated_at {ts} not null,
    unique (client_id, month)
);

-- A client's objection to one entry of a month, and how it was resolved.
create table month_disputes (
    id {uuid} primary key,
    client_id {uuid} not null references clients (id),
    month text not null,
    entry_id {uuid} not null references entries (id),
    reason text not null,
    comment text,
    raised_by {uuid} not null,
    raised_at {ts} not null,
    resolved_at {ts},
    resolution text
);
create index month_disputes_month on month_disputes (client_id, month);

-- The figures of the regulation as versioned data: the value of key in force on a day is the row
-- with the latest effective_from not after that day. value is JSON. Rows are only ever added.
create table policy_values (
    id {uuid} primary key,
    key text not null,
    effective_from {date} not null,
    value text not null,
    source text not null,
    note text,
    created_at {ts} not null,
    created_by {uuid},
    unique (key, effective_from)
);

-- Append-only, hash-chained: hash = SHA-256(prev_hash and the record's canonical text), so an
-- edited or deleted row breaks the chain at that point. The service has no update or delete
-- path for this table.
create table audit_log (
    id {serial},
    at {ts} not null,
    actor_user_id {uuid},
    action text not null,
    subject_kind text not null,
    subject_id text not null,
    client_id {uuid},
    before text,
    after text,
    prev_hash text not null,
    hash text not null
);

-- A generated, immutable statement. A correction is a new version that names what it supersedes.
create table statements (
    id {uuid} primary key,
    month text not null,
    kind text not null,
    client_id {uuid},
    assistant_id {uuid},
    version integer not null,
    is_correction {bool} not null,
    supersedes {uuid},
    summary text not null,
    created_at {ts} not null
);
create index statements_month on statements (month, kind);

create table statement_files (
    id {uuid} primary key,
    statement_id {uuid} not null references statements (id),
    name text not null,
    mime text not null,
    content {bytes} not null
);

-- Mail to send, written in the transaction that closes the month. One row per (statement version,
-- recipient, send); a resend on purpose is a new row pointing at the one it repeats.
create table outbox (
    id {uuid} primary key,
    statement_id {uuid} not null references statements (id),
    recipient text not null,
    message_id text not null,
    state text not null,
    attempts integer not null,
    next_attempt_at {ts} not null,
    last_error text,
    sent_at {ts},
    resend_of {uuid},
    created_at {ts} not null
);
create index outbox_due on outbox (state, next_attempt_at)
