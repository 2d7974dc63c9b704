package io.stsdane.relay.server.admin;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The short reason of a recipient's last result: its enhanced status code, then the reply or diagnostic
 * without a repeated reply code and status ({@code 451 4.7.5 x} becomes {@code 4.7.5 x}), first line only.
 */
final class QueueReason {

    private static final Pattern REPLY_CODE = Pattern.compile("^[245][0-9][0-9][ -]");

    private QueueReason() {
    }

    static Optional<String> of(QueueMessage.QueueRecipient r) {
        if (r.lastResult() == null && r.lastStatus() == null) {
            return Optional.empty();
        }
        String text = r.lastResult() == null ? "" : r.lastResult().lines().findFirst().orElse("").strip();
        text = REPLY_CODE.matcher(text).replaceFirst("");
        String status = r.lastStatus() == null ? "" : r.lastStatus();
        if (!status.isEmpty() && text.startsWith(status)) {
            text = text.substring(status.length()).strip();
        }
        return Optional.of((status + " " + text).strip());
    }
}
