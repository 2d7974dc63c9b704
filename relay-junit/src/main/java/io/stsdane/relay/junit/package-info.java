/**
 * For application teams: the real relay in-process, inside a world of destination domains of any TLS posture,
 * for integration tests of an application's mail. {@link io.stsdane.relay.junit.RelayExtension} for JUnit 5,
 * {@link io.stsdane.relay.junit.RelayWorld} for anything else; {@link io.stsdane.relay.junit.Posture} lists
 * the destinations, {@link io.stsdane.relay.junit.Delivery} and {@link io.stsdane.relay.junit.Dsn} are what
 * the relay recorded. See docs/testing-your-application.md.
 */
package io.stsdane.relay.junit;
