package com.example.welcome;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;

/** The application under test: it welcomes new customers by mail, through the outbound relay. */
public final class WelcomeMailer {

    /** The shop's own address; bounces and delay notices come back here. */
    public static final String FROM = "welcome@shop.example";

    /** Sends the welcome mail to {@code customer} through the SMTP relay at {@code relayHost:relayPort}. */
    public void sendWelcomeMail(String customer, String relayHost, int relayPort) throws MessagingException {
        Properties props = new Properties();
        props.put("mail.smtp.host", relayHost);
        props.put("mail.smtp.port", String.valueOf(relayPort));
        MimeMessage message = new MimeMessage(Session.getInstance(props));
        message.setFrom(new InternetAddress(FROM));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress(customer));
        message.setSubject("Welcome to the shop");
        message.setText("Hello and welcome!\n");
        Transport.send(message);
    }
}
