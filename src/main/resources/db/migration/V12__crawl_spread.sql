-- A crawl spread over instances (spread: true) shares its frontier through this table: an instance claims
-- pending nodes (claimed_by, claimed_at) in batches with for update skip locked, looks them up and writes
-- their children. A claim holds while its instance beats (harvester.cluster.lease); a dead one's claims are
-- claimed again.
alter table crawl_nodes add column claimed_by text;
alter table crawl_nodes add column claimed_at timestamptz;
