-- A changed portion of an entry in the FatSecret diary is sent as `food_entry.edit`: at most one
-- row per entry (UNIQUE (food_entry_id, operation)), which a later change sets pending again.
ALTER TABLE food_diary_outbox DROP CONSTRAINT food_diary_outbox_operation_check;
ALTER TABLE food_diary_outbox ADD CONSTRAINT food_diary_outbox_operation_check
    CHECK (operation IN ('create', 'delete', 'edit'));
