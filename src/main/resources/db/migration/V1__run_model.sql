-- The run model shared by every pipeline (DESIGN.md, "The run model").
create table runs (
    id            bigserial primary key,
    pipeline      text        not null,
    status        text        not null check (status in
                      ('pending', 'running', 'completed', 'partial', 'failed', 'skipped', 'abandoned')),
    trigger       text        not null check (trigger in ('schedule', 'api', 'startup', 'manual')),
    params        jsonb       not null default '{}'::jsonb,
    progress      integer     not null default 0 check (progress between 0 and 100),
    current_step  text,
    error         text,
    created_at    timestamptz not null default now(),
    started_at    timestamptz,
    finished_at   timestamptz,
    heartbeat_at  timestamptz,
    owner         text,
    output_dir    text
);
create index runs_status_idx on runs (status);
create index runs_pipeline_created_idx on runs (pipeline, created_at desc);
-- At most one live run per pipeline: the database, not a lock in one JVM, decides overlap,
-- so the rule holds across several Harvester instances sharing this database.
create unique index runs_one_live_run_per_pipeline on runs (pipeline) where status in ('pending', 'running');

create table run_steps (
    run_id       bigint      not null references runs (id) on delete cascade,
    ordinal      integer     not null,
    name         text        not null,
    status       text        not null,
    attempt      integer     not null default 1,
    started_at   timestamptz,
    finished_at  timestamptz,
    records      bigint      not null default 0,
    error        text,
    result       jsonb,
    primary key (run_id, ordinal)
);

create table run_logs (
    id       bigserial primary key,
    run_id   bigint      not null references runs (id) on delete cascade,
    step     text,
    level    text        not null,
    message  text        not null,
    ts       timestamptz not null default now(),
    extra    jsonb
);
create index run_logs_run_idx on run_logs (run_id, ts);

create table run_outputs (
    run_id     bigint  not null references runs (id) on delete cascade,
    path       text    not null,
    bytes      bigint  not null,
    rows       bigint  not null,
    sha256     text    not null,
    "primary"  boolean not null default true,
    primary key (run_id, path)
);
