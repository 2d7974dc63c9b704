/**
 * The MTA-STS machinery behind {@link io.stsdane.relay.sts.StsPolicySource}.
 *
 * <ul>
 *   <li>{@link io.stsdane.relay.sts.internal.TxtDiscovery}: the {@code _mta-sts} TXT record (RFC 8461 §3.1).</li>
 *   <li>{@link io.stsdane.relay.sts.internal.PolicyFetcher} with the client of
 *       {@link io.stsdane.relay.sts.internal.HttpClients}: the HTTPS fetch (§3.3).</li>
 *   <li>{@link io.stsdane.relay.sts.internal.PolicyParser}: the policy file (§3.2).</li>
 *   <li>{@link io.stsdane.relay.sts.internal.FilePolicyStore}: the crash-safe on-disk cache (the default
 *       {@link io.stsdane.relay.sts.PolicyStore});
 *       {@link io.stsdane.relay.sts.internal.PolicyCache}: memory cache, single-flight fetches, refresh and
 *       rate limiting (§5.1) with {@link io.stsdane.relay.sts.internal.FetchBackoff}.</li>
 *   <li>{@link io.stsdane.relay.sts.internal.StsDecider}: policy to {@link io.stsdane.relay.core.tls.PolicyDecision}
 *       (§4, §5).</li>
 * </ul>
 */
package io.stsdane.relay.sts.internal;
