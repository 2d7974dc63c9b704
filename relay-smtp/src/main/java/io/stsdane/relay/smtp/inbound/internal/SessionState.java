package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.util.LogText;
import java.net.InetAddress;

/**
 * What the listener knows about one SMTP session. SubEthaSMTP keeps AUTH and transaction state across
 * STARTTLS and cannot say whether TLS is active, so the session's own truth lives here. Confined to the
 * session's thread, except {@link #activity}, which is thread-safe and shared with shutdown.
 */
final class SessionState {

    final InetAddress client;
    final SessionActivity activity;
    String helo;
    boolean esmtp;
    String tlsProtocol;
    String tlsCipher;
    String authUser;
    Transaction transaction;
    int badCommands;

    /** @param commandNanos the deadline of one command line or exchange ({@link SessionActivity}) */
    SessionState(InetAddress client, long commandNanos) {
        this.client = client;
        this.activity = new SessionActivity(commandNanos);
    }

    boolean tls() {
        return tlsProtocol != null;
    }

    /** RFC 3207 §4.2: after STARTTLS the client must start over; forget everything learned in clear. */
    void tlsStarted(String protocol, String cipher) {
        this.tlsProtocol = protocol;
        this.tlsCipher = cipher;
        this.helo = null;
        this.esmtp = false;
        this.authUser = null;
        this.transaction = null;
    }

    /** {@code [ip] helo}, as the queue records the client. */
    String describeClient() {
        return "[" + client.getHostAddress() + "] " + (helo == null ? "" : helo);
    }

    /** {@link #describeClient()} for a log line: the EHLO name is the client's text, escaped. */
    String logClient() {
        return LogText.escape(describeClient());
    }
}
