/**
 * A private PostgreSQL server ({@link io.stsdane.relay.testkit.postgres.PostgresServer}) for tests that stop and
 * start the database, which the shared test database (RELAY_TEST_POSTGRES_URL) must never be made to do.
 */
package io.stsdane.relay.testkit.postgres;
