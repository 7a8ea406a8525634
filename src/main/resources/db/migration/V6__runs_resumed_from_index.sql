-- Retention deletes runs in batches. Every deleted run makes PostgreSQL check that no run names it in
-- resumed_from (a foreign key): without an index that check reads the whole runs table once per
-- deleted run. Few runs resume another, so the index holds only those.
create index runs_resumed_from_idx on runs (resumed_from) where resumed_from is not null;
