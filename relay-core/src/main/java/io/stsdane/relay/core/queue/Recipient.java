package io.stsdane.relay.core.queue;

import java.util.Objects;
import java.util.Set;

/**
 * One envelope recipient with its DSN parameters.
 *
 * @param address the forward-path, {@code local@domain}, domain in lower case A-labels
 * @param notifyOn the NOTIFY set; empty when the client gave none (then the default, FAILURE and DELAY, applies)
 * @param orcpt the ORCPT parameter as given ({@code rfc822;addr}), or null
 */
public record Recipient(String address, Set<Notify> notifyOn, String orcpt) {

    public Recipient {
        Objects.requireNonNull(address, "address");
        notifyOn = Set.copyOf(notifyOn);
        if (notifyOn.contains(Notify.NEVER) && notifyOn.size() > 1) {
            throw new IllegalArgumentException("NOTIFY=NEVER cannot be combined with other values");
        }
    }

    public static Recipient of(String address) {
        return new Recipient(address, Set.of(), null);
    }

    /** The domain part, after the last {@code @}. */
    public String domain() {
        return address.substring(address.lastIndexOf('@') + 1);
    }

    /** Whether a DSN of this kind is wanted (RFC 3461 §4.1: absent NOTIFY means FAILURE and DELAY). */
    public boolean wants(Notify kind) {
        if (notifyOn.isEmpty()) {
            return kind == Notify.FAILURE || kind == Notify.DELAY;
        }
        return notifyOn.contains(kind);
    }
}
