-- The seqs below the first seq of a device's latest push: the phone had their answers (it sends a
-- mutation until it is answered), so their stored outcomes are only kept for a while after that
-- (see `sync_replay_days`), then forgotten. A replay of a forgotten seq is still never applied
-- again: it is at or below `last_applied_seq`, and is answered as a duplicate.
alter table devices add column confirmed_seq bigint not null default 0;
-- The retention finds the old outcomes without reading them all.
create index sync_mutations_received on sync_mutations (received_at)
