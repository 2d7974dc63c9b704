/**
 * PostgreSQL for the tests, with nothing installed: {@link io.stsdane.relay.testkit.postgres.TestDatabase} (a
 * schema per test in one server per JVM, or in the server of {@code RELAY_TEST_POSTGRES_URL}) and
 * {@link io.stsdane.relay.testkit.postgres.PostgresServer} (a private server, for tests that stop and start the
 * database), both running the server binaries of a Maven artifact.
 */
package io.stsdane.relay.testkit.postgres;
