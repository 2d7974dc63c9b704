package io.stsdane.relay.core.delivery;

import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsLevel;
import java.time.Instant;
import java.util.Objects;

/**
 * One delivery attempt for one message and destination domain: a connection to one MX address, or a verdict
 * reached before any connection (no route, a policy that could not be determined, no address). Exactly what the
 * relay writes as one line of its delivery log. Immutable.
 *
 * @param time when the attempt ended
 * @param id the queue id
 * @param domain the destination domain
 * @param mxHost the MX host tried, or null when routing ended before a host was chosen
 * @param address the IP address connected to, or null when no connection was tried
 * @param policySource which source decided the TLS policy, or null when none was decided
 * @param policyLevel the level that policy requires, or null when none was decided
 * @param plaintextRetry a retry in clear after a failed handshake under an opportunistic policy
 * @param tlsProtocol the negotiated TLS version (for example {@code TLSv1.3}), or null without TLS
 * @param tlsCipher the negotiated cipher suite, or null without TLS
 * @param verified whether the server's certificate passed the policy's check, or null without TLS
 * @param verification what that check found, or null without TLS
 * @param outcome {@code delivered:n}, {@code failed}, {@code refused}, a mix such as
 *     {@code delivered:1,deferred:1}, {@code skipped} for an address not connected to, or for a verdict without
 *     connection {@code deferred} or {@code bounced}
 * @param reply the last SMTP reply, or the relay's own explanation
 * @param durationMillis how long the attempt took
 */
public record DeliveryAttempt(
        Instant time,
        QueueId id,
        String domain,
        String mxHost,
        String address,
        PolicyOrigin policySource,
        TlsLevel policyLevel,
        boolean plaintextRetry,
        String tlsProtocol,
        String tlsCipher,
        Boolean verified,
        String verification,
        String outcome,
        String reply,
        long durationMillis) {

    public DeliveryAttempt {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(reply, "reply");
    }

    /** Whether TLS was up in this attempt. */
    public boolean tls() {
        return tlsProtocol != null;
    }

    /** The policy this attempt applied and the TLS it got. */
    public AttemptSecurity security() {
        return new AttemptSecurity(policySource, policyLevel, tlsProtocol, tlsCipher, verified, verification);
    }
}
