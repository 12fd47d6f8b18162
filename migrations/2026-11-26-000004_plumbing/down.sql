DROP TABLE job_runs;
DROP TABLE notification_sends;
DROP TABLE inbox_updates;
DROP TABLE conversation_messages;
