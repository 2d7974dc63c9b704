package io.stsdane.relay.tlsrpt;

import io.stsdane.relay.core.util.Wsp;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A TLS reporting policy: the parsed {@code _smtp._tls.<domain>} TXT record (RFC 8460 §3).
 *
 * @param rua the report destinations the relay can use ({@code mailto:} and {@code https:}), in record order
 * @param ignored {@code rua} URIs that were skipped, each with the reason, for diagnostics
 */
public record TlsRptRecord(List<URI> rua, List<String> ignored) {

    private static final String VERSION = "v=TLSRPTv1";
    /** A record starts with the version field followed by the first field delimiter (RFC 8460 §3). */
    private static final Pattern RECORD_START = Pattern.compile("^v=TLSRPTv1[ \\t]*;");
    private static final Pattern EXT_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    /** tlsrpt-ext-value = 1*(%x21-3A / %x3C / %x3E-7E): printable ASCII except ';' and '='. */
    private static final Pattern EXT_VALUE = Pattern.compile("[\\x21-\\x3A\\x3C\\x3E-\\x7E]+");

    public TlsRptRecord {
        rua = List.copyOf(rua);
        ignored = List.copyOf(ignored);
    }

    /** What the TXT lookup of one domain says about TLS reporting. */
    public sealed interface Lookup {
        /** Exactly one valid record with at least one usable destination. */
        record Found(TlsRptRecord record) implements Lookup { }

        /** The domain does not take TLS reports (no record, several records, or an invalid one): why. */
        record Absent(String reason) implements Lookup { }
    }

    /**
     * Picks the TLS reporting record out of all TXT strings at {@code _smtp._tls.<domain>} and parses it.
     * Strict: records that do not start with {@code v=TLSRPTv1;} are ignored, and anything but exactly one
     * such record means the domain does not implement TLS-RPT (RFC 8460 §3).
     */
    public static Lookup parse(List<String> txtRecords) {
        List<String> candidates = txtRecords.stream().filter(t -> RECORD_START.matcher(t).find()).toList();
        if (candidates.isEmpty()) {
            return new Lookup.Absent("no v=TLSRPTv1 record");
        }
        if (candidates.size() > 1) {
            return new Lookup.Absent(candidates.size() + " v=TLSRPTv1 records (exactly one is allowed)");
        }
        return parseRecord(candidates.get(0));
    }

    private static Lookup parseRecord(String text) {
        String[] fields = text.split(";", -1);
        String rua = null;
        for (int i = 1; i < fields.length; i++) {
            String field = Wsp.strip(fields[i]);
            if (field.isEmpty()) {
                if (i == fields.length - 1) {
                    break; // a trailing ";" is allowed
                }
                return new Lookup.Absent("empty field in record: " + text);
            }
            int eq = field.indexOf('=');
            if (eq <= 0) {
                return new Lookup.Absent("field without '=': " + field);
            }
            String name = field.substring(0, eq);
            String value = field.substring(eq + 1);
            if (name.equals("rua")) {
                if (rua != null) {
                    return new Lookup.Absent("more than one rua field");
                }
                rua = value;
            } else if (!EXT_NAME.matcher(name).matches() || !EXT_VALUE.matcher(value).matches()) {
                return new Lookup.Absent("malformed field: " + field);
            }
            // Unknown extension fields are ignored (RFC 8460 §3).
        }
        if (!Wsp.strip(fields[0]).equals(VERSION)) {
            return new Lookup.Absent("record does not start with " + VERSION);
        }
        if (rua == null || Wsp.strip(rua).isEmpty()) {
            return new Lookup.Absent("no rua field");
        }
        return destinations(rua);
    }

    private static Lookup destinations(String rua) {
        List<URI> usable = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        for (String part : rua.split(",", -1)) {
            String s = Wsp.strip(part);
            try {
                URI uri = new URI(s);
                String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
                if (scheme.equals("mailto") && uri.getSchemeSpecificPart() != null
                        && !uri.getSchemeSpecificPart().isBlank()) {
                    usable.add(uri);
                } else if (scheme.equals("https") && uri.getHost() != null) {
                    usable.add(uri);
                } else {
                    ignored.add(s + " (only mailto: and https: are supported)");
                }
            } catch (URISyntaxException e) {
                ignored.add(s + " (not a URI: " + e.getReason() + ")");
            }
        }
        if (usable.isEmpty()) {
            return new Lookup.Absent("no usable rua destination: " + String.join(", ", ignored));
        }
        return new Lookup.Found(new TlsRptRecord(usable, ignored));
    }
}
