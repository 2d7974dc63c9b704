package io.stsdane.relay.dns.internal;

import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.Record;

/**
 * The state of one lookup while it follows a CNAME chain over one or more responses: the name first asked, the
 * targets followed so far, the weakest security seen and the smallest TTL. Immutable.
 */
record Lookup(String name, List<String> chain, DnsSecurity security, long ttl) {

    /** Longest TTL an answer is cached for, whatever the zone says. */
    static final long MAX_TTL = 86_400;

    Lookup {
        chain = List.copyOf(chain);
    }

    static Lookup start(String name) {
        return new Lookup(name, List.of(), DnsSecurity.SECURE, MAX_TTL);
    }

    boolean hasVisited(String n) {
        return name.equals(n) || chain.contains(n);
    }

    /** The name the next query asks for. */
    String current() {
        return chain.isEmpty() ? name : chain.get(chain.size() - 1);
    }

    Lookup withLink(String target, long linkTtl) {
        List<String> c = new ArrayList<>(chain);
        c.add(target);
        return new Lookup(name, c, security, Math.min(ttl, linkTtl));
    }

    Lookup withSecurity(DnsSecurity s) {
        return new Lookup(name, chain, security.and(s), ttl);
    }

    DnsResult<Record> done(DnsStatus status, List<Record> records, long answerTtl) {
        return new DnsResult<>(name, status, security, chain, records, "",
                Math.max(0, Math.min(ttl, answerTtl)));
    }

    /** A failed lookup. Not cached (TTL 0), so the next attempt asks again. */
    DnsResult<Record> error(DnsSecurity failureSecurity, String reason) {
        return new DnsResult<>(name, DnsStatus.ERROR, security.and(failureSecurity), chain, List.of(), reason, 0);
    }
}
