package io.stsdane.relay.testkit.dns;

import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSECRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.RRSIGRecord;
import org.xbill.DNS.RRset;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * Builds the answer a non-validating recursive resolver would return for one query over the served zones: the
 * data with its RRSIGs when the query has DO set, CNAME chains followed, and negative answers with SOA, NSEC
 * (RFC 4035 §3.1.3) or NSEC3 (RFC 5155 §7.2) and their RRSIGs. With {@code validating} it acts like a validating
 * resolver instead: AD on answers that are secure all the way, SERVFAIL on bogus ones (RFC 4035 §4.9).
 *
 * <p>Not thread-safe: the server calls it while holding its lock.
 */
final class ZoneAnswerer {

    /** A recursive resolver gives up on long chains; hostile loops stop here. */
    private static final int MAX_CHAIN = 12;

    private final Map<Name, TestZone> zones;

    ZoneAnswerer(Map<Name, TestZone> zones) {
        this.zones = zones;
    }

    Message answer(Message query, boolean validating) {
        Record question = query.getQuestion();
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        if (question == null) {
            response.getHeader().setRcode(Rcode.FORMERR);
            return response;
        }
        response.addRecord(question, Section.QUESTION);
        OPTRecord opt = query.getOPT();
        boolean dnssecOk = opt != null && (opt.getFlags() & ExtendedFlags.DO) != 0;
        if (opt != null) {
            response.addRecord(new OPTRecord(1232, 0, 0, dnssecOk ? ExtendedFlags.DO : 0), Section.ADDITIONAL);
        }
        boolean secure = true;
        boolean bogus = false;
        Name qname = question.getName();
        int qtype = question.getType();
        Set<Name> seen = new HashSet<>();
        for (int hop = 0; hop < MAX_CHAIN && seen.add(qname); hop++) {
            TestZone zone = zoneFor(qname, qtype);
            if (zone == null) {
                response.getHeader().setRcode(Rcode.REFUSED);
                return response;
            }
            TestZone.Delegation state = zone.chainState();
            secure &= state == TestZone.Delegation.SECURE;
            bogus |= state == TestZone.Delegation.WRONG_DS;
            Map<Integer, List<Record>> types = zone.data().get(qname);
            Name next = null;
            if (types != null && types.containsKey(qtype)) {
                addSigned(response, Section.ANSWER, zone, types.get(qtype), dnssecOk);
                bogus |= zone.isSigned() && hasFault(zone, qname);
            } else if (types != null && types.containsKey(Type.CNAME) && qtype != Type.CNAME) {
                List<Record> cname = types.get(Type.CNAME);
                addSigned(response, Section.ANSWER, zone, cname, dnssecOk);
                bogus |= zone.isSigned() && hasFault(zone, qname);
                next = ((org.xbill.DNS.CNAMERecord) cname.get(0)).getTarget();
            } else {
                bogus |= negative(response, zone, qname, types != null, dnssecOk);
            }
            if (next == null) {
                break;
            }
            qname = next;
        }
        if (validating) {
            if (bogus) {
                Message fail = new Message(query.getHeader().getID());
                fail.getHeader().setFlag(Flags.QR);
                fail.getHeader().setFlag(Flags.RA);
                fail.getHeader().setRcode(Rcode.SERVFAIL);
                fail.addRecord(question, Section.QUESTION);
                return fail;
            }
            if (secure) {
                response.getHeader().setFlag(Flags.AD);
            }
        }
        return response;
    }

    /** The zone that answers: the deepest enclosing zone, except that DS lives in the parent (RFC 4035 §3.1.4.1). */
    private TestZone zoneFor(Name qname, int qtype) {
        for (Name n = qname; ; n = parentName(n)) {
            TestZone z = zones.get(n);
            if (z != null) {
                if (qtype == Type.DS && n.equals(qname) && z.parent() != null) {
                    return z.parent();
                }
                return z;
            }
            if (n.equals(Name.root)) {
                return null;
            }
        }
    }

    /** Adds NODATA or NXDOMAIN proof; returns true when a signature in it is deliberately faulty. */
    private boolean negative(Message response, TestZone zone, Name qname, boolean exists, boolean dnssecOk) {
        TreeSet<Name> names = new TreeSet<>(zone.data().keySet());
        boolean emptyNonTerminal = !exists && names.stream().anyMatch(n -> n.subdomain(qname) && !n.equals(qname));
        response.getHeader().setRcode(exists || emptyNonTerminal ? Rcode.NOERROR : Rcode.NXDOMAIN);
        List<Record> soa = zone.data().get(zone.origin()).get(Type.SOA);
        addSigned(response, Section.AUTHORITY, zone, negativeTtl(soa), dnssecOk);
        if (!zone.isSigned()) {
            return false;
        }
        boolean fault = hasFault(zone, zone.origin());
        if (zone.usesNsec3()) {
            for (Nsec3Chain.Proof p : new Nsec3Chain(zone).proofs(qname, exists || emptyNonTerminal)) {
                addSigned(response, Section.AUTHORITY, zone, List.of(p.record()), dnssecOk);
                fault |= hasFault(zone, p.owner());
            }
            return fault;
        }
        Name proofOwner = exists ? qname : names.floor(qname);
        fault |= addNsec(response, zone, names, proofOwner, dnssecOk);
        if (!exists && !emptyNonTerminal) {
            Name wildcardOwner = names.floor(wildcard(closestEncloser(names, qname, zone.origin())));
            if (!wildcardOwner.equals(proofOwner)) {
                fault |= addNsec(response, zone, names, wildcardOwner, dnssecOk);
            }
        }
        return fault;
    }

    private boolean addNsec(Message response, TestZone zone, TreeSet<Name> names, Name owner, boolean dnssecOk) {
        Name next = names.higher(owner);
        Set<Integer> types = new TreeSet<>(zone.data().get(owner).keySet());
        types.add(Type.NSEC);
        types.add(Type.RRSIG);
        NSECRecord nsec = new NSECRecord(owner, DClass.IN, TestZone.DEFAULT_TTL, next == null ? zone.origin() : next,
                types.stream().mapToInt(Integer::intValue).toArray());
        addSigned(response, Section.AUTHORITY, zone, List.of(nsec), dnssecOk);
        return hasFault(zone, owner);
    }

    static Name closestEncloser(TreeSet<Name> names, Name qname, Name origin) {
        for (Name n = parentName(qname); ; n = parentName(n)) {
            Name candidate = n;
            if (n.equals(origin) || names.stream().anyMatch(x -> x.subdomain(candidate))) {
                return n;
            }
        }
    }

    private void addSigned(Message response, int section, TestZone zone, List<Record> records, boolean dnssecOk) {
        RRset rrset = new RRset();
        records.forEach(rrset::addRR);
        for (Record r : records) {
            response.addRecord(r, section);
        }
        // Delegation NS records are not authoritative in the parent and carry no signature (RFC 4035 §2.2).
        boolean delegationNs = rrset.getType() == Type.NS && zone.isDelegationPoint(rrset.getName());
        if (dnssecOk && zone.isSigned() && !delegationNs) {
            response.addRecord(sign(zone, rrset), section);
        }
    }

    private static RRSIGRecord sign(TestZone zone, RRset rrset) {
        Name owner = rrset.getName();
        Instant now = Instant.now();
        boolean expired = zone.isExpired(owner);
        Instant inception = expired ? now.minus(Duration.ofDays(10)) : now.minus(Duration.ofHours(1));
        Instant expiration = expired ? now.minus(Duration.ofDays(1)) : now.plus(Duration.ofDays(7));
        try {
            RRSIGRecord sig = DNSSEC.sign(rrset, zone.dnskey(), zone.keys().getPrivate(), inception, expiration);
            if (!zone.isCorrupted(owner)) {
                return sig;
            }
            byte[] bad = sig.getSignature();
            bad[bad.length / 2] ^= 0x01;
            return new RRSIGRecord(sig.getName(), sig.getDClass(), sig.getTTL(), sig.getTypeCovered(),
                    sig.getAlgorithm(), sig.getOrigTTL(), sig.getExpire(), sig.getTimeSigned(), sig.getFootprint(),
                    sig.getSigner(), bad);
        } catch (DNSSEC.DNSSECException e) {
            throw new IllegalStateException("cannot sign " + rrset, e);
        }
    }

    private static boolean hasFault(TestZone zone, Name owner) {
        return zone.isCorrupted(owner) || zone.isExpired(owner);
    }

    /** The SOA in a negative answer carries the negative TTL: min(SOA TTL, SOA MINIMUM) (RFC 2308 §3). */
    private static List<Record> negativeTtl(List<Record> soa) {
        SOARecord s = (SOARecord) soa.get(0);
        long ttl = Math.min(s.getTTL(), s.getMinimum());
        return List.of(new SOARecord(s.getName(), DClass.IN, ttl, s.getHost(), s.getAdmin(), s.getSerial(),
                s.getRefresh(), s.getRetry(), s.getExpire(), s.getMinimum()));
    }

    static Name wildcard(Name encloser) {
        try {
            return Name.concatenate(Name.fromConstantString("*"), encloser);
        } catch (org.xbill.DNS.NameTooLongException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static Name parentName(Name n) {
        return n.labels() <= 1 ? Name.root : new Name(n, 1);
    }
}
