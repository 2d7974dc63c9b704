package io.stsdane.relay.testkit.dns;

import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.xbill.DNS.DClass;
import org.xbill.DNS.NSEC3PARAMRecord;
import org.xbill.DNS.NSEC3Record;
import org.xbill.DNS.Name;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.utils.base32;

/**
 * The NSEC3 chain of one zone (RFC 5155) with the proofs a negative answer needs: the matching NSEC3 for NODATA,
 * and for NXDOMAIN the closest-encloser proof (§7.2.1): closest encloser matched, next closer name covered,
 * wildcard at the closest encloser covered. SHA-1, no extra iterations, empty salt (RFC 9276). Built per answer.
 */
final class Nsec3Chain {

    /** One NSEC3 record and the zone name it stands for (for deliberate signature faults). */
    record Proof(NSEC3Record record, Name owner) {
    }

    static final byte[] SALT = new byte[0];
    private static final base32 B32 = new base32(base32.Alphabet.BASE32HEX, false, true);

    private final TestZone zone;
    private final NSEC3PARAMRecord params;
    /** Hash in hex (order-preserving) -> original name; empty non-terminals included (RFC 5155 §7.1). */
    private final TreeMap<String, Name> byHash = new TreeMap<>();
    private final TreeSet<Name> names;

    Nsec3Chain(TestZone zone) {
        this.zone = zone;
        this.params = new NSEC3PARAMRecord(zone.origin(), DClass.IN, 0, NSEC3Record.SHA1_DIGEST_ID, 0, 0, SALT);
        this.names = new TreeSet<>(zone.data().keySet());
        for (Name n : names) {
            for (Name a = n; a.subdomain(zone.origin()); a = new Name(a, 1)) {
                byHash.put(hex(a), a);
                if (a.equals(zone.origin())) {
                    break;
                }
            }
        }
    }

    /** Proofs for a name that exists (possibly as an empty non-terminal) without the asked type, or not at all. */
    List<Proof> proofs(Name qname, boolean exists) {
        List<Proof> out = new ArrayList<>();
        if (exists) {
            out.add(at(hex(qname)));
            return out;
        }
        Name encloser = ZoneAnswerer.closestEncloser(names, qname, zone.origin());
        Name nextCloser = new Name(qname, qname.labels() - encloser.labels() - 1);
        add(out, at(hex(encloser)));
        add(out, covering(hex(nextCloser)));
        add(out, covering(hex(ZoneAnswerer.wildcard(encloser))));
        return out;
    }

    private static void add(List<Proof> out, Proof p) {
        if (out.stream().noneMatch(q -> q.owner().equals(p.owner()))) {
            out.add(p);
        }
    }

    private Proof covering(String hash) {
        Map.Entry<String, Name> below = byHash.lowerEntry(hash);
        return at(below == null ? byHash.lastKey() : below.getKey());
    }

    private Proof at(String hash) {
        Name owner = byHash.get(hash);
        String next = byHash.higherKey(hash);
        next = next == null ? byHash.firstKey() : next;
        TreeSet<Integer> types = new TreeSet<>();
        Map<Integer, ?> atName = zone.data().get(owner);
        if (atName != null) {
            types.addAll(atName.keySet());
            // Unsigned delegation NS carries no RRSIG; everything else authoritative here is signed.
            if (!(zone.isDelegationPoint(owner) && !types.contains(Type.DS))) {
                types.add(Type.RRSIG);
            }
        }
        if (owner.equals(zone.origin())) {
            types.add(Type.NSEC3PARAM);
        }
        NSEC3Record r = new NSEC3Record(hashedName(hash), DClass.IN, TestZone.DEFAULT_TTL, NSEC3Record.SHA1_DIGEST_ID,
                0, 0, SALT, HexFormat.of().parseHex(next), types.stream().mapToInt(Integer::intValue).toArray());
        return new Proof(r, owner);
    }

    private Name hashedName(String hash) {
        try {
            return Name.concatenate(Name.fromString(B32.toString(HexFormat.of().parseHex(hash))), zone.origin());
        } catch (TextParseException | org.xbill.DNS.NameTooLongException e) {
            throw new IllegalStateException(e);
        }
    }

    private String hex(Name n) {
        try {
            return HexFormat.of().formatHex(params.hashName(n));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
