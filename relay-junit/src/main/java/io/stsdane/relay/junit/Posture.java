package io.stsdane.relay.junit;

import io.stsdane.relay.core.delivery.RecipientOutcome;

/**
 * How a destination domain of a {@link RelayWorld} presents itself to the relay: its DNS (signed or bogus, MX,
 * TLSA, MTA-STS records), its MTA-STS policy and its MX server (certificate, STARTTLS, replies to RCPT). Each
 * posture names the outcome the RFCs require of a relay, which is the outcome the real relay must produce.
 *
 * <p>Every zone is DNSSEC-signed with a chain of trust to the world's own root (so that DANE can apply), and
 * every destination has one MX host {@code mx.<domain>}. A zone without TLSA records proves their absence
 * (NSEC), so DANE does not apply there.
 */
public enum Posture {

    /** TLSA {@code 3 1 1} (DANE-EE) of the MX certificate: delivered over TLS verified by DANE (RFC 7672). */
    DANE(RecipientOutcome.Kind.DELIVERED),

    /**
     * TLSA {@code 2 0 1} (DANE-TA) of the CA that issued the MX certificate, which the MX sends in its chain:
     * delivered over TLS verified by DANE (RFC 7672 §3.1.2, RFC 7671 §5.2.2).
     */
    DANE_TA(RecipientOutcome.Kind.DELIVERED),

    /** A TLSA record that matches no key the MX presents: deferred with 4.7.5, nothing sent (RFC 7672 §2.2). */
    DANE_MISMATCH(RecipientOutcome.Kind.DEFERRED),

    /**
     * A matching TLSA record, but the MX offers no STARTTLS: deferred with 4.7.5, nothing sent in clear
     * (RFC 7672 §2.2: TLS is mandatory once usable TLSA records exist).
     */
    DANE_NO_STARTTLS(RecipientOutcome.Kind.DEFERRED),

    /**
     * The domain's records carry signatures that do not validate: deferred with 4.7.5; bogus DNS is never
     * treated as insecure (RFC 7672 §2.1.1, RFC 4035 §5.5).
     */
    DNSSEC_BOGUS(RecipientOutcome.Kind.DEFERRED),

    /**
     * An MTA-STS policy in {@code enforce} mode listing the MX, whose certificate chains to a web PKI root the
     * relay trusts: delivered over TLS verified by MTA-STS (RFC 8461 §5).
     */
    MTA_STS_ENFORCE(RecipientOutcome.Kind.DELIVERED),

    /**
     * An MTA-STS policy in {@code testing} mode, and an MX whose self-signed certificate fails the check:
     * delivered over TLS all the same, the failure only reported (RFC 8461 §5).
     */
    MTA_STS_TESTING(RecipientOutcome.Kind.DELIVERED),

    /** An MTA-STS policy in {@code none} mode: no MTA-STS protection, delivered with opportunistic TLS. */
    MTA_STS_NONE(RecipientOutcome.Kind.DELIVERED),

    /**
     * An enforced MTA-STS policy and an MX whose certificate, though issued by the trusted root, names another
     * host: deferred with 4.7.5, nothing sent (RFC 8461 §4.2).
     */
    MTA_STS_ENFORCE_WRONG_CERT(RecipientOutcome.Kind.DEFERRED),

    /** An enforced MTA-STS policy and an MX with an expired certificate: deferred with 4.7.5 (RFC 8461 §4.2). */
    MTA_STS_ENFORCE_EXPIRED_CERT(RecipientOutcome.Kind.DEFERRED),

    /**
     * An enforced MTA-STS policy that does not list the domain's MX host: deferred with 4.7.5 without connecting
     * (RFC 8461 §4.1).
     */
    MTA_STS_ENFORCE_MX_NOT_LISTED(RecipientOutcome.Kind.DEFERRED),

    /**
     * No DANE, no MTA-STS, an MX with STARTTLS and a self-signed certificate: delivered over TLS that authenticates
     * nothing (opportunistic, RFC 7435).
     */
    OPPORTUNISTIC(RecipientOutcome.Kind.DELIVERED),

    /** No DANE, no MTA-STS and an MX without STARTTLS: delivered in clear, as RFC 3207 permits. */
    PLAINTEXT(RecipientOutcome.Kind.DELIVERED),

    /** A null MX ({@code MX 0 .}): the domain accepts no mail; bounced with 5.1.10 and a DSN (RFC 7505 §3). */
    NULL_MX(RecipientOutcome.Kind.BOUNCED),

    /**
     * A DANE destination whose MX answers every RCPT with {@code 550 5.1.1}: bounced with a DSN (RFC 5321
     * §4.2.1, RFC 3464).
     */
    RECIPIENT_REJECTED(RecipientOutcome.Kind.BOUNCED),

    /**
     * A DANE destination whose MX answers every RCPT with {@code 450 4.2.1}: deferred and retried (RFC 5321
     * §4.5.4.1).
     */
    RECIPIENT_TEMPFAIL(RecipientOutcome.Kind.DEFERRED);

    private final RecipientOutcome.Kind outcome;

    Posture(RecipientOutcome.Kind outcome) {
        this.outcome = outcome;
    }

    /** What the relay must do with mail to a destination of this posture, on its first attempt. */
    public RecipientOutcome.Kind outcome() {
        return outcome;
    }
}
