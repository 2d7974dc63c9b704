package io.stsdane.relay.core.queue;

/**
 * The queue cannot take a message now. Carries the SMTP reply the listener must give, for example
 * {@code 452 4.3.1} when the disk is nearly full or {@code 451 4.3.0} when a write failed.
 */
public final class IntakeException extends Exception {

    private final int code;
    private final String enhancedStatus;

    public IntakeException(int code, String enhancedStatus, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.enhancedStatus = enhancedStatus;
    }

    public IntakeException(int code, String enhancedStatus, String message) {
        this(code, enhancedStatus, message, null);
    }

    public int code() {
        return code;
    }

    public String enhancedStatus() {
        return enhancedStatus;
    }
}
