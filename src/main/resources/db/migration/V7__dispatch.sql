-- Task dispatch (README, "Task dispatch"): keyword tasks become Redis task sets by hourly slot, each
-- tracked by a task_information row. A row is written unconfirmed before its set and confirmed after, so
-- whatever a crash left is found (an unconfirmed row) and finished by the next generation.
create table task_for_keyword (
    id                 bigserial primary key,
    keyword            text    not null,
    market_place_code  text    not null,
    crawl_object       text    not null,
    frequent           integer not null,
    ds                 text    not null,  -- copied verbatim into the elements, e.g. 20240321
    enabled            boolean not null default true
);
create index task_for_keyword_enabled_idx on task_for_keyword (crawl_object, frequent) where enabled;

create table category_list_info (
    category_id     text not null,
    category_name   text,
    marketplace_id  text not null,
    list_type       text,
    url             text,
    primary key (category_id, marketplace_id)
);

create table task_information (
    task_id          bigserial   primary key,
    task_type        text        not null,
    create_at        timestamptz not null default now(),
    task_source      text        not null unique,  -- the Redis set's name: one row per set, ever
    task_start_time  timestamptz not null,
    priority         integer     not null default 0,
    task_status      text        not null default 'Pending'
                     check (task_status in ('Pending', 'In Progress', 'Completed', 'Failed')),
    elements         integer     not null default 0,
    confirmed        boolean     not null default false,  -- its set was written
    last_size        integer,      -- the set's size at the last sweep
    size_changed_at  timestamptz   -- when a sweep last saw it change: a set that stops shrinking is flagged
);
create index task_information_open_idx on task_information (task_status) where task_status in ('Pending', 'In Progress');

create table task_status (
    task_id     text        primary key,
    state       text        not null,
    payload     jsonb,
    updated_at  timestamptz not null default now()
);
