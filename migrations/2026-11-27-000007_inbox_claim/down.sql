ALTER TABLE inbox_updates RESET (
    autovacuum_vacuum_scale_factor,
    autovacuum_vacuum_threshold,
    autovacuum_analyze_scale_factor,
    autovacuum_analyze_threshold
);
DROP INDEX inbox_updates_open_order;
