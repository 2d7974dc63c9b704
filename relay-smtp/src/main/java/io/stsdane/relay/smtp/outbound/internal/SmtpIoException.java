package io.stsdane.relay.smtp.outbound.internal;

import java.io.IOException;

/** The session broke: timeout, connection closed, protocol violation. Only travels inside the SMTP client. */
final class SmtpIoException extends IOException {

    SmtpIoException(String message) {
        super(message);
    }

    SmtpIoException(String message, Throwable cause) {
        super(message, cause);
    }
}
