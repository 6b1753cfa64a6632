-- Rules that follow real life (issue "Rules that follow real life").
-- month_disputes.entry_version: the version of the session the client disputed, so that the
-- month's confirmation can tell a corrected session from one the client accepted as it stood.
alter table month_disputes add column entry_version integer
