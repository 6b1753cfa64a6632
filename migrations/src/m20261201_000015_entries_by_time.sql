-- The coordinators' list of a month's sessions of every client reads a page in time order and
-- counts the month's sessions: the range of starts from the month's first day less the longest
-- session the policy ever allowed, up to its end. With the end and the state in it, the count
-- reads the index alone. Deleted sessions are never listed by month, and leaving them out of
-- the index keeps the lists of one state (the exceptions queue's late and flagged sessions) on
-- their own partial indexes instead of this one.
create index entries_time on entries (start_utc, end_utc, status) where status <> 'deleted'
