package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.core.tls.Verification;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code policies:} override: levels, PKIX for verify, and dane that only ever raises the floor. */
class OverridePolicySourceTest {

    private static final PeerVerifier PKIX = chain -> Verification.passed("pkix");

    private static PolicyDecision decide(TlsPolicySource s, String domain) {
        return s.decide(new PolicyRequest(domain, domain, "mx." + domain, DnsSecurity.SECURE, 25))
                .toCompletableFuture().join();
    }

    @Test
    void unlistedDomainsAreNotApplicable() {
        OverridePolicySource s = new OverridePolicySource(Map.of("example.com", TlsLevel.ENCRYPT), null, h -> PKIX);
        assertThat(decide(s, "other.test")).isInstanceOf(PolicyDecision.NotApplicable.class);
    }

    @Test
    void exactKeyWinsOverSuffixAndSuffixMatchesOnlySubdomains() {
        OverridePolicySource s = new OverridePolicySource(Map.of(
                ".Example.COM", TlsLevel.ENCRYPT, "mail.example.com", TlsLevel.NONE), null, h -> PKIX);

        assertThat(level(decide(s, "mail.example.com"))).isEqualTo(TlsLevel.NONE);
        assertThat(level(decide(s, "a.b.example.com"))).isEqualTo(TlsLevel.ENCRYPT);
        assertThat(decide(s, "example.com")).isInstanceOf(PolicyDecision.NotApplicable.class);
    }

    @Test
    void verifyUsesThePkixVerifierForTheMxHost() {
        StringBuilder asked = new StringBuilder();
        OverridePolicySource s = new OverridePolicySource(Map.of("example.com", TlsLevel.VERIFY), null, h -> {
            asked.append(h);
            return PKIX;
        });

        TlsPolicy p = ((PolicyDecision.Apply) decide(s, "example.com")).policy();

        assertThat(p.level()).isEqualTo(TlsLevel.VERIFY);
        assertThat(p.source()).isEqualTo(PolicyOrigin.OVERRIDE);
        assertThat(p.verifier()).isSameAs(PKIX);
        assertThat(asked).hasToString("mx.example.com");
    }

    @Test
    void daneOverrideKeepsTheDanePolicyWhenDaneApplies() {
        TestPolicies.Recording dane = TestPolicies.apply(TlsLevel.DANE, PolicyOrigin.DANE, PKIX);
        OverridePolicySource s = new OverridePolicySource(Map.of("example.com", TlsLevel.DANE), dane, h -> PKIX);

        TlsPolicy p = ((PolicyDecision.Apply) decide(s, "example.com")).policy();

        assertThat(p.level()).isEqualTo(TlsLevel.DANE);
        assertThat(p.source()).isEqualTo(PolicyOrigin.DANE);
        assertThat(p.description()).startsWith("local override example.com: dane");
    }

    @Test
    void daneOverrideTempFailsWhenDaneDoesNotApplyOrGivesOnlyEncryption() {
        for (TlsPolicySource dane : new TlsPolicySource[] {TestPolicies.notApplicable(),
                TestPolicies.apply(TlsLevel.ENCRYPT, PolicyOrigin.DANE, PeerVerifier.ACCEPT_ANY), null}) {
            OverridePolicySource s = new OverridePolicySource(Map.of("example.com", TlsLevel.DANE), dane, h -> PKIX);
            assertThat(decide(s, "example.com")).isInstanceOfSatisfying(PolicyDecision.TempFail.class,
                    t -> assertThat(t.failure()).isEqualTo(TlsFailure.DANE_REQUIRED));
        }
    }

    @Test
    void daneOverridePassesADaneTempFailThrough() {
        OverridePolicySource s = new OverridePolicySource(Map.of("example.com", TlsLevel.DANE),
                TestPolicies.tempFail("bogus TLSA"), h -> PKIX);
        assertThat(decide(s, "example.com")).isInstanceOfSatisfying(PolicyDecision.TempFail.class,
                t -> assertThat(t.reason()).isEqualTo("bogus TLSA"));
    }

    private static TlsLevel level(PolicyDecision d) {
        return ((PolicyDecision.Apply) d).policy().level();
    }
}
