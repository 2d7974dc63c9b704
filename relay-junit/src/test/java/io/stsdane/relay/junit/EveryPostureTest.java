package io.stsdane.relay.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.stsdane.relay.core.tls.PolicyOrigin;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Mail to a destination of every {@link Posture} through the real relay, with the outcome the RFCs require, as
 * recorded by the relay and as seen in GreenMail.
 */
class EveryPostureTest {

    @RegisterExtension
    static GreenMailExtension mailboxes = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @RegisterExtension
    static RelayExtension relay = everyPosture(RelayExtension.create()
            .destination("app.example", Posture.DANE))
            .deliverTo(mailboxes);

    private static RelayExtension everyPosture(RelayExtension r) {
        Arrays.stream(Posture.values()).forEach(p -> r.destination(domain(p), p));
        return r;
    }

    private static String domain(Posture p) {
        return p.name().toLowerCase(Locale.ROOT).replace('_', '-') + ".example";
    }

    static Stream<Arguments> delivering() {
        return Stream.of(
                row(Posture.DANE, d -> d.assertPolicy(PolicyOrigin.DANE).assertVerifiedTls()),
                row(Posture.DANE_TA, d -> d.assertPolicy(PolicyOrigin.DANE).assertVerifiedTls()),
                row(Posture.MTA_STS_ENFORCE, d -> d.assertPolicy(PolicyOrigin.MTA_STS).assertVerifiedTls()),
                // testing mode: the failed check is only reported (RFC 8461 §5)
                row(Posture.MTA_STS_TESTING, d -> d.assertPolicy(PolicyOrigin.MTA_STS).assertUnverifiedTls()),
                row(Posture.MTA_STS_NONE, d -> d.assertPolicy(PolicyOrigin.OPPORTUNISTIC).assertUnverifiedTls()),
                row(Posture.OPPORTUNISTIC, d -> d.assertPolicy(PolicyOrigin.OPPORTUNISTIC).assertUnverifiedTls()),
                row(Posture.PLAINTEXT, d -> d.assertPolicy(PolicyOrigin.OPPORTUNISTIC).assertPlaintext()));
    }

    private static Arguments row(Posture p, Consumer<Delivery> how) {
        return Arguments.of(p, how);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("delivering")
    void aDeliveringDestinationGetsTheMessageOverTheTlsItsPostureCallsFor(Posture p, Consumer<Delivery> how)
            throws Exception {
        String rcpt = send(p);

        Delivery d = relay.awaitDelivered(rcpt).assertStatus("2.0.0");
        how.accept(d);

        assertThat(mailboxes.getReceivedMessagesForDomain(domain(p))).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Posture.class, names = {"DANE_MISMATCH", "DANE_NO_STARTTLS", "DNSSEC_BOGUS",
            "MTA_STS_ENFORCE_WRONG_CERT", "MTA_STS_ENFORCE_EXPIRED_CERT", "MTA_STS_ENFORCE_MX_NOT_LISTED"})
    void aDestinationThatCannotProveItselfWaitsAndTheSenderIsTold(Posture p) throws Exception {
        String rcpt = send(p);

        relay.awaitDeferred(rcpt).assertStatus("4.7.5");
        relay.awaitDsn(rcpt).assertAction("delayed");
        relay.awaitDelivered(Submit.SENDER);

        assertThat(mailboxes.getReceivedMessagesForDomain(domain(p))).isEmpty();
        assertDsnInMailbox(rcpt);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Posture.class, names = "RECIPIENT_TEMPFAIL")
    void aRecipientRefusedForNowIsRetried(Posture p) throws Exception {
        String rcpt = send(p);

        relay.awaitDeferred(rcpt).assertStatus("4.2.1").assertPolicy(PolicyOrigin.DANE).assertVerifiedTls();
        assertThat(relay.awaitDeferred(rcpt).run()).isEqualTo(2);

        assertThat(mailboxes.getReceivedMessagesForDomain(domain(p))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(value = Posture.class, names = {"NULL_MX", "RECIPIENT_REJECTED"})
    void aDestinationThatRefusesTheMailBouncesItWithADsn(Posture p) throws Exception {
        String rcpt = send(p);

        relay.awaitBounced(rcpt).assertStatus(p == Posture.NULL_MX ? "5.1.10" : "5.1.1");
        relay.awaitDsn(rcpt).assertAction("failed");
        assertThat(relay.awaitDelivered(Submit.SENDER).run()).isEqualTo(1);

        assertThat(mailboxes.getReceivedMessagesForDomain(domain(p))).isEmpty();
        assertDsnInMailbox(rcpt);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Posture.class)
    void everyPostureHasTheOutcomeItPromises(Posture p) throws Exception {
        String rcpt = send(p);

        Delivery first = switch (p.outcome()) {
            case DELIVERED -> relay.awaitDelivered(rcpt);
            case DEFERRED -> relay.awaitDeferred(rcpt);
            case BOUNCED -> relay.awaitBounced(rcpt);
        };

        assertThat(first.run()).isEqualTo(1);
    }

    /**
     * The sender's mailbox holds a DSN about {@code rcpt}. (Other DSNs may be there too: one a previous test's
     * message caused while this test's GreenMail started.)
     */
    private static void assertDsnInMailbox(String rcpt) {
        assertThat(mailboxes.getReceivedMessagesForDomain("app.example"))
                .anySatisfy(m -> assertThat(GreenMailUtil.getWholeMessage(m))
                        .contains("Final-Recipient: rfc822; " + rcpt));
    }

    /** Submits one message to {@code alice@<domain of p>} with Jakarta Mail, as an application would. */
    private static String send(Posture p) throws Exception {
        String rcpt = "alice@" + domain(p);
        Submit.mail(relay.smtpHost(), relay.smtpPort(), rcpt);
        return rcpt;
    }
}
