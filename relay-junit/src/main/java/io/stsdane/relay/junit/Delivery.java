package io.stsdane.relay.junit;

import io.stsdane.relay.core.delivery.DeliveryAttempt;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.tls.PolicyOrigin;
import java.util.List;
import java.util.Objects;

/**
 * How the relay dealt with one recipient in one delivery run, from the relay's own records: the outcome it
 * gave the queue and every attempt of that run, the same values its delivery log is written from. The
 * {@code assert...} methods throw {@link AssertionError} with what was recorded, and return this for chaining.
 * Immutable.
 *
 * @param recipient the recipient address
 * @param id the queue id of the message
 * @param kind delivered, deferred (to be retried) or bounced
 * @param status the enhanced status code (RFC 3463), for example {@code 2.0.0}, {@code 4.7.5}, {@code 5.1.1}
 * @param diagnostic the receiving server's reply, or the relay's own explanation
 * @param run which delivery run this was for the recipient (1 for the first attempt, 2 for the first retry...)
 * @param attempts the attempts of this run in order (connections, or a verdict reached without one); the last
 *     one decided the outcome
 */
public record Delivery(String recipient, QueueId id, RecipientOutcome.Kind kind, String status, String diagnostic,
        int run, List<DeliveryAttempt> attempts) {

    public Delivery {
        Objects.requireNonNull(recipient, "recipient");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        attempts = List.copyOf(attempts);
    }

    /** The attempt that decided this outcome, or null when the run recorded none. */
    public DeliveryAttempt lastAttempt() {
        return attempts.isEmpty() ? null : attempts.get(attempts.size() - 1);
    }

    /** Which source decided the TLS policy of the deciding attempt, or null when no policy was decided. */
    public PolicyOrigin policySource() {
        DeliveryAttempt a = lastAttempt();
        return a == null ? null : a.policySource();
    }

    /** The TLS version of the deciding attempt (for example {@code TLSv1.3}), or null when it had no TLS. */
    public String tlsVersion() {
        DeliveryAttempt a = lastAttempt();
        return a == null ? null : a.tlsProtocol();
    }

    /**
     * Whether the deciding attempt had TLS whose server certificate was authenticated: the policy required
     * authentication (DANE, MTA-STS {@code enforce}) and the certificate passed its check. Opportunistic TLS and
     * MTA-STS {@code testing} authenticate nothing, whatever the certificate.
     */
    public boolean verified() {
        DeliveryAttempt a = lastAttempt();
        return a != null && a.tls() && Boolean.TRUE.equals(a.verified()) && a.policyLevel() != null
                && a.policyLevel().requiresAuthentication();
    }

    /** The TLS policy was decided by {@code source} (DANE, MTA-STS, a local override, or opportunistic). */
    public Delivery assertPolicy(PolicyOrigin source) {
        return check(policySource() == source, "the TLS policy from " + source);
    }

    /** The message went over TLS with the certificate authenticated, see {@link #verified()}. */
    public Delivery assertVerifiedTls() {
        return check(verified(), "TLS with an authenticated certificate");
    }

    /** The message went over TLS that authenticated nothing (opportunistic, MTA-STS testing). */
    public Delivery assertUnverifiedTls() {
        return check(tlsVersion() != null && !verified(), "TLS without authentication");
    }

    /** The TLS version was {@code version}, for example {@code TLSv1.3}. */
    public Delivery assertTlsVersion(String version) {
        return check(version.equals(tlsVersion()), version);
    }

    /** The deciding attempt had no TLS. */
    public Delivery assertPlaintext() {
        return check(tlsVersion() == null, "no TLS");
    }

    /** The enhanced status code was {@code expected}, for example {@code 4.7.5}. */
    public Delivery assertStatus(String expected) {
        return check(expected.equals(status), "status " + expected);
    }

    private Delivery check(boolean ok, String expected) {
        if (!ok) {
            throw new AssertionError("expected " + expected + " for " + recipient + ", but the relay recorded " + this);
        }
        return this;
    }

    @Override
    public String toString() {
        DeliveryAttempt a = lastAttempt();
        return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + status + " (" + diagnostic + ") in run " + run
                + " of " + id + (a == null ? "" : "; last attempt: mx " + a.mxHost() + ", policy "
                + (a.policySource() == null ? "none" : a.policySource().label()) + ", tls "
                + (a.tlsProtocol() == null ? "none" : a.tlsProtocol() + (verified() ? " authenticated"
                        : " not authenticated: " + a.verification())) + ", outcome " + a.outcome());
    }
}
