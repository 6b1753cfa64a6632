-- An assistant's social insurance status with the day it applies from (it decides the employer
-- contribution rate): a change within a month splits that month's pay at the day. An assistant
-- without rows has the status stored on the assistant for every day.
create table insurance_periods (
    id {uuid} primary key,
    assistant_id {uuid} not null references assistants(id),
    status text not null,
    effective_from {date} not null,
    created_by {uuid},
    created_at {ts} not null
);
create unique index insurance_periods_assistant_day on insurance_periods (assistant_id, effective_from)
