-- A month close runs in the background: the request records a job and answers at once; a worker
-- (first the process that took the request, else any process whose round finds it) claims it
-- with a lease, closes the month in one transaction and records what it made. A job whose
-- worker died is claimed again once its lease has run out (the close it was running rolled back).
create table close_jobs (
    id {uuid} primary key,
    month text not null,
    state text not null,
    requested_by {uuid},
    requested_at {ts} not null,
    started_at {ts},
    finished_at {ts},
    lease_until {ts},
    claimed_by text,
    statements bigint not null default 0,
    mails_queued bigint not null default 0,
    pending text not null default '[]',
    error_code text,
    error_details text
);
create index close_jobs_month on close_jobs (month, requested_at);
create index close_jobs_state on close_jobs (state, lease_until);
-- The statements a close job made name it (those of earlier closes, by the CLI before v1.4 or
-- by the schedule, name none).
alter table statements add column close_job {uuid};
create index statements_close_job on statements (close_job)
