package com.example.welcome;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.junit.Posture;
import io.stsdane.relay.junit.RelayExtension;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The welcome mail, through the real relay, to destinations of several TLS postures; mailboxes in GreenMail. */
class WelcomeMailerTest {

    @RegisterExtension
    static GreenMailExtension mailboxes = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

    @RegisterExtension
    static RelayExtension relay = RelayExtension.create()
            .destination("shop.example", Posture.DANE)              // the shop's own domain: DSNs arrive here
            .destination("dane.example", Posture.DANE)
            .destination("sts.example", Posture.MTA_STS_ENFORCE)
            .destination("broken.example", Posture.MTA_STS_ENFORCE_WRONG_CERT)
            .destination("plain.example", Posture.PLAINTEXT)
            .destination("gone.example", Posture.NULL_MX)
            .deliverTo(mailboxes);

    private final WelcomeMailer app = new WelcomeMailer();

    @Test
    void welcomeMailLeavesOverDane() throws Exception {
        app.sendWelcomeMail("alice@dane.example", relay.smtpHost(), relay.smtpPort());

        relay.awaitDelivered("alice@dane.example").assertPolicy(PolicyOrigin.DANE).assertVerifiedTls();
        MimeMessage[] received = mailboxes.getReceivedMessagesForDomain("dane.example");
        assertThat(received).hasSize(1);
        assertThat(received[0].getSubject()).isEqualTo("Welcome to the shop");
    }

    @Test
    void welcomeMailLeavesOverMtaStsVerifiedTls() throws Exception {
        app.sendWelcomeMail("bob@sts.example", relay.smtpHost(), relay.smtpPort());

        relay.awaitDelivered("bob@sts.example").assertPolicy(PolicyOrigin.MTA_STS).assertVerifiedTls()
                .assertTlsVersion("TLSv1.3");
        assertThat(mailboxes.getReceivedMessagesForDomain("sts.example")).hasSize(1);
    }

    @Test
    void welcomeMailToADomainWithoutStartTlsGoesInClear() throws Exception {
        app.sendWelcomeMail("carol@plain.example", relay.smtpHost(), relay.smtpPort());

        relay.awaitDelivered("carol@plain.example").assertPolicy(PolicyOrigin.OPPORTUNISTIC).assertPlaintext();
        assertThat(mailboxes.getReceivedMessagesForDomain("plain.example")).hasSize(1);
    }

    @Test
    void mailToABrokenDestinationWaitsAndTheAppIsTold() throws Exception {
        app.sendWelcomeMail("dave@broken.example", relay.smtpHost(), relay.smtpPort());

        relay.awaitDeferred("dave@broken.example").assertPolicy(PolicyOrigin.MTA_STS).assertStatus("4.7.5");
        relay.awaitDsn("dave@broken.example").assertAction("delayed");
        relay.awaitDelivered(WelcomeMailer.FROM);
        assertThat(mailboxes.getReceivedMessagesForDomain("broken.example")).isEmpty();
        assertThat(mailboxes.getReceivedMessagesForDomain("shop.example"))
                .anySatisfy(dsn -> assertThat(GreenMailUtil.getWholeMessage(dsn)).contains("dave@broken.example"));
    }

    @Test
    void mailToADomainThatTakesNoMailBouncesBackToTheApp() throws Exception {
        app.sendWelcomeMail("erin@gone.example", relay.smtpHost(), relay.smtpPort());

        relay.awaitBounced("erin@gone.example").assertStatus("5.1.10");
        relay.awaitDsn("erin@gone.example").assertAction("failed");
        relay.awaitDelivered(WelcomeMailer.FROM);
        assertThat(mailboxes.getReceivedMessagesForDomain("shop.example"))
                .anySatisfy(dsn -> assertThat(GreenMailUtil.getWholeMessage(dsn)).contains("erin@gone.example"));
    }
}
