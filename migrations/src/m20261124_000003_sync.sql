-- Every mutation a device pushed, kept for good: a replay of (device, seq) with the same body gets
-- this outcome again, a different body is a seq_conflict. The row is written in the transaction
-- that applies the mutation and moves devices.last_applied_seq, so both happen or neither.
create table sync_mutations (
    device_row {uuid} not null references devices (id),
    seq bigint not null,
    name text not null,
    body_hash text not null,
    status text not null,
    outcome text not null,
    device_time {ts},
    received_at {ts} not null,
    primary key (device_row, seq)
);

-- What devices pull. A change is written with position null in the transaction that makes it; a
-- sequencer (one at a time, under a lock) later numbers the rows that are committed by then, in id
-- order. A row only gets a number once it is visible, and later runs only hand out larger numbers,
-- so a reader that has seen position P never misses a change numbered below P, even though
-- PostgreSQL commits id values out of order.
-- Scope columns say who may see it: the assistant (entries, assignments), the client (months,
-- decisions, entries for clients and representatives), the user (refused mutations).
create table changes (
    id {serial},
    position bigint unique,
    kind text not null,
    op text not null,
    entity_id text not null,
    client_id {uuid},
    assistant_id {uuid},
    user_id {uuid},
    data text not null,
    created_at {ts} not null
);
create index changes_unnumbered on changes (id) where position is null;
create index changes_client on changes (client_id, position);
create index changes_assistant on changes (assistant_id, position)
