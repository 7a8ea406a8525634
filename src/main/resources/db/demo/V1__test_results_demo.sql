-- Demo tables of the dev profile's job test-results-sync (routes/demo/test-results-sync.camel.yaml),
-- in schema "demo": test results arrive in a staging table; the job files them into the C and B
-- suites' tables, drops the staged passes and keeps the failures' reasons.
create table stg_test_results (
    id              serial primary key,
    version_uri     text    not null,
    suite           char(1) not null check (suite in ('c', 'b')),
    testcase        text    not null,
    testitem        text    not null,
    result          text    not null check (result in ('pass', 'fail')),
    failure_reason  text
);

create table version_uris (
    uri         text        primary key,
    first_seen  timestamptz not null default now()
);

create table c_testcases (
    id           serial primary key,
    version_uri  text not null references version_uris (uri),
    name         text not null,
    unique (version_uri, name)
);
create table b_testcases (
    id           serial primary key,
    version_uri  text not null references version_uris (uri),
    name         text not null,
    unique (version_uri, name)
);

create table c_testitems (
    testcase_id  integer not null references c_testcases (id),
    name         text    not null,
    result       text    not null,
    primary key (testcase_id, name)
);
create table b_testitems (
    testcase_id  integer not null references b_testcases (id),
    name         text    not null,
    result       text    not null,
    primary key (testcase_id, name)
);

create table c_failure_reasons (
    testcase_id  integer not null references c_testcases (id),
    testitem     text    not null,
    reason       text    not null,
    primary key (testcase_id, testitem)
);
create table b_failure_reasons (
    testcase_id  integer not null references b_testcases (id),
    testitem     text    not null,
    reason       text    not null,
    primary key (testcase_id, testitem)
);

-- Two versions; suite C: 3 test cases of 4 items (item 2 fails), suite B: 2 test cases of 3 items
-- (item 3 fails). 36 staged rows, 10 of them failures.
insert into stg_test_results (version_uri, suite, testcase, testitem, result, failure_reason)
select v.uri, 'c', c.name, 'item-' || i, case when i = 2 then 'fail' else 'pass' end,
       case when i = 2 then 'timeout after 30 s in ' || c.name end
from (values ('git://demo/app@1.0'), ('git://demo/app@1.1')) v(uri),
     (values ('c-login'), ('c-search'), ('c-checkout')) c(name),
     generate_series(1, 4) i
union all
select v.uri, 'b', b.name, 'item-' || i, case when i = 3 then 'fail' else 'pass' end,
       case when i = 3 then 'assertion failed in ' || b.name end
from (values ('git://demo/app@1.0'), ('git://demo/app@1.1')) v(uri),
     (values ('b-api'), ('b-db')) b(name),
     generate_series(1, 3) i;
