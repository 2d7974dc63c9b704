package io.stsdane.relay.sts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.testing.HttpClients;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.Verification;
import io.stsdane.relay.testkit.time.MutableClock;
import io.stsdane.relay.testkit.log.LogCapture;
import io.stsdane.relay.sts.internal.DefaultStsPolicySource;
import io.stsdane.relay.sts.internal.PolicyCache;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.sts.StsPolicyServer;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StsPolicySourceTest {

    private static final String DOMAIN = "example.com";
    private static final String TXT = "_mta-sts.example.com";
    private static final String WILDCARD_POLICY = enforce(86400, "*.example.com");
    private static final TestCertificate ROOT = TestCertificate.builder().commonName("Test Web PKI Root").ca().build();

    @TempDir
    Path cacheDir;

    private final InMemoryDnsResolver dns = new InMemoryDnsResolver().txt(TXT, "v=STSv1; id=1");
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    private final List<StsPolicySource> sources = new ArrayList<>();
    private final OkHttpClient http = HttpClients.resolvingThrough(dns);
    private StsPolicyServer server;

    @BeforeEach
    void startPolicyHost() throws Exception {
        server = StsPolicyServer.start(
                TestCertificate.builder().dnsNames("mta-sts." + DOMAIN).issuedBy(ROOT).build());
        dns.address("mta-sts." + DOMAIN, InetAddress.getByName("127.0.0.1"));
    }

    private static String enforce(long maxAge, String... mx) {
        return StsPolicyServer.policy("enforce", maxAge, mx);
    }

    /** {@code policy} is the domain's policy from now on, for every fetch. */
    private void serve(String policy) {
        server.serve(DOMAIN, policy);
    }

    private int requests() {
        return server.requests(DOMAIN);
    }

    @AfterEach
    void stop() {
        sources.forEach(StsPolicySource::close);
        HttpClients.shutdown(http);
        server.close();
    }

    private MtaSts.Builder builder() {
        return MtaSts.builder().resolver(dns).httpClient(http).cacheDirectory(cacheDir).trustManager(ROOT.trustManager())
                .httpsPort(server.port()).clock(clock).fetchTimeout(Duration.ofSeconds(10))
                .failedFetchBackoff(Duration.ofMinutes(5), Duration.ofHours(1)).refreshInterval(Duration.ZERO)
                .meterRegistry(metrics);
    }

    private StsPolicySource source() {
        return track(builder().build());
    }

    private StsPolicySource track(StsPolicySource s) {
        sources.add(s);
        return s;
    }

    private static PolicyDecision decide(StsPolicySource source, String mxHost) throws Exception {
        return source.decide(new PolicyRequest(DOMAIN, DOMAIN, mxHost, DnsSecurity.INSECURE, 25))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static StsLookup lookup(StsPolicySource source) throws Exception {
        return source.lookup(DOMAIN).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static TlsPolicy applied(PolicyDecision d) {
        assertThat(d).isInstanceOf(PolicyDecision.Apply.class);
        return ((PolicyDecision.Apply) d).policy();
    }

    private static PolicyDecision.TempFail tempFail(PolicyDecision d) {
        assertThat(d).isInstanceOf(PolicyDecision.TempFail.class);
        return (PolicyDecision.TempFail) d;
    }

    private static List<java.security.cert.X509Certificate> mxChain(String... names) {
        return TestCertificate.builder().dnsNames(names).issuedBy(ROOT).build().chainWithoutRoot();
    }

    private double fetches(String result) {
        var c = metrics.find("relay.mta_sts.fetches").tag("result", result).counter();
        return c == null ? 0 : c.count();
    }

    // --- decisions ---

    @Test
    void enforceWithMatchingMxRequiresPkixCertificateForTheMxHost() throws Exception {
        serve(WILDCARD_POLICY);

        TlsPolicy policy = applied(decide(source(), "mx1.example.com"));

        assertThat(policy.level()).isEqualTo(TlsLevel.VERIFY);
        assertThat(policy.source()).isEqualTo(io.stsdane.relay.core.tls.PolicyOrigin.MTA_STS);
        assertThat(policy.policyDomain()).isEqualTo(DOMAIN);
        assertThat(policy.sniName()).isEqualTo("mx1.example.com");
        assertThat(policy.description()).contains("*.example.com");
        assertThat(policy.verifier().verify(mxChain("mx1.example.com")).passed()).isTrue();
        Verification wrong = policy.verifier().verify(mxChain("mx2.example.com"));
        assertThat(wrong.failure()).isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);
        assertThat(wrong.detail()).contains("mx1.example.com", "mx2.example.com");
    }

    @Test
    void enforceWithMxOutsideThePolicyIsATemporaryFailure() throws Exception {
        serve(enforce(86400, "mx.example.com", "*.mail.example.com"));

        PolicyDecision.TempFail f = tempFail(decide(source(), "mx.attacker.example"));

        assertThat(f.failure()).isEqualTo(TlsFailure.VALIDATION_FAILURE);
        assertThat(f.reason()).contains("mx.attacker.example", "mx.example.com", "*.mail.example.com");
    }

    @Test
    void wildcardPatternMatchesExactlyOneLeftmostLabel() throws Exception {
        serve(WILDCARD_POLICY);
        StsPolicySource source = source();

        TlsPolicy upper = applied(decide(source, "MX1.Example.COM."));
        assertThat(upper.level()).isEqualTo(TlsLevel.VERIFY);
        assertThat(upper.sniName()).isEqualTo("mx1.example.com");
        assertThat(tempFail(decide(source, "example.com")).failure()).isEqualTo(TlsFailure.VALIDATION_FAILURE);
        assertThat(tempFail(decide(source, "a.b.example.com")).failure()).isEqualTo(TlsFailure.VALIDATION_FAILURE);
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void testingModeDeliversOpportunisticallyButReportsWhatEnforceWouldRefuse() throws Exception {
        serve("version: STSv1\nmode: testing\nmax_age: 86400\nmx: mx.example.com\n");
        StsPolicySource source = source();

        TlsPolicy matching = applied(decide(source, "mx.example.com"));
        assertThat(matching.level()).isEqualTo(TlsLevel.MAY);
        assertThat(matching.level().requiresAuthentication()).isFalse();
        assertThat(matching.policyStrings()).as("RFC 8460 policy-string")
                .containsExactly("version: STSv1", "mode: testing", "max_age: 86400", "mx: mx.example.com");
        assertThat(matching.verifier().verify(mxChain("other.example.com")).failure())
                .isEqualTo(TlsFailure.CERTIFICATE_HOST_MISMATCH);

        TlsPolicy outside = applied(decide(source, "mx9.example.net"));
        assertThat(outside.level()).isEqualTo(TlsLevel.MAY);
        Verification v = outside.verifier().verify(mxChain("mx9.example.net"));
        assertThat(v.failure()).isEqualTo(TlsFailure.VALIDATION_FAILURE);
        assertThat(v.detail()).contains("mx9.example.net");
    }

    @Test
    void policyStringsAreThePolicyLinesWithoutLineEnds() throws Exception {
        serve("version: STSv1\r\nmode: enforce\r\nmx: *.example.com\r\nmax_age: 86400\r\n");

        TlsPolicy policy = applied(decide(source(), "mx1.example.com"));

        assertThat(policy.policyStrings())
                .containsExactly("version: STSv1", "mode: enforce", "mx: *.example.com", "max_age: 86400");
    }

    @Test
    void modeNoneMeansNoPolicy() throws Exception {
        serve("version: STSv1\nmode: none\nmax_age: 86400\n");

        assertThat(decide(source(), "mx.example.com")).isInstanceOf(PolicyDecision.NotApplicable.class);
    }

    @Test
    void domainWithoutTxtRecordHasNoPolicyAndNothingIsFetched() throws Exception {
        dns.removeTxt(TXT);

        StsLookup l = lookup(source());

        assertThat(l.freshness()).isEqualTo(PolicyFreshness.NONE);
        PolicyDecision d = decide(source(), "mx.example.com");
        assertThat(d).isInstanceOf(PolicyDecision.NotApplicable.class);
        assertThat(((PolicyDecision.NotApplicable) d).failure()).as("no policy is not a failure").isNull();
        assertThat(requests()).isZero();
    }

    @Test
    void multipleTxtRecordsMeanNoPolicy() throws Exception {
        dns.txt(TXT, "v=STSv1; id=1", "v=STSv1; id=2");
        serve(WILDCARD_POLICY);

        StsLookup l = lookup(source());

        assertThat(l.freshness()).isEqualTo(PolicyFreshness.NONE);
        assertThat(l.txtRecords()).hasSize(2);
        assertThat(l.detail()).contains("exactly one");
        assertThat(requests()).isZero();
    }

    @Test
    void announcedPolicyThatCannotBeFetchedMeansDeliveryWithoutMtaSts() throws Exception {
        // nothing served: the policy host answers 404

        PolicyDecision d = decide(source(), "mx.example.com");

        assertThat(d).isInstanceOf(PolicyDecision.NotApplicable.class);
        assertThat(((PolicyDecision.NotApplicable) d).reason()).contains("HTTP 404");
        assertThat(((PolicyDecision.NotApplicable) d).failure()).as("still reported (RFC 8460 §4.3.2.2)")
                .isEqualTo(TlsFailure.STS_POLICY_FETCH_ERROR);
    }

    /**
     * RFC 8461 §3.2: a repeated field other than mx keeps its first value. Read as an invalid policy, this domain
     * would get no MTA-STS at all: its mail would leave opportunistically.
     */
    @Test
    void aPolicyRepeatingAFieldIsEnforcedWithTheFirstValueAndTheRestIsLogged() throws Exception {
        serve(WILDCARD_POLICY + "mode: none\nmax_age: 86400\n");
        PolicyDecision d;
        List<ILoggingEvent> logged;
        try (LogCapture log = LogCapture.of(PolicyCache.class.getName(), Level.WARN)) {
            d = decide(source(), "mx1.example.com");
            logged = log.events();
        }

        assertThat(applied(d).level()).isEqualTo(TlsLevel.VERIFY);
        assertThat(logged).filteredOn(e -> e.getLevel() == Level.WARN).singleElement()
                .extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("example.com", "line 5: mode 'none' ignored", "line 6: max_age '86400' ignored");
    }

    @Test
    void anInvalidPolicyWithoutCacheIsNotApplicableButReportedAsInvalid() throws Exception {
        serve("version: STSv1\nmode: enforce\nmax_age: soon\nmx: mx.example.com\n");

        PolicyDecision d = decide(source(), "mx.example.com");

        assertThat(d).isInstanceOf(PolicyDecision.NotApplicable.class);
        assertThat(((PolicyDecision.NotApplicable) d).failure()).isEqualTo(TlsFailure.STS_POLICY_INVALID);
    }

    @Test
    void announcedPolicyThatCannotBeFetchedDefersWhenConfigured() throws Exception {
        server.answer(DOMAIN, 500);

        PolicyDecision.TempFail f = tempFail(decide(track(builder().deferWhenPolicyUnavailable(true).build()),
                "mx.example.com"));

        assertThat(f.failure()).isEqualTo(TlsFailure.STS_POLICY_FETCH_ERROR);
        assertThat(f.reason()).contains("HTTP 500");
    }

    @Test
    void invalidPolicyDefersAsInvalidWhenConfigured() throws Exception {
        serve("version: STSv1\nmode: enforce\nmax_age: soon\nmx: mx.example.com\n");

        PolicyDecision.TempFail f = tempFail(decide(track(builder().deferWhenPolicyUnavailable(true).build()),
                "mx.example.com"));

        assertThat(f.failure()).isEqualTo(TlsFailure.STS_POLICY_INVALID);
        assertThat(f.reason()).contains("max_age 'soon'");
    }

    // --- cache ---

    @Test
    void unchangedIdUsesTheCachedPolicy() throws Exception {
        serve(WILDCARD_POLICY);
        StsPolicySource source = source();

        assertThat(lookup(source).freshness()).isEqualTo(PolicyFreshness.FRESH);
        StsLookup second = lookup(source);

        assertThat(second.freshness()).isEqualTo(PolicyFreshness.CACHED);
        assertThat(second.policy().text()).isEqualTo(WILDCARD_POLICY);
        assertThat(requests()).isEqualTo(1);
        assertThat(fetches("ok")).isEqualTo(1);
    }

    @Test
    void changedIdFetchesTheNewPolicy() throws Exception {
        serve(WILDCARD_POLICY);
        StsPolicySource source = source();
        lookup(source);

        serve(enforce(86400, "mx.example.org"));
        dns.txt(TXT, "v=STSv1; id=2");
        StsLookup l = lookup(source);

        assertThat(l.freshness()).isEqualTo(PolicyFreshness.FRESH);
        assertThat(l.policy().id()).isEqualTo("2");
        assertThat(l.policy().policy().mx()).containsExactly("mx.example.org");
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void failedFetchOfNewIdKeepsTheCachedPolicy() throws Exception {
        serve(WILDCARD_POLICY);
        StsPolicySource source = source();
        lookup(source);

        server.answer(DOMAIN, 500);
        dns.txt(TXT, "v=STSv1; id=2");
        StsLookup l = lookup(source);

        assertThat(l.freshness()).isEqualTo(PolicyFreshness.CACHED);
        assertThat(l.policy().id()).isEqualTo("1");
        assertThat(l.failure()).isEqualTo(TlsFailure.STS_POLICY_FETCH_ERROR);
        assertThat(l.detail()).contains("HTTP 500");
        assertThat(applied(decide(source, "mx1.example.com")).level()).isEqualTo(TlsLevel.VERIFY);
        assertThat(fetches(TlsFailure.STS_POLICY_FETCH_ERROR.resultType())).isEqualTo(1);
    }

    @Test
    void failedFetchesAreRateLimitedPerDomain() throws Exception {
        server.unavailable(DOMAIN);
        StsPolicySource source = source();

        assertThat(lookup(source).freshness()).isEqualTo(PolicyFreshness.FETCH_FAILED);
        serve(WILDCARD_POLICY);
        StsLookup postponed = lookup(source);
        assertThat(postponed.freshness()).isEqualTo(PolicyFreshness.FETCH_FAILED);
        assertThat(postponed.detail()).contains("not fetched again before", "HTTP 503");
        assertThat(requests()).isEqualTo(1);

        clock.advance(Duration.ofMinutes(5));
        assertThat(lookup(source).freshness()).isEqualTo(PolicyFreshness.FRESH);
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void policySurvivesARestart() throws Exception {
        serve(WILDCARD_POLICY);
        StsPolicySource first = source();
        lookup(first);
        first.close();

        // After the restart the policy host is unreachable and the TXT record gone: only the disk has the policy.
        server.close();
        dns.removeTxt(TXT);
        StsPolicySource second = source();

        StsLookup l = lookup(second);
        assertThat(l.freshness()).isEqualTo(PolicyFreshness.CACHED);
        assertThat(l.policy().text()).isEqualTo(WILDCARD_POLICY);
        assertThat(applied(decide(second, "mx1.example.com")).level()).isEqualTo(TlsLevel.VERIFY);
    }

    @Test
    void txtRecordDisappearingKeepsThePolicyUntilItExpires() throws Exception {
        serve(enforce(3600, "*.example.com"));
        StsPolicySource source = source();
        lookup(source);

        dns.removeTxt(TXT);
        clock.advance(Duration.ofMinutes(59));
        assertThat(lookup(source).freshness()).isEqualTo(PolicyFreshness.CACHED);

        clock.advance(Duration.ofMinutes(1));
        StsLookup expired = lookup(source);
        assertThat(expired.freshness()).isEqualTo(PolicyFreshness.NONE);
        assertThat(decide(source, "mx1.example.com")).isInstanceOf(PolicyDecision.NotApplicable.class);
        assertThat(cacheDir.resolve("example.com.json")).doesNotExist();
    }

    @Test
    void expiredPolicyIsNotUsedAfterARestartEither() throws Exception {
        serve(enforce(600, "*.example.com"));
        StsPolicySource first = source();
        lookup(first);
        first.close();
        dns.removeTxt(TXT);
        clock.advance(Duration.ofMinutes(11));

        assertThat(lookup(source()).freshness()).isEqualTo(PolicyFreshness.NONE);
    }

    @Test
    void concurrentLookupsShareOneFetch() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        serve(WILDCARD_POLICY);
        server.holdUntil(release);
        StsPolicySource source = source();

        List<CompletableFuture<StsLookup>> lookups = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            lookups.add(source.lookup(DOMAIN).toCompletableFuture());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> requests() == 1);
        release.countDown();

        for (CompletableFuture<StsLookup> l : lookups) {
            assertThat(l.get(30, TimeUnit.SECONDS).policy().text()).isEqualTo(WILDCARD_POLICY);
        }
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void destinationFailureLooksForANewerPolicyEvenWithTheSameId() throws Exception {
        serve(enforce(86400, "mx.example.com"));
        StsPolicySource source = source();
        tempFail(decide(source, "mx-new.example.com"));
        serve(enforce(86400, "mx-new.example.com"));
        clock.advance(Duration.ofMinutes(5));

        source.destinationFailed(DOMAIN);

        await().atMost(Duration.ofSeconds(10)).until(() -> decide(source, "mx-new.example.com")
                instanceof PolicyDecision.Apply);
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void destinationFailuresRightAfterAFetchDoNotFetchAgain() throws Exception {
        serve(enforce(86400, "mx.example.com"));
        StsPolicySource source = source();
        lookup(source);
        serve(enforce(86400, "mx-new.example.com"));
        clock.advance(Duration.ofMinutes(4));

        ((DefaultStsPolicySource) source).cache().recheck(DOMAIN).get(30, TimeUnit.SECONDS);

        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void policiesAreRefreshedBeforeTheyExpire() throws Exception {
        serve(enforce(86400, "mx.example.com"));
        StsPolicySource source = source();
        Instant firstFetch = lookup(source).policy().fetchedAt();
        serve(enforce(86400, "mx2.example.com"));

        ((DefaultStsPolicySource) source).cache().refreshDue().get(30, TimeUnit.SECONDS);
        assertThat(requests()).isEqualTo(1);

        clock.advance(Duration.ofHours(12));
        ((DefaultStsPolicySource) source).cache().refreshDue().get(30, TimeUnit.SECONDS);

        assertThat(requests()).isEqualTo(2);
        StsLookup l = lookup(source);
        assertThat(l.policy().fetchedAt()).isAfter(firstFetch);
        assertThat(l.policy().policy().mx()).containsExactly("mx2.example.com");
    }

    @Test
    void policyUsedCloseToExpiryIsRefreshedInTheBackground() throws Exception {
        serve(enforce(86400, "mx.example.com"));
        StsPolicySource source = source();
        lookup(source);
        serve(enforce(86400, "mx2.example.com"));
        clock.advance(Duration.ofHours(13));

        assertThat(lookup(source).freshness()).isEqualTo(PolicyFreshness.CACHED);

        await().atMost(Duration.ofSeconds(10)).until(() -> lookup(source).policy().policy().mx()
                .contains("mx2.example.com"));
        assertThat(requests()).isEqualTo(2);
    }

    @Test
    void corruptCacheFileIsIgnoredAndThePolicyFetchedAgain() throws Exception {
        Files.writeString(cacheDir.resolve("example.com.json"), "{\"format\":1,\"domain\":\"example.com\",\"id");
        serve(WILDCARD_POLICY);

        StsLookup l = lookup(source());

        assertThat(l.freshness()).isEqualTo(PolicyFreshness.FRESH);
        assertThat(requests()).isEqualTo(1);
    }

    @Test
    void invalidDomainHasNoPolicy() throws Exception {
        StsLookup l = source().lookup("bad..domain").toCompletableFuture().get(5, TimeUnit.SECONDS);

        assertThat(l.freshness()).isEqualTo(PolicyFreshness.NONE);
        assertThat(l.detail()).contains("not a valid domain");
    }
}
