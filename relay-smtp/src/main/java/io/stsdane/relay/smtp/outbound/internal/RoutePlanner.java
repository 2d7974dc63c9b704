package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.tls.PolicyRequest;
import io.stsdane.relay.core.util.Throwables;
import io.stsdane.relay.smtp.outbound.HostRole;
import io.stsdane.relay.smtp.outbound.HostsFile;
import io.stsdane.relay.smtp.outbound.SmartHost;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;

/**
 * Turns a destination domain into the hosts to try, in order (RFC 5321 §5.1, RFC 7505), or into a final
 * answer when there is nothing to try. Thread-safe.
 */
final class RoutePlanner {

    /** What routing found. */
    sealed interface Plan {
        /** Try these hosts in order; {@code policyDomain} is the domain whose MTA-STS policy applies. */
        record Hosts(String policyDomain, List<MxHost> hosts) implements Plan {
            public Hosts {
                hosts = List.copyOf(hosts);
            }
        }

        /** Nothing to try: every recipient gets this outcome now. */
        record Final(RecipientOutcome.Kind kind, String status, String diagnostic) implements Plan {
        }
    }

    private final DnsResolver dns;
    private final SmartHost smartHost;
    private final HostsFile hostsFile;
    private final int port;
    private final String myName;
    private final Random random;

    /** @param hostsFile where the smart host's name is looked up before DNS */
    RoutePlanner(DnsResolver dns, SmartHost smartHost, HostsFile hostsFile, int port, String myName, Random random) {
        this.dns = dns;
        this.smartHost = smartHost;
        this.hostsFile = hostsFile;
        this.port = port;
        this.myName = myName.toLowerCase(java.util.Locale.ROOT);
        this.random = random;
    }

    CompletionStage<Plan> plan(String domain) {
        if (smartHost != null) {
            return viaSmartHost(domain);
        }
        return dns.mx(domain).thenApply(mx -> fromMx(domain, mx)).exceptionally(e -> new Plan.Final(
                RecipientOutcome.Kind.DEFERRED, "4.4.3", "MX lookup for " + domain + " failed: "
                        + Throwables.rootMessage(e)));
    }

    /** A smart host is a host: its addresses, never an MX RRset; the policy domain is its name (RFC 8461 §4). */
    private CompletionStage<Plan> viaSmartHost(String domain) {
        return smartHost.addresses(dns, hostsFile).thenApply(a -> {
            PolicyRequest r = smartHost.policyRequest(a, domain);
            return new Plan.Hosts(r.policyDomain(), List.of(new MxHost(r.mxHost(), 0, r.mxSecurity(), r.port(),
                    HostRole.SMART_HOST, a, r.hostInDns())));
        });
    }

    private Plan fromMx(String domain, DnsResult<MxRecord> mx) {
        if (mx.security().isFailure()) {
            return new Plan.Final(RecipientOutcome.Kind.DEFERRED, "4.7.5", "MX lookup for " + domain + " is "
                    + mx.security().name().toLowerCase(java.util.Locale.ROOT) + " (" + mx.reason()
                    + "): not delivering until DNSSEC validates");
        }
        if (mx.status() == DnsStatus.ERROR) {
            return new Plan.Final(RecipientOutcome.Kind.DEFERRED, "4.4.3",
                    "MX lookup for " + domain + " failed: " + mx.reason());
        }
        if (mx.status() == DnsStatus.NXDOMAIN) {
            return new Plan.Final(RecipientOutcome.Kind.BOUNCED, "5.1.2", "domain " + domain + " does not exist");
        }
        if (mx.status() == DnsStatus.NODATA || mx.records().isEmpty()) {
            // RFC 5321 §5.1: no MX, the domain itself is the implicit MX.
            return new Plan.Hosts(domain, List.of(MxHost.fromDns(domain, 0, mx.security(), port,
                    HostRole.IMPLICIT_MX)));
        }
        if (mx.records().size() == 1 && mx.records().get(0).isNullMx()) {
            return new Plan.Final(RecipientOutcome.Kind.BOUNCED, "5.1.10",
                    "domain " + domain + " accepts no mail (null MX, RFC 7505)");
        }
        List<MxRecord> usable = new ArrayList<>(mx.records().stream().filter(r -> !r.isNullMx()).toList());
        usable.sort(Comparator.comparingInt(MxRecord::preference));
        // RFC 5321 §5.1: when we are one of the MX hosts, only more preferred hosts may be used.
        int mine = usable.stream().filter(r -> r.host().equals(myName)).mapToInt(MxRecord::preference).min()
                .orElse(Integer.MAX_VALUE);
        usable.removeIf(r -> r.preference() >= mine);
        if (usable.isEmpty()) {
            return new Plan.Final(RecipientOutcome.Kind.BOUNCED, "5.4.6",
                    "mail for " + domain + " loops back to myself (" + myName + " is its best MX)");
        }
        List<MxHost> hosts = new ArrayList<>();
        int i = 0;
        while (i < usable.size()) {
            int j = i;
            while (j < usable.size() && usable.get(j).preference() == usable.get(i).preference()) {
                j++;
            }
            List<MxRecord> same = new ArrayList<>(usable.subList(i, j));
            Collections.shuffle(same, random);
            same.forEach(r -> hosts.add(MxHost.fromDns(r.host(), r.preference(), mx.security(), port, HostRole.MX)));
            i = j;
        }
        return new Plan.Hosts(domain, hosts);
    }
}
