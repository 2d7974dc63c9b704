-- The MTA-STS policy cache shared by every relay node (docs/cluster.md): one row per policy domain, holding
-- the policy text exactly as served; each node parses it again when it loads the row.

CREATE TABLE sts_policy (
    domain      text        PRIMARY KEY,
    -- the TXT record id that was current when the policy was fetched
    policy_id   text        NOT NULL,
    policy_text text        NOT NULL,
    fetched_at  timestamptz NOT NULL,
    -- fetched_at + max_age (RFC 8461 §5.1), for operators and for sweeping; nodes recompute it from the text
    expires_at  timestamptz NOT NULL,
    -- the node that fetched it, for operators
    fetched_by  text        NOT NULL
);

CREATE INDEX sts_policy_expires ON sts_policy (expires_at);
