/**
 * Test doubles for relay-core's seams, shared by every module's tests through relay-core's test-jar
 * ({@code <type>test-jar</type>}, test scope): {@link io.stsdane.relay.core.testing.InMemoryDnsResolver} for
 * {@code DnsResolver}, {@link io.stsdane.relay.core.testing.CapturingIntake} for {@code MessageIntake},
 * {@link io.stsdane.relay.core.testing.InMemoryContent} for {@code MessageContent}.
 *
 * <p>They live here and not in relay-testkit because relay-testkit must not depend on relay-core (relay-core's
 * own tests use relay-testkit). Fixtures that need no relay-core type (PKI, DNS and SMTP servers, clocks)
 * belong in relay-testkit. Add a double here once, rather than a copy in each module.
 */
package io.stsdane.relay.core.testing;
