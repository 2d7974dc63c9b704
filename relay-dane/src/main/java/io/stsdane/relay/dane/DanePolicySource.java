package io.stsdane.relay.dane;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.TlsaRecord;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.PolicyDecision;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsPolicySource;
import io.stsdane.relay.dane.internal.TlsaMatching;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DANE as a {@link TlsPolicySource}: decides whether DANE applies to an MX host as RFC 7672 §2.2 says and turns
 * the answer into a policy.
 *
 * <table>
 *   <caption>Decision</caption>
 *   <tr><th>DNS</th><th>{@link DaneStatus.Kind}</th><th>{@link PolicyDecision}</th></tr>
 *   <tr><td>MX, address or TLSA answer bogus/indeterminate/failed</td><td>TEMPFAIL</td>
 *       <td>TempFail (dnssec-invalid for MX/address, tlsa-invalid for TLSA)</td></tr>
 *   <tr><td>host addresses insecure, or not from DNS (a smart host given as an IP address or listed in the
 *       hosts file: {@link PolicyRequest#hostInDns()}, no lookup)</td><td>NOT_APPLICABLE</td>
 *       <td>NotApplicable</td></tr>
 *   <tr><td>TLSA securely denied (NXDOMAIN/NODATA) at every candidate name, or insecure</td>
 *       <td>NOT_APPLICABLE</td><td>NotApplicable</td></tr>
 *   <tr><td>secure TLSA RRset, no usable record (PKIX usages, unknown parameters, malformed data)</td>
 *       <td>ENCRYPT_ONLY</td><td>Apply level ENCRYPT</td></tr>
 *   <tr><td>secure TLSA RRset, usable records</td><td>DANE_REQUIRED</td>
 *       <td>Apply level DANE, SNI = TLSA base name, verifier {@link TlsaVerifier}</td></tr>
 * </table>
 *
 * <p>The TLSA lookup depends on the host's address records, not on the MX RRset: an MX RRset that is insecure
 * (provably unsigned) still lets the TLSA records of a host in a signed zone apply. RFC 7672 §2.2.1 allows this,
 * and Postfix does it by default ({@code smtp_tls_dane_insecure_mx_policy = dane}): an attacker who strips
 * STARTTLS from such a host gets no plaintext. The status then says that the MX RRset was insecure: the TLSA
 * records authenticate the host, not that it is the domain's MX (a forged MX RRset could have named it), so the
 * reference names stay those DNSSEC binds to the TLSA RRset, the TLSA base name and the MX host name, never the
 * recipient domain.
 *
 * <p>TLSA records are looked up at {@code _<port>._tcp.<name>}, first for the CNAME-expanded host name, then
 * for the host name itself (RFC 7672 §2.2.2). Thread-safe; stages never complete exceptionally.
 *
 * <p>Every decision asks DNS again (the resolver's cache answers within the TTL). What a secure TLSA RRset
 * makes of a host (its status, the {@link TlsaVerifier}, the policy texts) is kept per host and reused only while
 * DNS hands out the very answer object it was made of, that is while the resolver's cache holds that answer
 * within its TTL. An expired, changed or no longer secure answer is another object and is decided afresh, as is
 * every answer of a resolver that does not cache: nothing outlives the DNS answer it came from.
 */
public final class DanePolicySource implements TlsPolicySource {

    private static final Logger log = LoggerFactory.getLogger(DanePolicySource.class);
    private static final String INSECURE_MX =
            " (the MX RRset is not signed: the records authenticate the host, not that it is the domain's MX)";

    /** MX hosts whose last TLSA verdict is kept; more are decided afresh each time, as they all were before. */
    private static final int MAX_VERDICTS = 10_000;
    private static final Pattern IPV4_LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /**
     * What a secure TLSA answer made of one host, and that answer.
     *
     * @param answer the TLSA answer the rest was made of
     * @param status DANE_REQUIRED or ENCRYPT_ONLY
     * @param verifier what the policy checks the peer with
     * @param description the policy's log line
     * @param rrset the policy strings (RFC 8460 §4.4)
     */
    private record Verdict(DnsResult<TlsaRecord> answer, DaneStatus status, PeerVerifier verifier, String description,
            List<String> rrset) {
    }

    /** A host, the TLSA base name its verdict came from, and the security of the MX RRset that named it. */
    private record VerdictKey(String host, String base, boolean mxSecure) {
        static VerdictKey of(DaneStatus s) {
            return new VerdictKey(s.mxHost(), s.tlsaBaseName(), s.mxSecure());
        }
    }

    private final DnsResolver dns;
    private final Clock clock;
    private final Cache<VerdictKey, Verdict> verdicts = Caffeine.newBuilder().maximumSize(MAX_VERDICTS).build();

    public DanePolicySource(DnsResolver dns) {
        this(dns, Clock.systemUTC());
    }

    /** @param clock the time DANE-TA expiry checks use */
    public DanePolicySource(DnsResolver dns, Clock clock) {
        this.dns = Objects.requireNonNull(dns, "dns");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public CompletionStage<PolicyDecision> decide(PolicyRequest request) {
        return status(request).thenApply(s -> toDecision(s, request.policyDomain()));
    }

    /**
     * The applicability decision for the host of {@code request}, for delivery and diagnostics alike: a host not
     * resolved in DNS (an IP address or a hosts file entry) has no TLSA records to look up (RFC 7672 §2.2.2).
     * Never completes exceptionally.
     */
    public CompletionStage<DaneStatus> status(PolicyRequest request) {
        if (!request.hostInDns()) {
            return done(DaneStatus.notApplicable(request.mxHost(), request.mxHost() + " is not resolved in DNS (an IP"
                    + " address or a hosts file entry): its addresses have no TLSA records (RFC 7672 §2.2.2)"));
        }
        return status(request.mxHost(), request.port(), request.mxSecurity());
    }

    /** The applicability decision alone, for diagnostics. Never completes exceptionally. */
    public CompletionStage<DaneStatus> status(String mxHost, int port, DnsSecurity mxSecurity) {
        String host = canonical(mxHost);
        if (mxSecurity.isFailure()) {
            return done(DaneStatus.tempFail(host, TlsFailure.DNSSEC_INVALID,
                    "the MX RRset naming " + host + " is " + mxSecurity));
        }
        if (isAddressLiteral(host)) {
            return done(DaneStatus.notApplicable(host, host + " is an IP address, which has no TLSA records"));
        }
        return dns.addresses(host)
                .thenCompose(addresses -> afterAddresses(host, port, mxSecurity.isSecure(), addresses))
                .exceptionally(t -> {
                    log.warn("DANE check of {} failed unexpectedly", host, t);
                    return DaneStatus.tempFail(host, TlsFailure.DNSSEC_INVALID, "internal error: " + t);
                });
    }

    /**
     * The policy for a status; {@code policyDomain} is only carried into the policy for reporting. Its policy
     * strings are every record of the TLSA RRset, usable or not, in presentation format (RFC 8460 §4.4).
     */
    public TlsPolicy toPolicy(DaneStatus status, String policyDomain) {
        Verdict kept = verdicts.getIfPresent(VerdictKey.of(status));
        Verdict v = kept != null && kept.status() == status ? kept : verdict(null, status);
        TlsLevel level = status.kind() == DaneStatus.Kind.DANE_REQUIRED ? TlsLevel.DANE : TlsLevel.ENCRYPT;
        return new TlsPolicy(level, PolicyOrigin.DANE, policyDomain, status.tlsaBaseName(), v.verifier(),
                v.description(), v.rrset());
    }

    /** The verifier and policy texts of a DANE_REQUIRED or ENCRYPT_ONLY status, made of {@code answer}. */
    private Verdict verdict(DnsResult<TlsaRecord> answer, DaneStatus status) {
        String base = status.tlsaBaseName();
        List<String> rrset = status.records().stream().map(TlsaRecord::toString).toList();
        String insecureMx = status.mxSecure() ? "" : INSECURE_MX;
        return switch (status.kind()) {
            case DANE_REQUIRED -> new Verdict(answer, status,
                    new TlsaVerifier(status.usableRecords(), List.of(base, status.mxHost()), clock),
                    "DANE: certificate must match TLSA at " + tlsaName(base, status) + " " + status.usableRecords()
                            + insecureMx, rrset);
            case ENCRYPT_ONLY -> new Verdict(answer, status, PeerVerifier.ACCEPT_ANY,
                    "DANE: TLS required, no usable TLSA record at " + tlsaName(base, status) + " "
                            + status.records() + insecureMx, rrset);
            default -> throw new IllegalArgumentException("no DANE policy for " + status);
        };
    }

    private PolicyDecision toDecision(DaneStatus status, String policyDomain) {
        return switch (status.kind()) {
            case DANE_REQUIRED, ENCRYPT_ONLY -> new PolicyDecision.Apply(toPolicy(status, policyDomain));
            case NOT_APPLICABLE -> new PolicyDecision.NotApplicable(status.reason());
            case TEMPFAIL -> new PolicyDecision.TempFail(status.failure(), status.reason());
        };
    }

    /**
     * RFC 7672 §2.2.2: DANE needs secure address records; a secure CNAME makes the target a TLSA candidate.
     * {@code mxSecure} only travels into the status (RFC 7672 §2.2.1, see the class comment).
     */
    private CompletionStage<DaneStatus> afterAddresses(String host, int port, boolean mxSecure,
            DnsResult<?> addresses) {
        if (addresses.security().isFailure() || addresses.status() == DnsStatus.ERROR) {
            return done(DaneStatus.tempFail(host, TlsFailure.DNSSEC_INVALID, "address lookup of " + host
                    + " is " + addresses.security() + " " + addresses.status() + ": " + addresses.reason()));
        }
        if (!addresses.security().isSecure()) {
            return done(DaneStatus.notApplicable(host, "the address records of " + host + " are not DNSSEC-signed"));
        }
        if (addresses.records().isEmpty()) {
            return done(DaneStatus.notApplicable(host, host + " has no address records"));
        }
        String expanded = addresses.canonicalName();
        List<String> candidates = expanded.equals(host) ? List.of(host) : List.of(expanded, host);
        return tlsa(host, port, mxSecure, candidates, 0);
    }

    private CompletionStage<DaneStatus> tlsa(String host, int port, boolean mxSecure, List<String> candidates,
            int index) {
        String base = candidates.get(index);
        String name = "_" + port + "._tcp." + base;
        return dns.tlsa(name).thenCompose(t -> {
            if (t.security().isFailure() || t.status() == DnsStatus.ERROR) {
                return done(DaneStatus.tempFail(host, TlsFailure.TLSA_INVALID,
                        "TLSA lookup at " + name + " is " + t.security() + " " + t.status() + ": " + t.reason()));
            }
            if (!t.security().isSecure()) {
                return done(DaneStatus.notApplicable(host, "the TLSA answer at " + name + " is not DNSSEC-signed"));
            }
            if (t.status().isNegative()) {
                return index + 1 < candidates.size() ? tlsa(host, port, mxSecure, candidates, index + 1)
                        : done(DaneStatus.notApplicable(host, "no TLSA records at " + name + " (securely denied)"));
            }
            VerdictKey key = new VerdictKey(host, base, mxSecure);
            Verdict kept = verdicts.getIfPresent(key);
            if (kept != null && kept.answer() == t) {
                return done(kept.status());
            }
            List<TlsaRecord> usable = t.records().stream().filter(TlsaMatching::isUsable).toList();
            DaneStatus.Kind kind = usable.isEmpty() ? DaneStatus.Kind.ENCRYPT_ONLY : DaneStatus.Kind.DANE_REQUIRED;
            String reason = (usable.isEmpty()
                    ? "secure TLSA RRset at " + name + " has no record usable for SMTP: TLS without authentication"
                    : "secure TLSA RRset at " + name + " with " + usable.size() + " usable record(s)")
                    + (mxSecure ? "" : INSECURE_MX);
            DaneStatus status = new DaneStatus(kind, host, base, t.records(), usable, mxSecure, null, reason);
            verdicts.put(key, verdict(t, status));
            return done(status);
        });
    }

    private static String tlsaName(String base, DaneStatus status) {
        return base + (base.equals(status.mxHost()) ? "" : " (CNAME target of " + status.mxHost() + ")");
    }

    private static CompletionStage<DaneStatus> done(DaneStatus s) {
        return CompletableFuture.completedFuture(s);
    }

    /** A smart host given as an address (RFC 7672 §2.2.2: TLSA records belong to host names, so none to look up). */
    private static boolean isAddressLiteral(String host) {
        return host.contains(":") || IPV4_LITERAL.matcher(host).matches();
    }

    private static String canonical(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
    }
}
