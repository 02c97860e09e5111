-- Erasures not yet compacted away: one row, counted up by every erasure of
-- personal parts (a request.erased from a counter, the centre's own purge)
-- and down by the compaction (VACUUM FULL of personal) that makes their
-- bytes gone from the table files.
CREATE TABLE erasures (
    id      smallint PRIMARY KEY CHECK (id = 1),
    pending bigint NOT NULL
);
INSERT INTO erasures (id, pending) VALUES (1, 0);

-- ANALYZE copies sample values of a column into pg_statistic (most common
-- values, histogram bounds): of the personal column, names and NIKs, and
-- of the survey answers, their comments, which an erasure would not reach.
-- Changing a column's type (to the same type) drops the statistics taken
-- so far; SET STATISTICS 0 keeps ANALYZE from ever sampling it again. (The
-- dropped rows' bytes go at the next compaction, which rewrites
-- pg_statistic too.)
ALTER TABLE personal ALTER COLUMN personal TYPE bytea;
ALTER TABLE personal ALTER COLUMN personal SET STATISTICS 0;
ALTER TABLE surveys ALTER COLUMN answer TYPE text;
ALTER TABLE surveys ALTER COLUMN answer SET STATISTICS 0;
