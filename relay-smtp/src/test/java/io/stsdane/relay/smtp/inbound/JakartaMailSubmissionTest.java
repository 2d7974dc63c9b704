package io.stsdane.relay.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.core.testing.CapturingIntake;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** A real application client (Jakarta Mail / Angus) submitting over STARTTLS with AUTH, TLS from PEM files. */
class JakartaMailSubmissionTest extends InboundTestBase {

    private InboundServer server() throws Exception {
        Path[] pem = SERVER.writePem(tmp, "relay");
        Path users = usersFile();
        return start(b -> b.allowedNetworks(List.of()).tls(pem[0], pem[1]).usersFile(users));
    }

    private Session session(int port) {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(port));
        p.put("mail.smtp.auth", "true");
        p.put("mail.smtp.starttls.enable", "true");
        p.put("mail.smtp.starttls.required", "true");
        p.put("mail.smtp.ssl.socketFactory", CLIENT_TLS.getSocketFactory());
        p.put("mail.smtp.ssl.checkserveridentity", "false");
        p.put("mail.smtp.timeout", "20000");
        return Session.getInstance(p);
    }

    private MimeMessage message(Session session) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("app@example.com"));
        m.setRecipients(Message.RecipientType.TO, "user@example.org");
        m.setSubject("Invoice");
        m.setText("Line one\n.\nLine three\n");
        return m;
    }

    @Test
    void applicationSubmitsOverStartTlsWithAuth() throws Exception {
        InboundServer server = server();
        Session session = session(server.port());
        MimeMessage m = message(session);
        Transport.send(m, "alice", "secret");
        CapturingIntake.Accepted stored = intake.only();
        assertThat(stored.envelope().sender()).isEqualTo("app@example.com");
        assertThat(stored.text()).contains("with ESMTPSA", "(Authenticated sender: alice)", "Subject: Invoice",
                "\r\nLine one\r\n.\r\nLine three\r\n");
        assertThat(stored.text()).contains("Message-ID: " + m.getMessageID());
    }

    @Test
    void wrongPasswordIsRefused() throws Exception {
        InboundServer server = server();
        Session session = session(server.port());
        assertThatThrownBy(() -> Transport.send(message(session), "alice", "wrong"))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("535 5.7.8");
        assertThat(intake.accepted()).isEmpty();
    }
}
