-- Step jobs (README, "Step jobs") and the zombie sweep every pipeline shares.
-- A trigger skipped by the failure policy names the failed or stuck run it counts against; the
-- trigger after the last allowed skip cancels that run.
alter table runs add column blocked_by bigint references runs (id) on delete set null;
create index runs_blocked_by_idx on runs (blocked_by) where blocked_by is not null;
-- Set by whoever cancels a run another instance owns; the owner sees it on its next heartbeat, stops
-- the run's thread and its running SQL statement, and clears it to confirm.
alter table runs add column cancel_requested text;

-- Every instance beats here, so the sweep can tell a dead owner (its run is abandoned) from a live
-- owner whose run went silent (the run failed).
create table instances (
    id            text        primary key,
    started_at    timestamptz not null default now(),
    heartbeat_at  timestamptz not null default now()
);

-- a step ends as its run does when the run is cut off (a crawl level 'interrupted')
alter table run_steps add constraint run_steps_status_check check (status in
    ('pending', 'running', 'completed', 'partial', 'failed', 'skipped', 'cancelled', 'interrupted', 'abandoned'));
