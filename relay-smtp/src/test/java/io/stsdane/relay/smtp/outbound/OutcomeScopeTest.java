package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.OutcomeScope;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.delivery.RecipientOutcome.Kind;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every failed outcome says how far its cause reaches, so that the queue holds a whole destination back only
 * when the destination failed: real servers behaving badly on loopback addresses, an in-memory DNS.
 */
class OutcomeScopeTest {

    /** The key DANE pins, and another key for the same name that the servers present. */
    private static final TestCertificate PINNED = TestCertificate.builder().dnsNames("mx1.example.test").build();
    private static final TestCertificate PRESENTED = TestCertificate.builder().dnsNames("mx1.example.test").build();

    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** {@code example.test} has MX hosts mx1 at 127.0.0.2 and mx2 at 127.0.0.3 (preference order). */
    private void twoMx() {
        f.dns.mx("example.test", DnsSecurity.INSECURE, new MxRecord(10, "mx1.example.test"),
                new MxRecord(20, "mx2.example.test"));
        f.dns.address("mx1.example.test", DnsSecurity.INSECURE, EngineFixture.addr("127.0.0.2"));
        f.dns.address("mx2.example.test", DnsSecurity.INSECURE, EngineFixture.addr("127.0.0.3"));
    }

    private List<RecipientOutcome> deliver(String... recipients) {
        return f.deliver(Messages.simple("example.test", recipients));
    }

    private static void deferredWithScope(List<RecipientOutcome> out, OutcomeScope scope) {
        assertThat(out).isNotEmpty().allSatisfy(o -> {
            assertThat(o.kind()).isEqualTo(Kind.DEFERRED);
            assertThat(o.scope()).isEqualTo(scope);
        });
    }

    @Test
    void a450ToOneRecipientsRcptIsThatRecipientsAndTheOtherIsDelivered() {
        f.singleMx("mx1.example.test", SmtpBehavior.builder()
                .rcptReply("busy@example.test", "450 4.2.1 mailbox busy").build());
        f.engine(List.of());

        List<RecipientOutcome> out = deliver("busy@example.test", "free@example.test");

        assertThat(out.get(0).kind()).isEqualTo(Kind.DEFERRED);
        assertThat(out.get(0).scope()).isEqualTo(OutcomeScope.RECIPIENT);
        assertThat(out.get(1).kind()).isEqualTo(Kind.DELIVERED);
        assertThat(out.get(1).scope()).isEqualTo(OutcomeScope.RECIPIENT);
    }

    @Test
    void aRefusedConnectionOnEveryMxHostIsTheDestinations() {
        twoMx();
        f.port(); // nothing listens on 127.0.0.2 or 127.0.0.3 at this port
        f.engine(List.of());

        deferredWithScope(deliver("a@example.test", "b@example.test"), OutcomeScope.DESTINATION);
    }

    @Test
    void a421GreetingOnEveryMxHostIsTheDestinations() {
        SmtpBehavior closing = SmtpBehavior.builder().greeting("421 4.3.2 try later").build();
        f.server("127.0.0.2", closing);
        f.server("127.0.0.3", closing);
        twoMx();
        f.engine(List.of());

        deferredWithScope(deliver("a@example.test"), OutcomeScope.DESTINATION);
    }

    @Test
    void aTlsPolicyFailureOnEveryMxHostIsTheDestinations() {
        SmtpBehavior wrongCert = SmtpBehavior.builder().startTls(PRESENTED.serverContext()).build();
        TestSmtpServer first = f.server("127.0.0.2", wrongCert);
        TestSmtpServer second = f.server("127.0.0.3", wrongCert);
        twoMx();
        f.engine(List.of(TestPolicies.dane(PINNED.certificate())));

        List<RecipientOutcome> out = deliver("a@example.test");

        deferredWithScope(out, OutcomeScope.DESTINATION);
        assertThat(out.get(0).status()).isEqualTo("4.7.5");
        assertThat(first.received("MAIL")).isFalse();
        assertThat(second.received("MAIL")).isFalse();
    }

    @Test
    void aRefusedConnectionThenA450ToTheRcptOnTheNextHostIsTheRecipients() {
        f.server("127.0.0.3", SmtpBehavior.builder().otherRcptReply("450 4.2.1 mailbox busy").build());
        twoMx(); // mx1 (127.0.0.2) refuses connections
        f.engine(List.of());

        deferredWithScope(deliver("a@example.test"), OutcomeScope.RECIPIENT);
    }

    @Test
    void aTemporaryFailureAfterTheMessageWasSentIsTheMessages() {
        f.singleMx("mx1.example.test", SmtpBehavior.builder().dataEndReply("451 4.3.0 try again").build());
        f.engine(List.of());

        deferredWithScope(deliver("a@example.test", "b@example.test"), OutcomeScope.MESSAGE);
    }

    @Test
    void a421ToTheRcptIsTheHostsThatClosedTheSession() {
        f.singleMx("mx1.example.test", SmtpBehavior.builder()
                .otherRcptReply("421 4.3.2 shutting down").build());
        f.engine(List.of());

        deferredWithScope(deliver("a@example.test"), OutcomeScope.HOST);
    }

    @Test
    void aHostThatCannotTakeThisMessageIsNotTheDestinationsFailure() {
        f.singleMx("mx1.example.test", SmtpBehavior.builder().sizeLimit(10).build());
        f.engine(List.of());

        assertThat(deliver("a@example.test")).singleElement().satisfies(o -> {
            assertThat(o.kind()).isEqualTo(Kind.BOUNCED);
            assertThat(o.scope()).isEqualTo(OutcomeScope.MESSAGE);
        });
    }
}
