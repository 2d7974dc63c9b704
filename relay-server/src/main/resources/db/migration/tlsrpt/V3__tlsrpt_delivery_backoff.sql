-- A destination that failed for now is tried again by the first run of any node from next_attempt on, so that N
-- nodes share one backoff schedule (RFC 8460 §5.4) instead of each trying it at every run. attempts (V2) already
-- counts the leases taken; the report job derives the growing wait from it. Null: due now.
ALTER TABLE tlsrpt_delivery ADD COLUMN next_attempt timestamptz;
