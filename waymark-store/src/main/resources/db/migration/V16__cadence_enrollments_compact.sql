-- Cadence enrollments at rest (issue 6, under 1 KB each): the state (next follow-up, outcomes,
-- timeline) is kept deflated in `packed` (see JdbcCadenceStore/EnrollmentState); rows written
-- before keep their JSON in `state` until their next write. "At most one live enrollment per
-- record and cadence" moves from a 73-character active_key to `live` (TRUE while active or paused,
-- NULL once ended) in one unique index on (cadence_id, record_id, live), which also serves the
-- look-up of a record's earlier enrollments (NULLs never collide, so ended ones may repeat).
ALTER TABLE cad_enrollments ADD COLUMN packed BYTEA;
ALTER TABLE cad_enrollments ALTER COLUMN state DROP NOT NULL;
ALTER TABLE cad_enrollments ADD COLUMN live BOOLEAN;
UPDATE cad_enrollments SET live = TRUE WHERE active_key IS NOT NULL;
DROP INDEX cad_enrollments_live;
DROP INDEX cad_enrollments_record;
ALTER TABLE cad_enrollments DROP COLUMN active_key;
CREATE UNIQUE INDEX cad_enrollments_live ON cad_enrollments (cadence_id, record_id, live);
