-- Lookups the console and the statements make by a column that had no index: a statement's
-- files and mail (read per statement), the changes of one login (a new phone's first pull),
-- the disputes still open (the exceptions queue), and one client's audit records (the card).
create index statement_files_statement on statement_files (statement_id);
create index outbox_statement on outbox (statement_id);
create index changes_user on changes (user_id, position);
create index month_disputes_open on month_disputes (raised_at) where resolved_at is null;
create index audit_log_client on audit_log (client_id, id)
