-- Destination suspensions (relay queue suspend DOMAIN): no delivery attempt to the domain until it ends, on
-- any node. until is NULL for "until resumed".
CREATE TABLE queue_suspension (
    domain text PRIMARY KEY,
    until  timestamptz
);
