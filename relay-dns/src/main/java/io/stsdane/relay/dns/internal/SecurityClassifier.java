package io.stsdane.relay.dns.internal;

import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnssecMode;
import java.util.Set;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.ExtendedErrorCodeOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * Reads the DNSSEC state of one response for the configured {@link DnssecMode}.
 *
 * <p>dnsjava's validator and a validating resolver both signal "secure" with the AD bit. A failed validation is a
 * SERVFAIL with an Extended DNS Error (RFC 8914) and a reason record. dnsjava's validator would give an upstream
 * SERVFAIL the same bogus codes; {@link ServerFailureGuard} stops those before they reach it, so with
 * {@link DnssecMode#VALIDATE} a SERVFAIL seen here is the validator's own verdict on data it received.
 * Immutable and thread-safe.
 */
final class SecurityClassifier {

    /** RFC 8914 codes meaning "signatures present but wrong": bogus, not merely indeterminate. */
    private static final Set<Integer> BOGUS_CODES = Set.of(
            ExtendedErrorCodeOption.DNSSEC_BOGUS,
            ExtendedErrorCodeOption.SIGNATURE_EXPIRED,
            ExtendedErrorCodeOption.SIGNATURE_NOT_YET_VALID,
            ExtendedErrorCodeOption.DNSKEY_MISSING,
            ExtendedErrorCodeOption.RRSIGS_MISSING,
            ExtendedErrorCodeOption.NO_ZONE_KEY_BIT_SET,
            ExtendedErrorCodeOption.NSEC_MISSING,
            ExtendedErrorCodeOption.SIGNATURE_EXPIRED_BEFORE_VALID);

    private final DnssecMode mode;

    SecurityClassifier(DnssecMode mode) {
        this.mode = mode;
    }

    /** State of a NOERROR or NXDOMAIN response. */
    DnsSecurity ofAnswer(Message response) {
        if (mode == DnssecMode.OFF) {
            return DnsSecurity.INSECURE;
        }
        return response.getHeader().getFlag(Flags.AD) ? DnsSecurity.SECURE : DnsSecurity.INSECURE;
    }

    /** State of a lookup that produced no usable answer (timeout, SERVFAIL, malformed). */
    DnsSecurity ofFailure(Message responseOrNull) {
        if (mode == DnssecMode.OFF) {
            return DnsSecurity.INSECURE;
        }
        if (responseOrNull != null && reportsBogus(responseOrNull)) {
            return DnsSecurity.BOGUS;
        }
        return DnsSecurity.INDETERMINATE;
    }

    /** The validator's explanation, when it gave one. */
    static String reason(Message response) {
        StringBuilder sb = new StringBuilder(Rcode.string(response.getRcode()));
        OPTRecord opt = response.getOPT();
        if (opt != null) {
            for (EDNSOption o : opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR)) {
                ExtendedErrorCodeOption ede = (ExtendedErrorCodeOption) o;
                sb.append(", ").append(ExtendedErrorCodeOption.text(ede.getErrorCode()));
                if (ede.getText() != null && !ede.getText().isEmpty()) {
                    sb.append(": ").append(ede.getText());
                }
            }
        }
        for (Record r : response.getSection(Section.ADDITIONAL)) {
            if (r.getDClass() == ValidatingResolver.VALIDATION_REASON_QCLASS && r instanceof TXTRecord txt) {
                sb.append(" (").append(String.join("", txt.getStrings())).append(')');
            }
        }
        return sb.toString();
    }

    /** A validating resolver's verdict that the data failed validation: SERVFAIL with a bogus EDE code. */
    static boolean reportsBogus(Message response) {
        if (response.getRcode() != Rcode.SERVFAIL) {
            return false;
        }
        OPTRecord opt = response.getOPT();
        return opt != null && opt.getOptions(EDNSOption.Code.EDNS_EXTENDED_ERROR).stream()
                .anyMatch(o -> BOGUS_CODES.contains(((ExtendedErrorCodeOption) o).getErrorCode()));
    }
}
