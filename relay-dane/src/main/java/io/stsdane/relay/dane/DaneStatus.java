package io.stsdane.relay.dane;

import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.core.tls.TlsFailure;
import java.util.List;
import java.util.Objects;

/**
 * The DANE applicability decision for one MX host (RFC 7672 §2.2), as a value for diagnostics
 * ({@code relay check}) and for building the TLS policy.
 *
 * @param kind the outcome
 * @param mxHost the MX host name asked about
 * @param tlsaBaseName the name whose TLSA RRset decided (the CNAME-expanded host name or the host name); empty
 *     when no TLSA RRset was found
 * @param records the TLSA RRset found there (empty unless DANE_REQUIRED or ENCRYPT_ONLY)
 * @param usableRecords those of {@code records} usable for SMTP: DANE-TA/DANE-EE with known parameters and
 *     well-formed data
 * @param mxSecure for DANE_REQUIRED and ENCRYPT_ONLY: whether the MX RRset that named the host was DNSSEC-secure;
 *     when not, DANE still applies to a host in a signed zone (RFC 7672 §2.2.1), but authenticates the host only,
 *     not that it is the domain's MX. False for the other kinds
 * @param failure the RFC 8460 failure kind, only for TEMPFAIL
 * @param reason why, for an operator
 */
public record DaneStatus(
        Kind kind,
        String mxHost,
        String tlsaBaseName,
        List<TlsaRecord> records,
        List<TlsaRecord> usableRecords,
        boolean mxSecure,
        TlsFailure failure,
        String reason) {

    /** The four outcomes of RFC 7672 §2.2. */
    public enum Kind {
        /** Secure TLSA RRset with usable records: STARTTLS mandatory, certificate must match. */
        DANE_REQUIRED,
        /** Secure TLSA RRset without usable records: STARTTLS mandatory, certificate not checked. */
        ENCRYPT_ONLY,
        /** The host's addresses or TLSA records are insecure, or TLSA records are securely denied: no DANE. */
        NOT_APPLICABLE,
        /** Bogus or indeterminate DNS on the path: do not deliver to this host now. */
        TEMPFAIL
    }

    public DaneStatus {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(mxHost, "mxHost");
        Objects.requireNonNull(tlsaBaseName, "tlsaBaseName");
        Objects.requireNonNull(reason, "reason");
        records = List.copyOf(records);
        usableRecords = List.copyOf(usableRecords);
        if ((kind == Kind.TEMPFAIL) != (failure != null)) {
            throw new IllegalArgumentException("a failure kind is required exactly for TEMPFAIL");
        }
    }

    static DaneStatus notApplicable(String mxHost, String reason) {
        return new DaneStatus(Kind.NOT_APPLICABLE, mxHost, "", List.of(), List.of(), false, null, reason);
    }

    static DaneStatus tempFail(String mxHost, TlsFailure failure, String reason) {
        return new DaneStatus(Kind.TEMPFAIL, mxHost, "", List.of(), List.of(), false, failure, reason);
    }

    /** One line, as {@code relay check} prints it. */
    @Override
    public String toString() {
        String base = tlsaBaseName.isEmpty() ? "" : " base=" + tlsaBaseName + " usable=" + usableRecords.size()
                + "/" + records.size();
        return kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + " " + mxHost + base
                + (failure == null ? "" : " (" + failure.resultType() + ")") + ": " + reason;
    }
}
