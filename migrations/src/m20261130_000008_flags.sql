-- Facts recorded after the fact: an entry a later suspension, amended decision or policy row
-- makes break a rule is `flagged` (a status, stored as text like the others) and carries why:
-- the rule and its details, and once a coordinator kept it, who did, when and why (JSON).
alter table entries add column flag text;
-- The coordinator's list of flagged entries, and the approval's check for them.
create index entries_flagged on entries (client_id, start_utc) where status = 'flagged'
