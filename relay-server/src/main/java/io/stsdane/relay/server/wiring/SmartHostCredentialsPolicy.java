package io.stsdane.relay.server.wiring;

import io.stsdane.relay.core.pki.PkixVerifier;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsPolicySource;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import javax.net.ssl.X509TrustManager;

/**
 * With {@code delivery.smarthost-auth}, the smart host must prove who it is before it is sent the password:
 * when neither DANE nor MTA-STS authenticates it, it must present a certificate that is PKIX-valid (against
 * {@code tls.ca-file} or the JDK trust store) for its configured name, as Postfix advises
 * ({@code smtp_tls_security_level = secure} with SASL). Otherwise an active attacker could offer STARTTLS with
 * any certificate and collect the credentials. Consulted after DANE and MTA-STS, whose authenticated policies
 * win. Immutable and thread-safe.
 */
final class SmartHostCredentialsPolicy implements TlsPolicySource {

    private final String smartHost;
    private final X509TrustManager trust;

    SmartHostCredentialsPolicy(String smartHost, X509TrustManager trust) {
        this.smartHost = smartHost.toLowerCase(Locale.ROOT);
        this.trust = trust;
    }

    @Override
    public CompletionStage<PolicyDecision> decide(PolicyRequest request) {
        if (!request.mxHost().equalsIgnoreCase(smartHost)) {
            return CompletableFuture.completedFuture(new PolicyDecision.NotApplicable("not the smart host"));
        }
        TlsPolicy policy = new TlsPolicy(TlsLevel.VERIFY, PolicyOrigin.OVERRIDE, request.policyDomain(), smartHost,
                PkixVerifier.forHost(trust, smartHost),
                "delivery.smarthost-auth: the smart host must present a certificate valid for " + smartHost
                        + " before it is sent credentials");
        return CompletableFuture.completedFuture(new PolicyDecision.Apply(policy));
    }
}
