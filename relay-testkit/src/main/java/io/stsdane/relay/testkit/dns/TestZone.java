package io.stsdane.relay.testkit.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.xbill.DNS.DClass;
import org.xbill.DNS.DNSKEYRecord;
import org.xbill.DNS.DNSSEC;
import org.xbill.DNS.DSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.NSEC3PARAMRecord;
import org.xbill.DNS.NSEC3Record;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * One zone served by a {@link DnsTestServer}: its records, how its parent delegates to it, and deliberate
 * signature faults. Obtained from {@link DnsTestServer#root()} and {@link #child(String)}; never built directly.
 *
 * <p>Records are given as owner name (absolute, trailing dot optional) plus zone-file rdata. The apex SOA, NS and
 * (when signed) DNSKEY are created automatically. Signatures are made per answer, so records and faults may be
 * changed while the server runs.
 *
 * <p>Thread-safe: every method synchronizes on the owning server.
 */
public final class TestZone {

    /** How a parent delegates to a child zone (RFC 4035 §5.2). */
    public enum Delegation {
        /** Signed child with a correct DS in a signed parent: a chain of trust. */
        SECURE,
        /** Unsigned child without DS, proven absent by the parent's NSEC: insecure (not bogus). */
        UNSIGNED,
        /** Signed child whose DS in the parent does not match its key: bogus. */
        WRONG_DS
    }

    static final long DEFAULT_TTL = 300;

    private final DnsTestServer server;
    private final Name origin;
    private final TestZone parent;
    private final Delegation delegation;
    private final KeyPair keys;
    private final DNSKEYRecord dnskey;
    /** Owner name -> type -> records, in canonical DNSSEC order (Name.compareTo). */
    private final NavigableMap<Name, Map<Integer, List<Record>>> data = new TreeMap<>();
    private final Set<Name> corrupted = new HashSet<>();
    private final Set<Name> expired = new HashSet<>();
    private long ttl = DEFAULT_TTL;
    private boolean nsec3;

    TestZone(DnsTestServer server, Name origin, TestZone parent, Delegation delegation) {
        this.server = server;
        this.origin = origin;
        this.parent = parent;
        this.delegation = delegation;
        boolean signed = delegation != Delegation.UNSIGNED && (parent == null || parent.isSigned());
        this.keys = signed ? newKey() : null;
        try {
            this.dnskey = signed
                    ? new DNSKEYRecord(origin, DClass.IN, DEFAULT_TTL, 257, 3, DNSSEC.Algorithm.ECDSAP256SHA256,
                            keys.getPublic())
                    : null;
        } catch (DNSSEC.DNSSECException e) {
            throw new IllegalStateException(e);
        }
        put(new SOARecord(origin, DClass.IN, DEFAULT_TTL, nsName(origin), Name.fromConstantString("hostmaster."),
                1, 3600, 600, 86400, DEFAULT_TTL));
        put(new NSRecord(origin, DClass.IN, DEFAULT_TTL, nsName(origin)));
        if (signed) {
            put(dnskey);
        }
    }

    /** The zone's name without trailing dot ({@code ""} for the root). */
    public String name() {
        String s = origin.toString(true);
        return s.equals(".") ? "" : s;
    }

    /**
     * A signed child zone, delegated securely (DS in this zone). Its records are signed only when this zone is
     * signed too; under an unsigned zone the child is insecure like everything else there.
     */
    public TestZone child(String name) {
        return child(name, Delegation.SECURE);
    }

    /** An unsigned child zone: an insecure delegation. */
    public TestZone unsignedChild(String name) {
        return child(name, Delegation.UNSIGNED);
    }

    /** A child zone whose DS in this zone matches no key of the child: everything below is bogus. */
    public TestZone childWithWrongDs(String name) {
        return child(name, Delegation.WRONG_DS);
    }

    public TestZone child(String name, Delegation how) {
        synchronized (server) {
            Name childOrigin = absolute(name);
            if (!childOrigin.subdomain(origin) || childOrigin.equals(origin)) {
                throw new IllegalArgumentException(name + " is not below " + origin);
            }
            TestZone child = new TestZone(server, childOrigin, this, how);
            put(new NSRecord(childOrigin, DClass.IN, DEFAULT_TTL, nsName(childOrigin)));
            if (isSigned() && child.isSigned()) {
                put(child.dsForParent());
            }
            server.register(child);
            return child;
        }
    }

    /** TTL of records added from now on (default 300 s). */
    public TestZone ttl(long seconds) {
        synchronized (server) {
            this.ttl = seconds;
            return this;
        }
    }

    /**
     * Adds one record, for example {@code record("mx.example.com", Type.A, "192.0.2.1")}. Adding to an existing
     * RRset extends it.
     */
    public TestZone record(String owner, int type, String rdata) {
        try {
            return add(Record.fromString(absolute(owner), type, DClass.IN, ttl, rdata, origin));
        } catch (IOException e) {
            throw new UncheckedIOException("bad rdata for " + Type.string(type) + ": " + rdata, e);
        }
    }

    /** Adds a prepared record; its owner must be in this zone. */
    public TestZone add(Record r) {
        synchronized (server) {
            if (!r.getName().subdomain(origin)) {
                throw new IllegalArgumentException(r.getName() + " is not in zone " + origin);
            }
            put(r);
            return this;
        }
    }

    public TestZone a(String host, String... addresses) {
        for (String a : addresses) {
            record(host, Type.A, a);
        }
        return this;
    }

    public TestZone aaaa(String host, String... addresses) {
        for (String a : addresses) {
            record(host, Type.AAAA, a);
        }
        return this;
    }

    public TestZone mx(String owner, int preference, String host) {
        return record(owner, Type.MX, preference + " " + absolute(host));
    }

    public TestZone cname(String owner, String target) {
        return record(owner, Type.CNAME, absolute(target).toString());
    }

    /** TLSA in presentation format, for example {@code tlsa("_25._tcp.mx.example.com", "3 1 1 ab12...")}. */
    public TestZone tlsa(String owner, String presentation) {
        return record(owner, Type.TLSA, presentation);
    }

    public TestZone txt(String owner, String text) {
        return record(owner, Type.TXT, "\"" + text.replace("\"", "\\\"") + "\"");
    }

    /** Removes every record of {@code type} at {@code owner}. */
    public TestZone remove(String owner, int type) {
        synchronized (server) {
            Name n = absolute(owner);
            Map<Integer, List<Record>> types = data.get(n);
            if (types != null) {
                types.remove(type);
                if (types.isEmpty()) {
                    data.remove(n);
                }
            }
            return this;
        }
    }

    /**
     * Deny existence with NSEC3 (RFC 5155; SHA-1, no extra iterations, empty salt) instead of NSEC, and publish
     * NSEC3PARAM at the apex.
     */
    public TestZone nsec3() {
        synchronized (server) {
            if (!nsec3 && isSigned()) {
                nsec3 = true;
                put(new NSEC3PARAMRecord(origin, DClass.IN, 0, NSEC3Record.SHA1_DIGEST_ID, 0, 0, Nsec3Chain.SALT));
            }
            return this;
        }
    }

    /** Signatures over RRsets at {@code owner} are served with a flipped bit: bogus. */
    public TestZone corruptSignatures(String owner) {
        synchronized (server) {
            corrupted.add(absolute(owner));
            return this;
        }
    }

    /** Signatures over RRsets at {@code owner} are served already expired: bogus. */
    public TestZone expireSignatures(String owner) {
        synchronized (server) {
            expired.add(absolute(owner));
            return this;
        }
    }

    /** The zone's DNSKEY as a zone-file line (a trust anchor when this is the root). */
    public String dnskeyText() {
        if (dnskey == null) {
            throw new IllegalStateException(origin + " is not signed");
        }
        return dnskey.toString();
    }

    /** The zone's DS record as its parent should publish it, as a zone-file line. */
    public String dsText() {
        return new DSRecord(origin, DClass.IN, DEFAULT_TTL, DNSSEC.Digest.SHA256, dnskey).toString();
    }

    // ---- package-private machinery used by ZoneAnswerer ----

    Name origin() {
        return origin;
    }

    TestZone parent() {
        return parent;
    }

    boolean usesNsec3() {
        return nsec3;
    }

    boolean isSigned() {
        return keys != null;
    }

    KeyPair keys() {
        return keys;
    }

    DNSKEYRecord dnskey() {
        return dnskey;
    }

    NavigableMap<Name, Map<Integer, List<Record>>> data() {
        return data;
    }

    boolean isCorrupted(Name owner) {
        return corrupted.contains(owner);
    }

    boolean isExpired(Name owner) {
        return expired.contains(owner);
    }

    /** What a validating resolver would conclude about this zone's own key chain (no per-name faults). */
    Delegation chainState() {
        if (parent == null) {
            return isSigned() ? Delegation.SECURE : Delegation.UNSIGNED;
        }
        Delegation above = parent.chainState();
        if (above != Delegation.SECURE) {
            return above;
        }
        return delegation;
    }

    boolean isDelegationPoint(Name n) {
        return !n.equals(origin) && data.containsKey(n) && data.get(n).containsKey(Type.NS);
    }

    private DSRecord dsForParent() {
        DSRecord good = new DSRecord(origin, DClass.IN, DEFAULT_TTL, DNSSEC.Digest.SHA256, dnskey);
        if (delegation != Delegation.WRONG_DS) {
            return good;
        }
        byte[] digest = good.getDigest();
        digest[0] ^= 0x01;
        return new DSRecord(origin, DClass.IN, DEFAULT_TTL, good.getFootprint(), good.getAlgorithm(),
                good.getDigestID(), digest);
    }

    private void put(Record r) {
        data.computeIfAbsent(r.getName(), k -> new LinkedHashMap<>())
                .computeIfAbsent(r.getType(), k -> new ArrayList<>()).add(r);
    }

    static Name absolute(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad domain name: " + name, e);
        }
    }

    private static Name nsName(Name zone) {
        try {
            return Name.concatenate(Name.fromConstantString("ns"), zone);
        } catch (org.xbill.DNS.NameTooLongException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static KeyPair newKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
