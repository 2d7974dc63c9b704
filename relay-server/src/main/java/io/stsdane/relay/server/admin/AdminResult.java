package io.stsdane.relay.server.admin;

import java.util.Objects;

/**
 * The outcome of a queue action ({@code retry}, {@code hold}...), as a value.
 *
 * @param status how it went; decides the HTTP status
 * @param message for the operator, for example "message 4fT2 is already held"
 */
public record AdminResult(Status status, String message) {

    public enum Status {
        /** Done (HTTP 200). */
        OK,
        /** No message with that id (HTTP 404). */
        NOT_FOUND,
        /** The message is in a state that does not allow the action (HTTP 409). */
        CONFLICT
    }

    public AdminResult {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
    }

    public static AdminResult ok(String message) {
        return new AdminResult(Status.OK, message);
    }

    public static AdminResult notFound(String id) {
        return new AdminResult(Status.NOT_FOUND, "no message " + id + " in the queue");
    }
}
