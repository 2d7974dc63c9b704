package io.stsdane.relay.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * The zone the DNS fixture serves for one benchmark world, in presentation format so any fixture API can take it.
 * Immutable.
 *
 * @param origin the zone apex, for example {@code bench.test}
 * @param signed whether the fixture must sign it (DNSSEC) and hand out a trust anchor for it
 * @param entries the records, owner names absolute without the trailing dot
 */
public record BenchZone(String origin, boolean signed, List<Entry> entries) {

    private static final long TTL = 3600;

    /** One record: {@code name type rdata}, for example {@code mx.bench.test A 127.0.0.1}. */
    public record Entry(String name, String type, String rdata) {
    }

    public BenchZone {
        entries = List.copyOf(entries);
    }

    /** The entries as dnsjava records (TTL one hour), for fixtures that take records. */
    public List<Record> records() {
        List<Record> out = new ArrayList<>();
        try {
            for (Entry e : entries) {
                out.add(Record.fromString(Name.fromString(e.name() + "."), Type.value(e.type()), DClass.IN, TTL,
                        e.rdata(), Name.root));
            }
        } catch (TextParseException e) {
            throw new IllegalArgumentException("bad benchmark zone entry: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
