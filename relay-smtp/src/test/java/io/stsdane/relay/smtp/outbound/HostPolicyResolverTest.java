package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.testkit.log.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * The combination rule of {@link HostPolicyResolver}: sources in order, TempFail final, and a policy that
 * authenticates nothing (DANE with only unusable TLSA records) never hides a stronger MTA-STS policy; plus the
 * trace of answers that diagnostics show.
 */
class HostPolicyResolverTest {

    private static final PolicyRequest REQUEST =
            new PolicyRequest("example.test", "example.test", "mx.example.test", DnsSecurity.SECURE, 25);

    private static TlsPolicySource applies(TlsLevel level, PolicyOrigin source) {
        return r -> CompletableFuture.completedFuture(new PolicyDecision.Apply(new TlsPolicy(level, source,
                r.policyDomain(), r.mxHost(), PeerVerifier.ACCEPT_ANY, source.label() + " " + level.configName())));
    }

    private static final TlsPolicySource NOT_APPLICABLE =
            r -> CompletableFuture.completedFuture(new PolicyDecision.NotApplicable("nothing"));
    private static final TlsPolicySource TEMP_FAIL =
            r -> CompletableFuture.completedFuture(new PolicyDecision.TempFail(TlsFailure.VALIDATION_FAILURE, "x"));

    /** The host was named by an insecure MX RRset (its own zone signed with TLSA: RFC 7672 §2.2.1). */
    private static final PolicyRequest INSECURE_MX =
            new PolicyRequest("example.test", "example.test", "mx.example.test", DnsSecurity.INSECURE, 25);

    private static HostPolicyResolver.Resolution resolutionUnderInsecureMx(TlsPolicySource... sources) {
        return new HostPolicyResolver(List.of(sources), Duration.ofSeconds(5)).resolve(INSECURE_MX)
                .toCompletableFuture().join();
    }

    private static PolicyDecision resolve(TlsPolicySource... sources) {
        return resolution(sources).decision();
    }

    private static HostPolicyResolver.Resolution resolution(TlsPolicySource... sources) {
        return new HostPolicyResolver(List.of(sources), Duration.ofSeconds(5)).resolve(REQUEST).toCompletableFuture()
                .join();
    }

    private static TlsPolicySource unavailable(TlsFailure failure) {
        return r -> CompletableFuture.completedFuture(new PolicyDecision.NotApplicable("policy unavailable", failure));
    }

    private static TlsPolicy applied(PolicyDecision d) {
        assertThat(d).isInstanceOf(PolicyDecision.Apply.class);
        return ((PolicyDecision.Apply) d).policy();
    }

    @Test
    void daneWithOnlyUnusableRecordsDoesNotSwitchOffAnEnforcedMtaStsPolicy() {
        TlsPolicy p = applied(resolve(NOT_APPLICABLE, applies(TlsLevel.ENCRYPT, PolicyOrigin.DANE),
                applies(TlsLevel.VERIFY, PolicyOrigin.MTA_STS)));

        assertThat(p.level()).isEqualTo(TlsLevel.VERIFY);
        assertThat(p.source()).isEqualTo(PolicyOrigin.MTA_STS);
    }

    @Test
    void daneWithOnlyUnusableRecordsStillRequiresTlsWhenNoOtherSourceApplies() {
        TlsPolicy p = applied(resolve(applies(TlsLevel.ENCRYPT, PolicyOrigin.DANE), NOT_APPLICABLE));

        assertThat(p.level()).isEqualTo(TlsLevel.ENCRYPT);
        assertThat(p.source()).isEqualTo(PolicyOrigin.DANE);
    }

    @Test
    void aWeakerLaterPolicyDoesNotLowerTheFloor() {
        TlsPolicy p = applied(resolve(applies(TlsLevel.ENCRYPT, PolicyOrigin.DANE),
                applies(TlsLevel.MAY, PolicyOrigin.MTA_STS)));

        assertThat(p.level()).isEqualTo(TlsLevel.ENCRYPT);
    }

    @Test
    void aLaterTempFailIsNotHiddenByTheFloor() {
        assertThat(resolve(applies(TlsLevel.ENCRYPT, PolicyOrigin.DANE), TEMP_FAIL))
                .isInstanceOf(PolicyDecision.TempFail.class);
    }

    @Test
    void anAuthenticatingDanePolicyIsFinal() {
        TlsPolicy p = applied(resolve(applies(TlsLevel.DANE, PolicyOrigin.DANE), TEMP_FAIL));

        assertThat(p.source()).isEqualTo(PolicyOrigin.DANE);
    }

    @Test
    void underAnInsecureMxRrsetAnEnforcedMtaStsPolicyThatRefusesTheHostStillDefersIt() {
        // A forged MX RRset may name any host with TLSA records of its own: DANE there must not displace the
        // MTA-STS check that the host is one of the domain's MX hosts.
        HostPolicyResolver.Resolution r = resolutionUnderInsecureMx(applies(TlsLevel.DANE, PolicyOrigin.DANE),
                TEMP_FAIL);

        assertThat(r.decision()).isInstanceOf(PolicyDecision.TempFail.class);
        assertThat(r.answers()).extracting(HostPolicyResolver.Answer::floor).containsExactly(true, false);
    }

    @Test
    void underAnInsecureMxRrsetDaneAppliesWhenNoLaterSourceObjects() {
        TlsPolicySource dane = applies(TlsLevel.DANE, PolicyOrigin.DANE);

        assertThat(applied(resolutionUnderInsecureMx(dane, NOT_APPLICABLE).decision()).source())
                .isEqualTo(PolicyOrigin.DANE);
        HostPolicyResolver.Resolution overSts = resolutionUnderInsecureMx(dane,
                applies(TlsLevel.VERIFY, PolicyOrigin.MTA_STS));
        assertThat(applied(overSts.decision()).source()).as("RFC 8461 §2: MTA-STS never overrides DANE")
                .isEqualTo(PolicyOrigin.DANE);
        assertThat(overSts.answers()).extracting(HostPolicyResolver.Answer::floor).containsExactly(true, false);
    }

    @Test
    void underASecureMxRrsetDaneIsFinal() {
        HostPolicyResolver.Resolution r = resolution(applies(TlsLevel.DANE, PolicyOrigin.DANE), TEMP_FAIL);

        assertThat(applied(r.decision()).source()).isEqualTo(PolicyOrigin.DANE);
        assertThat(r.answers()).hasSize(1);
    }

    @Test
    void aDaneOverrideIsFinalUnderAnInsecureMxRrsetToo() {
        // The operator asked for DANE for this domain: a later source cannot veto it as it can plain DANE.
        OverridePolicySource override = new OverridePolicySource(Map.of("example.test", TlsLevel.DANE),
                applies(TlsLevel.DANE, PolicyOrigin.DANE), host -> PeerVerifier.ACCEPT_ANY);

        HostPolicyResolver.Resolution r = resolutionUnderInsecureMx(override, TEMP_FAIL);

        assertThat(applied(r.decision()).level()).isEqualTo(TlsLevel.DANE);
        assertThat(r.answers()).hasSize(1);
    }

    @Test
    void anOverrideIsFinalEvenWhenItAuthenticatesNothing() {
        TlsPolicy p = applied(resolve(applies(TlsLevel.NONE, PolicyOrigin.OVERRIDE),
                applies(TlsLevel.VERIFY, PolicyOrigin.MTA_STS)));

        assertThat(p.level()).isEqualTo(TlsLevel.NONE);
    }

    @Test
    void noApplicableSourceMeansOpportunisticTls() {
        assertThat(applied(resolve(NOT_APPLICABLE, NOT_APPLICABLE)).source()).isEqualTo(PolicyOrigin.OPPORTUNISTIC);
    }

    @Test
    void aSourceThatCouldNotSupplyItsPolicyIsReportedWhenTheHostFallsBackToOpportunistic() {
        HostPolicyResolver.Resolution r = resolution(NOT_APPLICABLE, unavailable(TlsFailure.STS_POLICY_FETCH_ERROR));

        assertThat(applied(r.decision()).source()).isEqualTo(PolicyOrigin.OPPORTUNISTIC);
        assertThat(r.unreported()).isNotNull();
        assertThat(r.unreported().failure()).isEqualTo(TlsFailure.STS_POLICY_FETCH_ERROR);
    }

    @Test
    void underADaneFloorTheUnavailablePolicyIsNotReportedTwice() {
        HostPolicyResolver.Resolution r = resolution(applies(TlsLevel.ENCRYPT, PolicyOrigin.DANE),
                unavailable(TlsFailure.STS_POLICY_FETCH_ERROR));

        assertThat(applied(r.decision()).source()).isEqualTo(PolicyOrigin.DANE);
        assertThat(r.unreported()).isNull();
    }

    @Test
    void plainNotApplicableLeavesNothingToReport() {
        assertThat(resolution(NOT_APPLICABLE, NOT_APPLICABLE).unreported()).isNull();
    }

    @Test
    void theAnswersListEverySourceAskedAndMarkTheFloor() {
        TlsPolicySource dane = applies(TlsLevel.ENCRYPT, PolicyOrigin.DANE);
        TlsPolicySource sts = applies(TlsLevel.VERIFY, PolicyOrigin.MTA_STS);
        TlsPolicySource never = applies(TlsLevel.NONE, PolicyOrigin.OVERRIDE);

        HostPolicyResolver.Resolution r = resolution(NOT_APPLICABLE, dane, sts, never);

        assertThat(r.answers()).extracting(HostPolicyResolver.Answer::source)
                .containsExactly(NOT_APPLICABLE, dane, sts);
        assertThat(r.answers()).extracting(HostPolicyResolver.Answer::floor).containsExactly(false, true, false);
        assertThat(r.answers().get(2).decision()).isSameAs(r.decision());
    }

    @Test
    void aTempFailEndsTheAnswers() {
        HostPolicyResolver.Resolution r = resolution(TEMP_FAIL, NOT_APPLICABLE);

        assertThat(r.answers()).extracting(HostPolicyResolver.Answer::source).containsExactly(TEMP_FAIL);
        assertThat(r.decision()).isInstanceOf(PolicyDecision.TempFail.class);
    }

    @Test
    void aSourceThatNeverAnswersIsATempFailNotASkip() {
        TlsPolicySource stuck = r -> new CompletableFuture<>();

        HostPolicyResolver.Resolution r = new HostPolicyResolver(List.of(stuck, NOT_APPLICABLE),
                Duration.ofMillis(50)).resolve(REQUEST).toCompletableFuture().join();

        assertThat(r.decision()).isInstanceOfSatisfying(PolicyDecision.TempFail.class,
                t -> assertThat(t.reason()).contains("no answer within 50 ms"));
        assertThat(r.answers()).singleElement().satisfies(a -> {
            assertThat(a.source()).isSameAs(stuck);
            assertThat(a.decision()).isSameAs(r.decision());
        });
    }

    @Test
    void aSourceThatThrowsIsATempFailNamingTheCause() {
        TlsPolicySource broken = r -> {
            throw new IllegalStateException("cache corrupt");
        };
        TlsPolicySource failing = r -> CompletableFuture.failedFuture(new RuntimeException(
                new java.io.IOException("disk gone")));

        assertThat(resolve(broken, NOT_APPLICABLE)).isInstanceOfSatisfying(PolicyDecision.TempFail.class,
                t -> assertThat(t.reason()).contains("cache corrupt"));
        assertThat(resolve(failing)).isInstanceOfSatisfying(PolicyDecision.TempFail.class,
                t -> assertThat(t.reason()).contains("disk gone"));
    }

    /** A source whose bookkeeping breaks when told that a destination failed. */
    private static final class BrokenBookkeeping implements TlsPolicySource {
        @Override
        public CompletionStage<PolicyDecision> decide(PolicyRequest request) {
            return CompletableFuture.completedFuture(new PolicyDecision.NotApplicable("nothing"));
        }

        @Override
        public void destinationFailed(String policyDomain) {
            throw new IllegalStateException("policy cache unwritable");
        }
    }

    @Test
    void aSourceFailingOnDestinationFailedIsLoggedOnceAndTheLaterSourcesStillHear() {
        List<String> told = new java.util.ArrayList<>();
        TlsPolicySource later = new TlsPolicySource() {
            @Override
            public CompletionStage<PolicyDecision> decide(PolicyRequest request) {
                return CompletableFuture.completedFuture(new PolicyDecision.NotApplicable("nothing"));
            }

            @Override
            public void destinationFailed(String policyDomain) {
                told.add(policyDomain);
            }
        };
        try (LogCapture log = LogCapture.of(HostPolicyResolver.class)) {
            new HostPolicyResolver(List.of(new BrokenBookkeeping(), later), Duration.ofSeconds(5))
                    .destinationFailed("example.test");

            assertThat(log.messages(Level.WARN)).singleElement().satisfies(m -> assertThat(m)
                    .contains("BrokenBookkeeping").contains("example.test").contains("policy cache unwritable"));
        }
        assertThat(told).containsExactly("example.test");
    }
}
