DROP TABLE whoop_cycles;
DROP TABLE whoop_recovery;
DROP TABLE whoop_sleep;
DROP TABLE whoop_workouts;
