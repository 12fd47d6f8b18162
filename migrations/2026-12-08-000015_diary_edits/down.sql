DELETE FROM food_diary_outbox WHERE operation = 'edit';
ALTER TABLE food_diary_outbox DROP CONSTRAINT food_diary_outbox_operation_check;
ALTER TABLE food_diary_outbox ADD CONSTRAINT food_diary_outbox_operation_check
    CHECK (operation IN ('create', 'delete'));
