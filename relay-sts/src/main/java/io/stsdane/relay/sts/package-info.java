/**
 * MTA-STS (RFC 8461) for the delivery engine and {@code relay check}.
 *
 * <p>Entry point: {@link io.stsdane.relay.sts.MtaSts#builder()} builds a {@link io.stsdane.relay.sts.StsPolicySource},
 * the {@link io.stsdane.relay.core.tls.TlsPolicySource} that turns a recipient domain's policy into a
 * {@link io.stsdane.relay.core.tls.TlsPolicy} per MX host, and that answers diagnostic
 * {@link io.stsdane.relay.sts.StsPolicySource#lookup lookups}. The values ({@link io.stsdane.relay.sts.StsPolicy},
 * {@link io.stsdane.relay.sts.CachedPolicy}, {@link io.stsdane.relay.sts.StsLookup}) are immutable. Discovery, fetch,
 * parsing and the persistent cache live in {@code io.stsdane.relay.sts.internal}. Where policies persist is the
 * {@link io.stsdane.relay.sts.PolicyStore} SPI: a directory by default, a shared database for a cluster.
 */
package io.stsdane.relay.sts;
