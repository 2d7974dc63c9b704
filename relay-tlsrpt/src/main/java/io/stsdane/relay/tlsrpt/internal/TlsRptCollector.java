package io.stsdane.relay.tlsrpt.internal;

import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsReporter;
import io.stsdane.relay.core.tls.TlsSessionResult;
import io.stsdane.relay.core.util.Wsp;
import io.stsdane.relay.tlsrpt.FailureKey;
import io.stsdane.relay.tlsrpt.NodeCounters;
import io.stsdane.relay.tlsrpt.PolicyCounts;
import io.stsdane.relay.tlsrpt.PolicyKey;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts TLS session outcomes per UTC day, policy domain and policy, for RFC 8460 reports.
 *
 * <p>Thread-safe. {@link #record} is called by every delivery thread: it takes no lock of its own (concurrent
 * maps and {@code LongAdder}s) and never throws. Persistence is the caller's job through {@link #snapshot()}
 * and {@link #restore}.
 */
public final class TlsRptCollector implements TlsReporter, NodeCounters {

    private static final Logger log = LoggerFactory.getLogger(TlsRptCollector.class);

    private final Clock clock;
    private final String sendingMtaIp;
    private final ConcurrentMap<LocalDate, ConcurrentMap<PolicyKey, PolicyCounters>> days = new ConcurrentHashMap<>();

    /**
     * @param clock decides which UTC day a session belongs to
     * @param sendingMtaIp the relay's outbound address for {@code sending-mta-ip}, or null when unknown
     */
    public TlsRptCollector(Clock clock, String sendingMtaIp) {
        this.clock = clock;
        this.sendingMtaIp = sendingMtaIp;
    }

    @Override
    public void record(TlsSessionResult result) {
        try {
            LocalDate day = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
            PolicyKey key = keyOf(result.policy(), result.mxHost());
            PolicyCounters counters = days.computeIfAbsent(day, d -> new ConcurrentHashMap<>())
                    .computeIfAbsent(key, k -> new PolicyCounters());
            if (result.success()) {
                counters.success(1);
            } else {
                counters.failure(failureKey(result), result.detail(), 1);
            }
        } catch (RuntimeException e) {
            // Reporting must never disturb delivery: drop this one session, say why.
            log.warn("TLS-RPT: could not count session to {}: {}", result.mxHost(), e.toString());
        }
    }

    /**
     * The key for a session under {@code policy} with {@code mxHost}. Overrides are local configuration and
     * REQUIRETLS the sender's requirement, not a policy the domain published: they count as no-policy-found.
     */
    static PolicyKey keyOf(TlsPolicy policy, String mxHost) {
        String domain = policy.policyDomain().toLowerCase(Locale.ROOT);
        return switch (policy.source()) {
            case DANE -> new PolicyKey(domain, "tlsa", policy.policyStrings(),
                    mxHost == null ? List.of() : List.of(mxHost.toLowerCase(Locale.ROOT)));
            case MTA_STS -> new PolicyKey(domain, "sts", policy.policyStrings(), mxPatterns(policy.policyStrings()));
            case OVERRIDE, OPPORTUNISTIC, REQUIRETLS, TLSRPT_REPORT ->
                    new PolicyKey(domain, "no-policy-found", List.of(), List.of());
        };
    }

    /** The values of the {@code mx} fields of an MTA-STS policy: {@code "mx" *WSP ":" *WSP value} (RFC 8461 §3.2). */
    private static List<String> mxPatterns(List<String> policyLines) {
        return policyLines.stream()
                .filter(line -> line.indexOf(':') > 0 && Wsp.strip(line.substring(0, line.indexOf(':'))).equals("mx"))
                .map(line -> Wsp.strip(line.substring(line.indexOf(':') + 1)).toLowerCase(Locale.ROOT))
                .toList();
    }

    private FailureKey failureKey(TlsSessionResult result) {
        String address = result.address() == null || result.address().isBlank() ? null : result.address();
        return new FailureKey(result.failure().resultType(), sendingMtaIp, result.mxHost(), address);
    }

    /** The days that have counts, oldest first. */
    List<LocalDate> days() {
        return days.keySet().stream().sorted().toList();
    }

    /** The counts of {@code day}, grouped by policy domain. */
    Map<String, List<PolicyCounts>> countsByDomain(LocalDate day) {
        Map<String, List<PolicyCounts>> byDomain = new TreeMap<>();
        Map<PolicyKey, PolicyCounters> policies = days.getOrDefault(day, new ConcurrentHashMap<>());
        policies.forEach((key, counters) ->
                byDomain.computeIfAbsent(key.domain(), d -> new ArrayList<>()).add(counters.counts(key)));
        return byDomain;
    }

    /** Forgets the counts of {@code domain} on {@code day} (once its report is stored or not wanted). */
    void remove(LocalDate day, String domain) {
        days.computeIfPresent(day, (d, policies) -> {
            policies.keySet().removeIf(k -> k.domain().equals(domain));
            return policies.isEmpty() ? null : policies;
        });
    }

    @Override
    public void forget(LocalDate day) {
        days.remove(day);
    }

    /** A consistent-enough copy of every counter (each counter is read once; counting goes on meanwhile). */
    @Override
    public Map<LocalDate, List<PolicyCounts>> counts() {
        Map<LocalDate, List<PolicyCounts>> copy = new TreeMap<>();
        days.forEach((day, policies) -> copy.put(day,
                policies.entrySet().stream().map(e -> e.getValue().counts(e.getKey())).toList()));
        return copy;
    }

    /** {@link #counts()} in the form {@code counters.json} stores. */
    CounterSnapshot snapshot() {
        Map<String, List<PolicyCounts>> byDay = new TreeMap<>();
        counts().forEach((day, policies) -> byDay.put(day.toString(), policies));
        return new CounterSnapshot(CounterSnapshot.VERSION, byDay);
    }

    /** Adds the counts of a snapshot (at start-up, before sessions are recorded). */
    void restore(CounterSnapshot snapshot) {
        snapshot.days().forEach((day, policies) -> {
            ConcurrentMap<PolicyKey, PolicyCounters> map =
                    days.computeIfAbsent(LocalDate.parse(day), d -> new ConcurrentHashMap<>());
            for (PolicyCounts p : policies) {
                PolicyCounters counters = map.computeIfAbsent(p.key(), k -> new PolicyCounters());
                counters.success(p.success());
                long detailed = 0;
                for (PolicyCounts.FailureCount f : p.failures()) {
                    counters.failure(f.key(), f.reason(), f.count());
                    detailed += f.count();
                }
                counters.failureWithoutDetail(p.failure() - detailed);
            }
        });
    }
}
