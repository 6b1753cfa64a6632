-- Corrections after a month is closed (SPEC §5): a coordinator adds a session or voids one; the
-- month's statements are then issued again as corrections, never rewritten.
-- entries.amendment: null for an ordinary entry, 'addition' or 'void' for an amendment.
alter table entries add column amendment text;
-- The sheet's version that its sent statements show; a closed sheet with a later version carries
-- amendments that the next close reports.
alter table month_sheets add column reported_version integer
