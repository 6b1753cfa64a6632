-- Trust under attack (docs/security.md).
-- users.password_temporary: the password was set by staff (a reset, or a client's or
-- representative's first password); the login must choose its own before doing anything else.
alter table users add column password_temporary {bool} not null default false;
-- devices.temporary: the token was opened with such a password; it may only change the password
-- (and log out, and read /me).
alter table devices add column temporary {bool} not null default false;
-- outbox.claimed_by: the process that leased a row for sending (`host/bind address`), so that a
-- restarted process gives back its own leases at once instead of waiting for them to run out.
alter table outbox add column claimed_by text;
-- outbox.digest: one mail per recipient per close (the accountants' addresses), its statement
-- the close's summary; it carries the files of every statement that close issued.
alter table outbox add column digest {bool} not null default false
