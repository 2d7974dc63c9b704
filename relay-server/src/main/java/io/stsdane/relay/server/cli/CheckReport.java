package io.stsdane.relay.server.cli;

import java.util.List;

/**
 * What {@code relay check} found for one destination domain; {@code --json} prints exactly this, so the field
 * names are an interface for scripts. Absent values are null. Immutable.
 *
 * @param domain the destination domain, canonical
 * @param mx the MX lookup
 * @param mtaSts the MTA-STS lookup (RFC 8461)
 * @param tlsRpt the TLS reporting record (RFC 8460 §3)
 * @param hosts every MX host (or the implicit MX) in preference order, with its effective policy
 * @param notes anything else the operator should know (for example a configured smart host)
 * @param secure whether delivery would be secure: every MX host the relay would use has an authenticated policy
 *     (level dane or verify) and, with {@code --connect}, passed it
 * @param verdict one line explaining {@code secure}
 */
public record CheckReport(String domain, Mx mx, MtaSts mtaSts, TlsRpt tlsRpt, List<Host> hosts, List<String> notes,
        boolean secure, String verdict) {

    public CheckReport {
        hosts = List.copyOf(hosts);
        notes = List.copyOf(notes);
    }

    /** The MX answer; {@code security} is its DNSSEC state. */
    public record Mx(String status, String security, List<String> cnameChain, List<MxEntry> records, String reason) {
    }

    public record MxEntry(int preference, String host) {
    }

    /** The MTA-STS lookup exactly as delivery would do it; policy fields are null without a policy. */
    public record MtaSts(boolean enabled, List<String> txtRecords, String announcedId, String origin, String mode,
            Long maxAgeSeconds, List<String> mx, String policyText, String fetchedAt, String failure, String detail) {
    }

    /** The TXT records at {@code _smtp._tls.<domain>} and what they mean; {@code rua} empty when absent. */
    public record TlsRpt(String lookup, List<String> txtRecords, List<String> rua, String detail) {
    }

    /**
     * One MX host.
     *
     * @param preference null for the implicit MX (RFC 5321 §5.1)
     * @param decisions what each policy source said, in the order delivery asks them
     * @param effective the policy delivery would apply; null when a source tempfails (the host is not used now)
     * @param tempFail why delivery to this host would be deferred, or null
     * @param connections the {@code --connect} results, one per address; empty without {@code --connect}
     */
    public record Host(String host, Integer preference, Addresses addresses, Dane dane, List<Decision> decisions,
            Policy effective, String tempFail, List<StartTlsProbe.Result> connections) {

        /** Whether delivery would use this host now: it has addresses and no source tempfails. */
        public boolean usable() {
            return tempFail == null && !addresses.addresses().isEmpty();
        }
    }

    public record Addresses(String status, String security, List<String> addresses, String reason) {
    }

    /** The DANE applicability decision (RFC 7672 §2.2) with the TLSA records in presentation form. */
    public record Dane(String kind, String tlsaBaseName, List<String> records, List<String> usableRecords,
            String failure, String reason) {
    }

    /** One policy source's answer: {@code apply}, {@code not-applicable} or {@code tempfail}. */
    public record Decision(String source, String decision, String detail) {
    }

    /** A TLS policy: who made it, the level, the TLS server name to send, and what must match. */
    public record Policy(String source, String level, boolean authenticated, String sni, String description) {
    }
}
