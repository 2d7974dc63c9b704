package io.stsdane.relay.junit;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;

/** Submits mail to a world's relay with Jakarta Mail, as an application would. */
final class Submit {

    static final String SENDER = "app@app.example";

    private Submit() {
    }

    static void mail(RelayWorld world, String rcpt) throws MessagingException {
        mail(world.smtpHost(), world.smtpPort(), rcpt);
    }

    static void mail(String host, int port, String rcpt) throws MessagingException {
        Properties props = new Properties();
        props.put("mail.smtp.host", host);
        props.put("mail.smtp.port", String.valueOf(port));
        MimeMessage m = new MimeMessage(Session.getInstance(props));
        m.setFrom(new InternetAddress(SENDER));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(rcpt));
        m.setSubject("Welcome");
        m.setText("Hello " + rcpt);
        Transport.send(m);
    }
}
