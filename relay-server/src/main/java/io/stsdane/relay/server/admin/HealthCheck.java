package io.stsdane.relay.server.admin;

/**
 * One readiness check behind {@code GET /health/ready}. Implementations must be thread-safe, should finish
 * within a few seconds, and report trouble as a DOWN {@link Status} rather than by throwing.
 */
public interface HealthCheck {

    /** A short name, the key in the readiness report ({@code spool}, {@code dns}). */
    String name();

    Status check();

    /** The result of one check. */
    record Status(boolean up, String detail) {

        public static Status up(String detail) {
            return new Status(true, detail);
        }

        public static Status down(String detail) {
            return new Status(false, detail);
        }
    }
}
