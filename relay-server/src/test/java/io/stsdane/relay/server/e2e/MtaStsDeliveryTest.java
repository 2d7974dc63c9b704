package io.stsdane.relay.server.e2e;

import static io.stsdane.relay.server.e2e.RelayWorld.awaitDelivery;
import static io.stsdane.relay.server.e2e.RelayWorld.policy;
import static io.stsdane.relay.server.e2e.RelayWorld.selfSigned;
import static io.stsdane.relay.server.e2e.RelayWorld.startTls;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * MTA-STS (RFC 8461) through the whole relay: TXT discovery over the DNS fixture, HTTPS policy fetch from the
 * test policy host (PKIX against {@code tls.ca-file}), MX matching and PKIX validation of the MX certificate.
 * The zones are signed but carry no TLSA records, so DANE does not apply and MTA-STS decides.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MtaStsDeliveryTest {

    private static final List<String> STS_DOMAINS = List.of("sts-ok.test", "sts-badcert.test", "sts-wrongname.test",
            "sts-expired.test", "sts-notlisted.test", "sts-plain.test", "sts-testing.test", "sts-none.test",
            "sts-testing-notlisted.test", "sts-unreachable.test", "sts-wildcard.test", "sts-insecure.test",
            "sts-requiretls.test", "reuse-sts.test");

    @TempDir
    static Path dir;

    private RelayWorld world;

    @BeforeAll
    void startRelay() throws Exception {
        world = new RelayWorld(dir, STS_DOMAINS, "");
    }

    @AfterAll
    void stop() {
        if (world != null) {
            world.close();
        }
    }

    /** A secure destination {@code <label>.test} with an MTA-STS policy of {@code mode} listing {@code mx}. */
    private Destination withPolicy(String label, String mode, String mx) {
        Destination d = world.secureDestination(label);
        world.stsPolicy(d.zone(), d.domain(), "20261128", policy(mode, mx == null ? d.host() : mx));
        return d;
    }

    @Test
    void anEnforcedPolicyDeliversOverTlsToAListedMxWithAPkixValidCertificate() throws Exception {
        Destination d = withPolicy("sts-ok", "enforce", "*.sts-ok.test");
        TestSmtpServer mx = world.mx(d.address(), startTls(world.webPkiCertificate(d.host())));

        world.submit(d.rcpt());

        ReceivedTransaction t = awaitDelivery(mx);
        assertThat(t.tls()).isTrue();
        assertThat(t.sni()).isEqualTo(d.host());
        assertThat(world.policyRequests(d.domain())).isPositive();
    }

    Stream<Arguments> enforcedFailures() {
        return Stream.of(
                Arguments.of("a self-signed certificate", "sts-badcert",
                        (BiFunction<RelayWorld, Destination, SmtpBehavior>) (w, d) -> startTls(selfSigned(d.host()))),
                Arguments.of("a certificate for another name", "sts-wrongname",
                        (BiFunction<RelayWorld, Destination, SmtpBehavior>) (w, d) ->
                                startTls(w.webPkiCertificate("mx.elsewhere.example"))),
                Arguments.of("an expired certificate", "sts-expired",
                        (BiFunction<RelayWorld, Destination, SmtpBehavior>) (w, d) -> startTls(
                                TestCertificate.builder().dnsNames(d.host()).expired().issuedBy(w.webRoot).build())),
                Arguments.of("no STARTTLS", "sts-plain",
                        (BiFunction<RelayWorld, Destination, SmtpBehavior>) (w, d) -> SmtpBehavior.plain()));
    }

    @ParameterizedTest(name = "an enforced policy and an MX with {0} defer the message and send nothing")
    @MethodSource("enforcedFailures")
    void anEnforcedPolicyDefersWhenTheMxCannotProveItself(String sentence, String label,
            BiFunction<RelayWorld, Destination, SmtpBehavior> behavior) throws Exception {
        Destination d = withPolicy(label, "enforce", null);
        TestSmtpServer mx = world.mx(d.address(), behavior.apply(world, d));

        String id = world.submit(d.rcpt());

        world.awaitPolicyDeferral(id, d.rcpt(), mx);
    }

    @Test
    void anEnforcedPolicyThatDoesNotListTheMxDefersWithoutConnecting() throws Exception {
        Destination d = withPolicy("sts-notlisted", "enforce", "mx.other.example");
        TestSmtpServer mx = world.mx(d.address(), startTls(world.webPkiCertificate(d.host())));

        String id = world.submit(d.rcpt());

        world.awaitDeferred(id, d.rcpt(), "4.7.5");
        assertThat(mx.connections()).isZero();
    }

    @Test
    void aTestingPolicyDeliversOverTlsDespiteABadCertificate() throws Exception {
        Destination d = withPolicy("sts-testing", "testing", null);
        TestSmtpServer mx = world.mx(d.address(), startTls(selfSigned("mx.elsewhere.example")));

        world.submit(d.rcpt());

        assertThat(awaitDelivery(mx).tls()).isTrue();
    }

    @Test
    void anEnforcedPolicyAppliesInAnUnsignedZoneToo() throws Exception {
        Destination d = world.destination(world.tld.unsignedChild("sts-insecure.test"), "sts-insecure.test");
        world.stsPolicy(d.zone(), d.domain(), "1", policy("enforce", d.host()));
        TestSmtpServer mx = world.mx(d.address(), startTls(selfSigned(d.host())));

        String id = world.submit(d.rcpt());

        world.awaitPolicyDeferral(id, d.rcpt(), mx);
    }

    @Test
    void aRequireTlsMessageToAnEnforcedMxWithoutRequireTlsSupportBouncesWith5730() throws Exception {
        Destination d = withPolicy("sts-requiretls", "enforce", null);
        TestSmtpServer mx = world.mx(d.address(), startTls(world.webPkiCertificate(d.host())));

        world.submit(d.rcpt(), "REQUIRETLS");

        world.awaitBounce(d.rcpt(), "5.7.30");
        assertThat(mx.received("MAIL")).isFalse();
    }

    @Test
    void aTlsSessionAcceptedOpportunisticallyIsNotReusedForADomainWithAnEnforcedPolicy() throws Exception {
        // Two domains share one MX host: the session that carried mail for the opportunistic domain (any
        // certificate) must not carry mail for the MTA-STS domain, whose policy rejects the certificate.
        Destination open = world.secureDestination("reuse-open");
        TestSmtpServer mx = world.mx(open.address(), startTls(selfSigned(open.host())));
        TestZone stsZone = world.tld.child("reuse-sts.test");
        stsZone.mx("reuse-sts.test", 10, open.host());
        world.stsPolicy(stsZone, "reuse-sts.test", "1", policy("enforce", open.host()));

        world.submit(open.rcpt());
        awaitDelivery(mx);
        String id = world.submit("bob@reuse-sts.test");

        world.awaitDeferred(id, "bob@reuse-sts.test", "4.7.5");
        assertThat(mx.transactions()).hasSize(1);
    }

    @Test
    void aTestingPolicyDeliversToAnMxItDoesNotList() throws Exception {
        Destination d = withPolicy("sts-testing-notlisted", "testing", "mx.other.example");
        TestSmtpServer mx = world.mx(d.address(), startTls(world.webPkiCertificate(d.host())));

        world.submit(d.rcpt());

        assertThat(awaitDelivery(mx).tls()).isTrue();
    }

    @Test
    void aWildcardCertificateSatisfiesAnEnforcedPolicy() throws Exception {
        Destination d = withPolicy("sts-wildcard", "enforce", "*.sts-wildcard.test");
        TestSmtpServer mx = world.mx(d.address(), startTls(world.webPkiCertificate("*.sts-wildcard.test")));

        world.submit(d.rcpt());

        assertThat(awaitDelivery(mx).tls()).isTrue();
    }

    @Test
    void aPolicyThatCannotBeFetchedAndWasNeverCachedLeavesDeliveryOpportunistic() throws Exception {
        // RFC 8461 §5: without a valid policy (fresh or cached) the sender acts as if there were none.
        Destination d = withPolicy("sts-unreachable", "enforce", null);
        world.stsPolicyHostDown(d.domain());
        TestSmtpServer mx = world.mx(d.address(), startTls(selfSigned("mx.elsewhere.example")));

        world.submit(d.rcpt());

        assertThat(awaitDelivery(mx).tls()).isTrue();
        assertThat(world.policyRequests(d.domain())).isPositive();
    }

    @Test
    void aPolicyInModeNoneLeavesDeliveryOpportunistic() throws Exception {
        Destination d = world.secureDestination("sts-none");
        world.stsPolicy(d.zone(), d.domain(), "1", "version: STSv1\nmode: none\nmax_age: 86400\n");
        TestSmtpServer mx = world.mx(d.address(), startTls(selfSigned("mx.elsewhere.example")));

        world.submit(d.rcpt());

        assertThat(awaitDelivery(mx).tls()).isTrue();
        assertThat(world.policyRequests(d.domain())).isPositive();
    }
}
