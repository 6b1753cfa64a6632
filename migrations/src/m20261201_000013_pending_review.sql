-- Late sessions waiting for a coordinator's review, by time: the month overview counts them per
-- client without reading every session of the month (queried with the state as a literal, so
-- that both engines use this partial index).
create index entries_pending_review on entries (start_utc) where status = 'pending_review'
