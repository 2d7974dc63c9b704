package io.stsdane.relay.core.queue;

import java.util.Objects;
import java.util.regex.Pattern;

/** A queue id: short, unique, safe as a file name and in a Received header. */
public record QueueId(String value) implements Comparable<QueueId> {

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    public QueueId {
        Objects.requireNonNull(value, "value");
        if (!SAFE.matcher(value).matches()) {
            throw new IllegalArgumentException("not a queue id: " + value);
        }
    }

    @Override
    public int compareTo(QueueId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
