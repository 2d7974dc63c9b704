/**
 * PostgreSQL plumbing shared by every part of the relay that keeps state in the database (the queue, the MTA-STS
 * policy cache, the TLS-RPT counters): {@link io.stsdane.relay.postgres.PostgresOptions} describes the pool,
 * {@link io.stsdane.relay.postgres.PostgresDatabase} opens it, applies a set of Flyway migrations and runs
 * transactions ({@link io.stsdane.relay.postgres.SqlWork}).
 */
package io.stsdane.relay.postgres;
