-- A check that lets an SQL source's reading skip marking every unchanged row: keysum is
-- the sum (mod 2^64) of SnapshotKey.Hash over the row keys in sql_snapshot after the
-- reading, beside their count in rows. A reading that met as many stored keys as rows,
-- with the same sum, met every stored key once, so no key disappeared and none needs a
-- write. NULL: not known yet (written by the first full reading after this migration).
ALTER TABLE sql_readings ADD COLUMN keysum INTEGER;
