package io.stsdane.relay.server.admin;

import java.time.Instant;
import java.util.List;

/**
 * One queued message as the admin API shows it (serialized to JSON as is).
 *
 * @param id the queue id
 * @param sender the envelope sender; empty for the null sender {@code <>}
 * @param received when the message was accepted
 * @param sizeBytes the size of the message content
 * @param state {@code active} (waiting for its first attempt, or due), {@code deferred} (an attempt failed
 *     temporarily, or a suspension or backoff of its destination postpones it), {@code held} or {@code quarantined}
 * @param held whether delivery is suspended ({@code relay queue hold})
 * @param nextAttempt the next attempt; null when held or nothing is pending
 * @param reason why it is still queued: the last status code and reply of a pending recipient
 *     ({@code 4.7.5 DANE: TLSA mismatch at mx.example.com}); null before the first attempt
 * @param delayedBy what postpones it besides its own retry schedule: {@code suspended until ...} (an operator's
 *     {@code relay queue suspend}) or {@code backoff of DOMAIN until ...} (the domain failed repeatedly); null
 * @param recipients every recipient with its state
 * @param quarantine why the relay set the message aside instead of delivering it (an unreadable row in the
 *     PostgreSQL queue, docs/cluster.md); null for a message delivered normally
 */
public record QueueMessage(
        String id,
        String sender,
        Instant received,
        long sizeBytes,
        String state,
        boolean held,
        Instant nextAttempt,
        String reason,
        String delayedBy,
        List<QueueRecipient> recipients,
        Quarantine quarantine) {

    public QueueMessage {
        recipients = List.copyOf(recipients);
    }

    /** @param since when it was set aside, @param reason what could not be read, for the operator to repair */
    public record Quarantine(Instant since, String reason) {
    }

    /**
     * @param domain the destination domain
     * @param state for example {@code pending}, {@code delivered}, {@code bounced}
     * @param attempts delivery attempts so far
     * @param lastStatus the enhanced status code of the last attempt (RFC 3463); null before the first attempt
     * @param lastResult the last attempt's outcome (reply or local diagnostic); null before the first attempt
     * @param remoteMta the MX host that gave the last reply; null when none was reached
     * @param nextAttempt when it is tried next; null once final
     * @param history the most recent attempts, oldest first
     */
    public record QueueRecipient(String address, String domain, String state, int attempts, String lastStatus,
            String lastResult, String remoteMta, Instant nextAttempt, List<Attempt> history) {

        public QueueRecipient {
            history = List.copyOf(history);
        }

        /** Its last status code and the first line of its last result; empty before the first attempt. */
        public java.util.Optional<String> reason() {
            return QueueReason.of(this);
        }
    }

    /**
     * One delivery attempt of a recipient.
     *
     * @param outcome {@code delivered}, {@code deferred} or {@code bounced}
     * @param status the enhanced status code
     * @param reply the server's reply, or the local diagnostic (policy, TLS verification, DNS)
     * @param mxHost the MX host that answered; empty when none was reached
     * @param policy the TLS policy the attempt applied as {@code source/level} (for example {@code dane/dane},
     *     {@code mta-sts/verify}, {@code opportunistic/may}); null when none was decided or it was not recorded
     * @param tlsProtocol the negotiated TLS version; null when no TLS session was up (plaintext or no connection)
     * @param tlsCipher the negotiated cipher suite; null without TLS
     * @param verified whether the server's certificate passed the policy's check; null without TLS
     * @param verification what that check found; null without TLS
     */
    public record Attempt(Instant at, String outcome, String status, String reply, String mxHost, String policy,
            String tlsProtocol, String tlsCipher, Boolean verified, String verification) {
    }
}
