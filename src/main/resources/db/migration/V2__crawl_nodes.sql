-- Hierarchy crawl checkpoint: every node found, and whether its own lookup is done.
-- A lookup's children and its parent's 'done' are written in one transaction, so after a crash
-- 'done' nodes are never requested again and 'pending' ones are.
create table crawl_nodes (
    run_id     bigint      not null references runs (id) on delete cascade,
    node_key   text        not null,  -- sibling positions from the root, zero-padded, '.'-joined: orders depth-first
    level      integer     not null check (level >= 1),
    id         text        not null,
    parent_id  text,
    name       text,
    type       text,
    path       text        not null,  -- ids from the root joined by '/'
    status     text        not null check (status in ('pending', 'done', 'failed')),
    error      text,
    updated_at timestamptz not null default now(),
    primary key (run_id, node_key)
);
create index crawl_nodes_status_idx on crawl_nodes (run_id, status);

-- A crawl run may continue the checkpoint of an interrupted or partial run of the same pipeline.
alter table runs add column resumed_from bigint references runs (id);
