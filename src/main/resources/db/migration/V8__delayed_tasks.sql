-- Delayed tasks (README, "Task dispatch"): a task due later than harvester.dispatch.delay-threshold waits
-- here; a scan moves it into the Redis sorted set before its time and deletes its row in the same
-- transaction. The row id names the task in Redis as well (tasks accepted straight into Redis take their
-- id from this sequence too), so a task moved twice after a crash is still one member there.
create table delayed_tasks (
    id          bigserial   primary key,
    target_set  text        not null,  -- the Redis set the element goes into at due_at
    element     text        not null,
    due_at      timestamptz not null,
    created_at  timestamptz not null default now()
);
create index delayed_tasks_due_idx on delayed_tasks (due_at);
