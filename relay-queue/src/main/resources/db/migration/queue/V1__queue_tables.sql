-- The shared queue (docs/cluster.md). One row per message, one per envelope recipient, and the content in
-- chunks of at most 256 KiB so that neither writing nor reading ever needs a whole body in memory.

CREATE TABLE queue_message (
    id          text        PRIMARY KEY,
    envelope    jsonb       NOT NULL,
    received_at timestamptz NOT NULL,
    size        bigint      NOT NULL,
    held        boolean     NOT NULL DEFAULT false,
    -- when the DSNs the message owes should be queued; null when none is owed
    report_due  timestamptz,
    -- earliest time anything is left to do (MessageState.nextDue); null when finished
    next_due    timestamptz,
    -- the node process delivering it, until lease_until (database clock); a lapsed lease is free to take
    lease_owner text,
    lease_until timestamptz,
    accepted_by text        NOT NULL
);

-- The lease query: due, not held, ordered by due time.
CREATE INDEX queue_message_due ON queue_message (next_due) WHERE NOT held AND next_due IS NOT NULL;
CREATE INDEX queue_message_received ON queue_message (received_at);
-- Finished messages whose removal failed, swept by every node's lease timer.
CREATE INDEX queue_message_finished ON queue_message (id) WHERE next_due IS NULL;

CREATE TABLE queue_recipient (
    message_id      text        NOT NULL REFERENCES queue_message (id) ON DELETE CASCADE,
    idx             integer     NOT NULL,
    address         text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'BOUNCED')),
    attempts        integer     NOT NULL,
    next_attempt    timestamptz,
    last_attempt    timestamptz,
    last_status     text,
    last_diagnostic text,
    remote_mta      text,
    report          text        NOT NULL CHECK (report IN ('NONE', 'FAILED', 'DELAYED', 'RELAYED')),
    delay_warned    boolean     NOT NULL,
    -- the last attempts (RecipientState.HISTORY_LIMIT), as JSON
    history         jsonb       NOT NULL,
    PRIMARY KEY (message_id, idx)
);

CREATE TABLE queue_content (
    message_id text    NOT NULL REFERENCES queue_message (id) ON DELETE CASCADE,
    seq        integer NOT NULL,
    data       bytea   NOT NULL,
    PRIMARY KEY (message_id, seq)
);

-- Out of line and uncompressed: most of a mail's bytes are base64 of already compressed attachments, so
-- compressing chunks would spend the shared database's CPU on every write for little gain.
ALTER TABLE queue_content ALTER COLUMN data SET STORAGE EXTERNAL;
