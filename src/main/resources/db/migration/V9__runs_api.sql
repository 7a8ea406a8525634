-- The runs API (README, "API"). Lists are newest first by id, filtered by status or pipeline: these
-- indexes give each filter its rows in that order, so a page reads only its own rows. The status one
-- replaces runs_status_idx, whose lookups it serves as well.
create index runs_status_id_idx on runs (status, id desc);
drop index runs_status_idx;
create index runs_pipeline_id_idx on runs (pipeline, id desc);
-- A published file is downloaded by an id of its own (GET /api/runs/{id}/files/{fileId}): never by its
-- path, so no path a caller sends is ever resolved.
alter table run_outputs add column id bigserial;
create unique index run_outputs_id_idx on run_outputs (id);
