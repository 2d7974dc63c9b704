package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.util.Require;
import java.time.Duration;

/**
 * How long the client waits for each step of an SMTP session (RFC 5321 §4.5.3.2). Immutable.
 *
 * @param greeting the server's 220 greeting (RFC default 5 min)
 * @param command EHLO, STARTTLS and the TLS handshake, AUTH, RSET, QUIT (no RFC value; 5 min like MAIL)
 * @param mail the reply to MAIL (5 min)
 * @param rcpt each reply to RCPT (5 min)
 * @param data the 354 reply to DATA (2 min)
 * @param dataBlock progress while sending the message body: no block may take longer (3 min)
 * @param dataEnd the reply to the final dot (10 min)
 */
public record SmtpTimeouts(
        Duration greeting,
        Duration command,
        Duration mail,
        Duration rcpt,
        Duration data,
        Duration dataBlock,
        Duration dataEnd) {

    public SmtpTimeouts {
        Require.positive(greeting, "greeting");
        Require.positive(command, "command");
        Require.positive(mail, "mail");
        Require.positive(rcpt, "rcpt");
        Require.positive(data, "data");
        Require.positive(dataBlock, "dataBlock");
        Require.positive(dataEnd, "dataEnd");
    }

    /** The RFC 5321 §4.5.3.2 values. */
    public static SmtpTimeouts rfc5321() {
        return new SmtpTimeouts(Duration.ofMinutes(5), Duration.ofMinutes(5), Duration.ofMinutes(5),
                Duration.ofMinutes(5), Duration.ofMinutes(2), Duration.ofMinutes(3), Duration.ofMinutes(10));
    }

    /** Every step with the same timeout (tests, or a blunt operator setting). */
    public static SmtpTimeouts uniform(Duration d) {
        return new SmtpTimeouts(d, d, d, d, d, d, d);
    }
}
