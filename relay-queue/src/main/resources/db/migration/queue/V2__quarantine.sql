-- Quarantine (docs/cluster.md, "Unreadable rows"): a message whose rows do not read back as a message is set
-- aside instead of failing every lease transaction that picks it. Nothing deletes a quarantined row but an
-- operator; clearing quarantined_at after repairing the rows puts it back in the queue.

ALTER TABLE queue_message
    ADD COLUMN quarantined_at    timestamptz,
    ADD COLUMN quarantine_reason text;

-- The lease query and the finished-message sweep skip quarantined rows, so their partial indexes do too.
DROP INDEX queue_message_due;
CREATE INDEX queue_message_due ON queue_message (next_due)
    WHERE NOT held AND next_due IS NOT NULL AND quarantined_at IS NULL;
DROP INDEX queue_message_finished;
CREATE INDEX queue_message_finished ON queue_message (id) WHERE next_due IS NULL AND quarantined_at IS NULL;
-- For counting and listing them (the queue gauge, start-up report): a handful of rows at most.
CREATE INDEX queue_message_quarantined ON queue_message (quarantined_at) WHERE quarantined_at IS NOT NULL;
