DROP INDEX inbox_updates_redrivable;
ALTER TABLE inbox_updates DROP COLUMN redrives, DROP COLUMN park_cause;
