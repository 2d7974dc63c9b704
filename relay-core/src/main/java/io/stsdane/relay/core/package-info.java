/**
 * The small core every other module depends on, and nothing else.
 *
 * <ul>
 *   <li>{@link io.stsdane.relay.core.dns}: the resolver seam and DNS answers that carry their DNSSEC security
 *       state (the resolver itself is in relay-dns).</li>
 *   <li>{@link io.stsdane.relay.core.tls}: the ordered TLS level, the policy value that DANE, MTA-STS and
 *       local overrides all produce, and the peer verifier the delivery engine applies.</li>
 *   <li>{@link io.stsdane.relay.core.queue}: the envelope and the seams between listener, spool and scheduler.</li>
 *   <li>{@link io.stsdane.relay.core.delivery}: the delivery agent seam and per-recipient outcomes as values.</li>
 * </ul>
 *
 * Implementations live in {@code internal} packages and are wired only by {@code relay-server}.
 */
package io.stsdane.relay.core;
