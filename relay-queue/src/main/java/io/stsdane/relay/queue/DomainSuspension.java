package io.stsdane.relay.queue;

import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import java.time.Instant;
import java.util.Objects;

/**
 * An operator's suspension of a destination domain ({@code relay queue suspend}): no delivery attempt goes to it
 * until it ends. Mail for it stays queued and still expires after {@code delivery.max-queue-lifetime}.
 *
 * @param domain the destination domain, lower case
 * @param until when it ends by itself; null for "until resumed"
 */
public record DomainSuspension(String domain, @JsonSerialize(using = ToStringSerializer.class) Instant until) {

    public DomainSuspension {
        Objects.requireNonNull(domain, "domain");
    }

    /** Whether it still holds at {@code now}. */
    public boolean activeAt(Instant now) {
        return until == null || now.isBefore(until);
    }
}
