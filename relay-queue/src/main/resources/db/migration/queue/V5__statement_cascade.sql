-- Fewer statements per message (issue 17, docs/cluster.md "Per-message cost measured").
--
-- The foreign keys of V1 ran four trigger statements for every message: at intake one check per recipient and
-- content row, each locking the message row FOR KEY SHARE (a lock written to its page), and at removal one
-- cascading DELETE per message and child table. Nothing but the relay inserts these rows, and it inserts a
-- message's rows in one transaction, so the checks guard nothing the relay needs. The removal stays automatic,
-- for the relay and for an operator's DELETE alike, but runs once per statement: one DELETE of each child table
-- for every message the statement removed.
ALTER TABLE queue_recipient DROP CONSTRAINT queue_recipient_message_id_fkey;
ALTER TABLE queue_content DROP CONSTRAINT queue_content_message_id_fkey;

-- search_path FROM CURRENT: the queue's schema, whatever the search_path of the session that deletes.
-- "= ANY (ARRAY(...))", not "IN (SELECT ...)": a lookup in the primary key whatever the statistics say. With the
-- join, a planner whose statistics lag behind a fast-growing queue chose to read the whole table for every DELETE.
CREATE FUNCTION queue_message_delete_rows() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
    DELETE FROM queue_recipient WHERE message_id = ANY (ARRAY(SELECT id FROM removed));
    DELETE FROM queue_content WHERE message_id = ANY (ARRAY(SELECT id FROM removed));
    RETURN NULL;
END
$$;

CREATE TRIGGER queue_message_delete_rows AFTER DELETE ON queue_message REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION queue_message_delete_rows();
