-- GET /api/instances names each instance's host; an instance is alive while its heartbeat_at is younger
-- than harvester.cluster.lease.
alter table instances add column host text;
