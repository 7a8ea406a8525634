-- A run cut off by a shutdown ends 'interrupted' (not 'failed', never left 'running');
-- 'cancelled' is taken by the runs API and the job failure policy.
alter table runs drop constraint runs_status_check;
alter table runs add constraint runs_status_check check (status in
    ('pending', 'running', 'completed', 'partial', 'failed', 'skipped', 'abandoned', 'interrupted', 'cancelled'));
