package io.stsdane.relay.sts;

import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.TlsPolicySource;
import java.util.concurrent.CompletionStage;

/**
 * The MTA-STS {@link TlsPolicySource}. For a {@link PolicyRequest} it looks up the policy of
 * {@code policyDomain} (cached, or fetched when absent or when the TXT {@code id} changed) and decides:
 *
 * <ul>
 *   <li>no policy, or mode {@code none}: {@link PolicyDecision.NotApplicable};</li>
 *   <li>{@code enforce} and the MX host matches an {@code mx} pattern: {@link PolicyDecision.Apply} of level
 *       VERIFY with a PKIX verifier for the MX host name, SNI the MX host;</li>
 *   <li>{@code enforce} and no pattern matches: {@link PolicyDecision.TempFail} (validation-failure);</li>
 *   <li>{@code testing}: {@link PolicyDecision.Apply} of level MAY whose verifier reports (but does not enforce)
 *       what enforce mode would have refused.</li>
 * </ul>
 *
 * <p>A policy that is announced but cannot be fetched, with nothing cached, means "no policy" (RFC 8461 §5.1)
 * unless the source was built with {@code deferWhenPolicyUnavailable}, which makes it a TempFail.
 *
 * <p>Thread-safe. Stages never complete exceptionally. {@link #close()} stops background refresh and HTTP threads.
 */
public interface StsPolicySource extends TlsPolicySource, AutoCloseable {

    /** Looks up the policy of {@code domain} exactly as a delivery would, and reports what was found. */
    CompletionStage<StsLookup> lookup(String domain);

    @Override
    void close();
}
