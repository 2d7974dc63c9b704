/**
 * Wiring: the one place that knows every module. Builds the DNS resolver, the policy sources (override, DANE,
 * MTA-STS), the delivery engine, the queue, the SMTP listener and TLS reporting from a validated
 * {@link io.stsdane.relay.server.config.RelayConfig}, and hands them to
 * {@link io.stsdane.relay.server.RelayApplication} as {@link io.stsdane.relay.server.ManagedService}s.
 */
package io.stsdane.relay.server.wiring;
