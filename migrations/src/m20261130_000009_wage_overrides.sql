-- An admin's recorded decision to close a month although the hourly rate in force, net of
-- employer contributions, pays less than the minimum hourly wage: one per month, with why.
create table wage_overrides (
    month text primary key,
    reason text not null,
    created_by {uuid},
    created_at {ts} not null
)
