-- Built reports live in the database, not in the directory of the node that built them: a report is stored in the
-- transaction that sets sent_at and deletes its counts, and any node delivers it (RFC 8460: one report a day).
ALTER TABLE tlsrpt_sent
    ADD COLUMN report_id text,                    -- RFC 8460 report-id; these four are null when no report was built
    ADD COLUMN unique_id text,                    -- the RFC 8460 §5.1 unique id (attachment name, Message-ID)
    ADD COLUMN submitter text,                    -- host name of the node that built it
    ADD COLUMN report    bytea;                   -- the gzip-compressed JSON report
CREATE TABLE tlsrpt_delivery (                    -- one row per report and rua destination
    report_day    date        NOT NULL,
    policy_domain text        NOT NULL,
    destination   text        NOT NULL,
    leased_by     text,                           -- the node sending it now
    lease_until   timestamptz,                    -- after this another node may send it (the sender died)
    attempts      integer     NOT NULL DEFAULT 0,
    last_error    text,                           -- why the last attempt failed
    done_at       timestamptz,                    -- null while it is still to be sent
    outcome       text CHECK (outcome IN ('delivered', 'rejected', 'gave-up')),
    PRIMARY KEY (report_day, policy_domain, destination),
    FOREIGN KEY (report_day, policy_domain) REFERENCES tlsrpt_sent ON DELETE CASCADE
);
CREATE INDEX tlsrpt_delivery_due ON tlsrpt_delivery (report_day, policy_domain) WHERE done_at IS NULL;
