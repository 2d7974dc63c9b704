package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.core.tls.Verification;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Small real policy sources producing the policies DANE and MTA-STS would produce, and a verifier that pins the
 * leaf certificate's SHA-256 (what a DANE-EE 3 0 1 record does).
 */
final class TestPolicies {

    private TestPolicies() {
    }

    /** A source that answers with {@code decide} and records what it was asked and told. Thread-safe. */
    static final class Recording implements TlsPolicySource {
        final List<PolicyRequest> requests = new CopyOnWriteArrayList<>();
        final List<String> failedDestinations = new CopyOnWriteArrayList<>();
        private final Function<PolicyRequest, PolicyDecision> decide;

        Recording(Function<PolicyRequest, PolicyDecision> decide) {
            this.decide = decide;
        }

        @Override
        public CompletionStage<PolicyDecision> decide(PolicyRequest request) {
            requests.add(request);
            return CompletableFuture.supplyAsync(() -> decide.apply(request));
        }

        @Override
        public void destinationFailed(String policyDomain) {
            failedDestinations.add(policyDomain);
        }
    }

    static Recording apply(TlsLevel level, PolicyOrigin source, PeerVerifier verifier) {
        return new Recording(r -> new PolicyDecision.Apply(new TlsPolicy(level, source, r.policyDomain(),
                r.mxHost(), verifier, "test " + source.label() + " policy at " + level.configName())));
    }

    /** What DANE gives for a host with a usable TLSA RRset matching {@code leaf}. */
    static Recording dane(X509Certificate leaf) {
        return apply(TlsLevel.DANE, PolicyOrigin.DANE, pin(leaf));
    }

    static Recording tempFail(String reason) {
        return new Recording(r -> new PolicyDecision.TempFail(TlsFailure.DNSSEC_INVALID, reason));
    }

    static Recording notApplicable() {
        return new Recording(r -> new PolicyDecision.NotApplicable("test: nothing to say"));
    }

    /** Passes only for a leaf certificate with the same SHA-256 as {@code expected}. */
    static PeerVerifier pin(X509Certificate expected) {
        String want = sha256(expected);
        return chain -> {
            if (chain.isEmpty()) {
                return Verification.failed(TlsFailure.CERTIFICATE_NOT_TRUSTED, "no certificate presented");
            }
            String got = sha256(chain.get(0));
            return got.equals(want) ? Verification.passed("leaf SHA-256 " + want + " matched")
                    : Verification.failed(TlsFailure.VALIDATION_FAILURE, "expected leaf SHA-256 " + want
                            + ", server presented " + got);
        };
    }

    static String sha256(X509Certificate c) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
