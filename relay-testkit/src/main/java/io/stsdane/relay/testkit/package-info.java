/**
 * Test-only fixtures shared by every module's tests: {@code pki} (certificates generated in the test),
 * {@code dns} (an in-process authoritative server for DNSSEC-signed zones), {@code smtp} (misbehaving SMTP
 * servers), {@code sts} (an HTTPS host of MTA-STS policies), {@code postgres} (the tests' PostgreSQL: a schema
 * per test, or a private server to stop and start), {@code log} (what a logger logged), {@code world} (the
 * network a relay under test delivers into, made of the above), {@code config} (the {@code relay.yaml} that
 * points a relay at them, by YAML key names). Depends on libraries
 * only, never on relay modules, so that {@code relay-core}'s own tests can use it. {@code relay-junit} builds
 * its world for application tests from these fixtures.
 */
package io.stsdane.relay.testkit;
