package io.stsdane.relay.server.cli;

import java.util.List;

/**
 * What {@code relay check} found for one destination domain; {@code --json} prints exactly this, so the field
 * names are an interface for scripts. Absent values are null. Immutable.
 *
 * @param domain the destination domain, canonical
 * @param route how the relay delivers mail for the domain: {@code mx} (to its MX hosts, {@code hosts}) or
 *     {@code smarthost} (everything to {@code smartHost}; {@code mx}, {@code mtaSts}, {@code tlsRpt} and
 *     {@code hosts} are then information about the domain, not used for delivery)
 * @param mx the MX lookup
 * @param mtaSts the MTA-STS lookup of the domain (RFC 8461)
 * @param tlsRpt the TLS reporting record of the domain (RFC 8460 §3)
 * @param hosts every MX host (or the implicit MX) in preference order; with route {@code mx} each with its
 *     effective policy, with route {@code smarthost} addresses and DANE only ({@code used} false)
 * @param smartHost the smart host route (route {@code smarthost}), else null
 * @param notes anything else the operator should know (for example that MTA-STS is disabled)
 * @param secure whether delivery would be secure: every host on the route that the relay would use has an
 *     authenticated policy (level dane or verify) and, with {@code --connect}, passed it
 * @param verdict one line explaining {@code secure}
 */
public record CheckReport(String domain, String route, Mx mx, MtaSts mtaSts, TlsRpt tlsRpt, List<Host> hosts,
        SmartHostRoute smartHost, List<String> notes, boolean secure, String verdict) {

    public CheckReport {
        hosts = List.copyOf(hosts);
        notes = List.copyOf(notes);
    }

    /**
     * {@code delivery.smarthost}: the next hop for all mail. Its own name is the MTA-STS policy domain (RFC 8461
     * §4) and its TLSA records count; with {@code delivery.smarthost-auth} it must at least present a certificate
     * valid for its name.
     *
     * @param smartHost {@code host:port} as delivery connects to it
     * @param auth whether {@code delivery.smarthost-auth} is set
     * @param policyDomain the domain whose MTA-STS policy applies to it
     * @param mtaSts that MTA-STS lookup; null for an IP address
     * @param tlsRpt the TLS reporting record of the policy domain; null for an IP address
     * @param host the smart host with the policy delivery applies to it and the {@code --connect} results
     */
    public record SmartHostRoute(String smartHost, boolean auth, String policyDomain, MtaSts mtaSts, TlsRpt tlsRpt,
            Host host) {
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
     * @param preference null for the implicit MX (RFC 5321 §5.1) and the smart host
     * @param used whether the host is on the relay's route; false for MX hosts while a smart host takes all mail
     *     (then {@code decisions}, {@code effective} and {@code connections} are empty)
     * @param decisions what each policy source said, in the order delivery asks them, up to the final answer;
     *     {@code floor} marks a policy that authenticates nothing and only sets the minimum while later sources
     *     are asked
     * @param effective the policy delivery would apply; null when a source tempfails (the host is not used now)
     *     or the host is not on the route
     * @param tempFail why delivery to this host would be deferred, or null
     * @param connections the {@code --connect} results, one per address; empty without {@code --connect}
     */
    public record Host(String host, Integer preference, boolean used, Addresses addresses, Dane dane,
            List<Decision> decisions, Policy effective, String tempFail, List<StartTlsProbe.Result> connections) {

        /** Whether delivery would use this host now: it is on the route, has addresses and no source tempfails. */
        public boolean usable() {
            return used && tempFail == null && addresses.unusable() == null && !addresses.addresses().isEmpty();
        }

        /** Whether delivery could never use this host: nothing tempfails, its addresses are a final no. */
        public boolean refused() {
            return used && tempFail == null && addresses.unusable() != null && addresses.permanent();
        }
    }

    /**
     * The host's address answer and what delivery makes of it (the engine's own {@code AddressSelection}).
     *
     * @param addresses every address DNS (or the hosts file, or the configuration) gave
     * @param skipped addresses delivery would not connect to, each with the reason
     * @param unusable why delivery could use no address of this host (RFC 3463 status first), or null
     * @param permanent {@code unusable} is final: mail bounces if no other host takes it
     */
    public record Addresses(String status, String security, List<String> addresses, String reason,
            List<String> skipped, String unusable, boolean permanent) {
    }

    /** The DANE applicability decision (RFC 7672 §2.2) with the TLSA records in presentation form. */
    public record Dane(String kind, String tlsaBaseName, List<String> records, List<String> usableRecords,
            String failure, String reason) {
    }

    /**
     * One policy source's answer: {@code apply}, {@code floor} (applies, but authenticates nothing: later sources
     * are still asked and a stronger answer wins), {@code not-applicable} or {@code tempfail}.
     */
    public record Decision(String source, String decision, String detail) {
    }

    /** A TLS policy: who made it, the level, the TLS server name to send, and what must match. */
    public record Policy(String source, String level, boolean authenticated, String sni, String description) {
    }
}
