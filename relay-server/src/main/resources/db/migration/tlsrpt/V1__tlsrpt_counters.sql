-- TLS-RPT session counts of every relay node (RFC 8460), summed here so that one daily report counts all nodes.
CREATE TABLE tlsrpt_counter (
    report_day     date   NOT NULL,               -- UTC day the sessions belong to
    policy_domain  text   NOT NULL,
    policy_key     text   NOT NULL,               -- SHA-256 of policy_json, to keep the key short
    policy_json    jsonb  NOT NULL,               -- the policy entry (type, policy-string, mx-host)
    successes      bigint NOT NULL DEFAULT 0,
    failures       bigint NOT NULL DEFAULT 0,     -- including failures beyond the detail cap
    PRIMARY KEY (report_day, policy_domain, policy_key)
);
CREATE TABLE tlsrpt_failure (
    report_day     date   NOT NULL,
    policy_domain  text   NOT NULL,
    policy_key     text   NOT NULL,
    failure_key    text   NOT NULL,               -- SHA-256 of failure_json
    failure_json   jsonb  NOT NULL,               -- result type, sending ip, receiving mx and ip
    failures       bigint NOT NULL DEFAULT 0,
    reason         text,                          -- the last failure message seen
    PRIMARY KEY (report_day, policy_domain, policy_key, failure_key)
);
CREATE TABLE tlsrpt_sent (                        -- one report per (day, domain), whichever node builds it
    report_day    date        NOT NULL,
    policy_domain text        NOT NULL,
    claimed_by    text        NOT NULL,
    claimed_at    timestamptz NOT NULL,
    sent_at       timestamptz,                    -- null while the claimant is building the report
    PRIMARY KEY (report_day, policy_domain)
);
