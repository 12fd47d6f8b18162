DROP INDEX tasks_parked;
DROP INDEX inbox_updates_waiting;
DROP INDEX inbox_updates_parked;
