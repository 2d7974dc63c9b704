/**
 * The {@code relay.yaml} of a relay under test, built section by section
 * ({@link io.stsdane.relay.testkit.config.RelayConfigYaml}).
 */
package io.stsdane.relay.testkit.config;
