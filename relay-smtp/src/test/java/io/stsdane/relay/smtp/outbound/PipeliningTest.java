package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.delivery.RecipientOutcome.Kind;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 2920 on the wire, seen by a server that records which commands arrived in one network read: the envelope
 * (MAIL, every RCPT, DATA last) in one write when PIPELINING is offered, one command per write when it is not,
 * never a group across STARTTLS, replies matched to recipients in order, and a group whose recipients were all
 * refused ended without content.
 */
class PipeliningTest {

    private static final TestCertificate MX_CERT = TestCertificate.builder().dnsNames("mx.example.test").build();

    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    private TestSmtpServer mx(SmtpBehavior.Builder b) {
        TestSmtpServer s = f.singleMx("mx.example.test", b.build());
        f.engine(List.of());
        return s;
    }

    @Test
    void theEnvelopeArrivesInOneReadAndEachRecipientGetsTheReplyToItsOwnRcpt() {
        TestSmtpServer s = mx(SmtpBehavior.builder().pipelining(true)
                .rcptReply("refused@example.test", "550 5.1.1 no such user"));

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test",
                "refused@example.test", "ok@example.test"));

        assertThat(out).extracting(o -> o.recipient().address() + " " + o.kind() + " " + o.status())
                .containsExactly("refused@example.test BOUNCED 5.1.1", "ok@example.test DELIVERED 2.0.0");
        assertThat(out.get(0).diagnostic()).isEqualTo("550 5.1.1 no such user");
        assertThat(verbsByRead(s)).containsExactly(List.of("EHLO"), List.of("MAIL", "RCPT", "RCPT", "DATA"));
        assertThat(s.transactions()).singleElement().extracting(ReceivedTransaction::recipients)
                .isEqualTo(List.of("TO:<ok@example.test>"));
    }

    @Test
    void withoutPipeliningEachCommandWaitsForTheReplyToThePreviousOne() {
        TestSmtpServer s = mx(SmtpBehavior.builder().pipelining(false)
                .rcptReply("refused@example.test", "550 5.1.1 no such user"));

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test",
                "refused@example.test", "ok@example.test"));

        assertThat(out).extracting(RecipientOutcome::kind).containsExactly(Kind.BOUNCED, Kind.DELIVERED);
        assertThat(verbsByRead(s)).containsExactly(List.of("EHLO"), List.of("MAIL"), List.of("RCPT"),
                List.of("RCPT"), List.of("DATA"));
    }

    /** RFC 3207 §4.2 and RFC 2920 §3.1: STARTTLS ends a group; the envelope follows the EHLO sent over TLS. */
    @Test
    void noGroupSpansStartTlsAndTheEnvelopeFollowsTheEhloOverTls() {
        TestSmtpServer s = mx(SmtpBehavior.builder().pipelining(true).startTls(MX_CERT.serverContext()));

        assertThat(f.deliver(Messages.simple("example.test", "a@example.test", "b@example.test")))
                .allSatisfy(o -> assertThat(o.kind()).isEqualTo(Kind.DELIVERED));

        assertThat(verbsByRead(s)).containsExactly(List.of("EHLO"), List.of("STARTTLS"), List.of("EHLO"),
                List.of("MAIL", "RCPT", "RCPT", "DATA"));
        assertThat(s.transactions()).singleElement().matches(ReceivedTransaction::tls);
    }

    @Test
    void whenEveryRecipientIsRefusedAndDataToo_RsetEndsTheTransactionAndTheSessionIsReused() {
        TestSmtpServer s = mx(SmtpBehavior.builder().pipelining(true)
                .rcptReply("ok@example.test", "250 2.1.5 ok").otherRcptReply("550 5.1.1 no such user"));

        assertThat(f.deliver(Messages.simple("example.test", "x@example.test", "y@example.test")))
                .allSatisfy(o -> assertThat(o.kind() + " " + o.status()).isEqualTo("BOUNCED 5.1.1"));
        assertThat(f.deliver(Messages.simple("example.test", "ok@example.test")))
                .singleElement().extracting(RecipientOutcome::kind).isEqualTo(Kind.DELIVERED);

        assertThat(verbsByRead(s)).containsExactly(List.of("EHLO"), List.of("MAIL", "RCPT", "RCPT", "DATA"),
                List.of("RSET"), List.of("MAIL", "RCPT", "DATA"));
        assertThat(s.transactions()).singleElement().extracting(ReceivedTransaction::recipients)
                .isEqualTo(List.of("TO:<ok@example.test>"));
        assertThat(s.connections()).isEqualTo(1);
    }

    /**
     * RFC 2920 §3.1: a server may accept DATA although it refused every RCPT; the client then sends a single dot,
     * so no content reaches anyone and the session stays usable. The recipients keep the outcome of their RCPT.
     */
    @Test
    void whenDataIsAcceptedAfterEveryRecipientWasRefused_aSingleDotEndsItAndTheSessionIsReused() {
        TestSmtpServer s = mx(SmtpBehavior.builder().pipelining(true).dataWithoutRecipients(true)
                .rcptReply("ok@example.test", "250 2.1.5 ok").otherRcptReply("550 5.1.1 no such user"));

        assertThat(f.deliver(Messages.simple("example.test", "x@example.test", "y@example.test")))
                .allSatisfy(o -> {
                    assertThat(o.kind() + " " + o.status()).isEqualTo("BOUNCED 5.1.1");
                    assertThat(o.diagnostic()).isEqualTo("550 5.1.1 no such user");
                });
        assertThat(f.deliver(Messages.simple("example.test", "ok@example.test")))
                .singleElement().extracting(RecipientOutcome::kind).isEqualTo(Kind.DELIVERED);

        assertThat(s.transactions()).hasSize(2);
        ReceivedTransaction empty = s.transactions().get(0);
        assertThat(empty.recipients()).isEmpty();
        assertThat(empty.rawData()).isEmpty();
        assertThat(s.transactions().get(1).recipients()).containsExactly("TO:<ok@example.test>");
        assertThat(s.connections()).isEqualTo(1);
    }

    private static List<List<String>> verbsByRead(TestSmtpServer s) {
        return s.commandsByRead().stream()
                .map(g -> g.stream().map(c -> c.split(" ", 2)[0].toUpperCase(Locale.ROOT)).toList())
                .filter(g -> !g.equals(List.of("QUIT")))
                .toList();
    }
}
