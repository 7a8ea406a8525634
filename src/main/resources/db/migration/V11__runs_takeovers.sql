-- How many times a live run was taken over from a dead instance (harvester.cluster.lease); past
-- harvester.cluster.max-takeovers it ends failed instead.
alter table runs add column takeovers integer not null default 0;
