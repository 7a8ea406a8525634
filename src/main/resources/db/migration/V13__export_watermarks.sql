-- An incremental export's watermark (docs/incremental-exports.md): the highest incrementalField value that its
-- last completed run wrote, from which the next run asks (less the lookback). Only a completed, published run that
-- was not a backfill moves it, and only when the row is still at the version the run read (a reset meanwhile wins);
-- a reset through the API or JMX sets it to a given value, or forgets it (value null: the next run starts from
-- incrementalStart); the row is never deleted, so its version only grows. The row outlives the export's route: an edit that removes and re-adds it keeps its place.
create table export_watermarks (
    pipeline   text primary key,
    value      text,
    version    bigint not null default 1,
    run_id     bigint,
    set_by     text not null,
    updated_at timestamptz not null default now()
);
