package io.stsdane.relay.sts.internal;

import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.util.Wsp;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Strict parser of the {@code _mta-sts} TXT records (RFC 8461 §3.1): exactly one record starting with
 * {@code v=STSv1;}, {@code id} of 1 to 32 letters and digits (the first one counts), extension fields ignored.
 * {@code v=STSv1} and {@code id=} are compared case-sensitively, as the ABNF's {@code %s"..."} says: a lenient
 * reading would make records count that the domain did not mean as MTA-STS, and a second counted record means
 * no policy at all. Stateless and thread-safe.
 */
public final class TxtRecords {

    private static final String VERSION = "v=STSv1";
    private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,31}");
    private static final Pattern FIELD_VALUE = Pattern.compile("[\\x21-\\x3A\\x3C\\x3E-\\x7E]+");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9]{1,32}");

    public static String txtName(String domain) {
        return "_mta-sts." + domain;
    }

    public static TxtDiscovery discover(DnsResult<String> answer) {
        String name = answer.name();
        if (!answer.isUsable()) {
            return new TxtDiscovery.NotAnnounced("TXT lookup of " + name + " failed (" + answer.status() + ", "
                    + answer.security() + (answer.reason().isEmpty() ? "" : ": " + answer.reason()) + ")", List.of());
        }
        List<String> all = answer.records();
        // Records that do not start with v=STSv1 belong to something else and are discarded (§3.1).
        List<String> sts = all.stream().filter(TxtRecords::isStsRecord).toList();
        if (sts.isEmpty()) {
            return new TxtDiscovery.NotAnnounced(all.isEmpty() ? "no TXT record at " + name
                    : "no v=STSv1 record among the " + all.size() + " TXT records at " + name, all);
        }
        if (sts.size() > 1) {
            return new TxtDiscovery.NotAnnounced(sts.size() + " v=STSv1 records at " + name
                    + "; exactly one is required (RFC 8461 §3.1)", all);
        }
        return parse(name, sts.get(0), all);
    }

    /**
     * Whether {@code txt} begins with {@code v=STSv1;}, the test that decides which records are counted (§3.1).
     * Whitespace before the {@code ;} is tolerated, as {@code sts-field-delim} allows it; a record that is only
     * {@code v=STSv1}, or continues otherwise, belongs to something else.
     */
    private static boolean isStsRecord(String txt) {
        if (!txt.startsWith(VERSION)) {
            return false;
        }
        int i = VERSION.length();
        while (i < txt.length() && Wsp.is(txt.charAt(i))) {
            i++;
        }
        return i < txt.length() && txt.charAt(i) == ';';
    }

    /**
     * Reads the fields after {@code v=STSv1} by the §3.1 ABNF: {@code 1*(sts-field-delim sts-field)
     * [sts-field-delim]}, where {@code sts-field-delim = *WSP ";" *WSP}. So whitespace is allowed only around a
     * {@code ;}: after the last field it needs a {@code ;} after it. Of a repeated field only the first counts
     * (§3.2: "If any non-repeated field ... is duplicated, all entries except for the first SHALL be ignored";
     * that paragraph covers TXT records too), so a later {@code id} only has to be a well-formed field.
     */
    private static TxtDiscovery parse(String name, String record, List<String> all) {
        String[] parts = record.substring(VERSION.length()).split(";", -1);
        String id = null;
        for (int i = 1; i < parts.length; i++) {
            boolean last = i == parts.length - 1;
            String field = Wsp.strip(parts[i]);
            if (field.isEmpty() && last && i > 1) {
                break; // one trailing separator, with whitespace after it, is allowed
            }
            if (last && !field.isEmpty() && Wsp.is(parts[i].charAt(parts[i].length() - 1))) {
                return invalid(name, record, "whitespace after the last field without a ';' after it", all);
            }
            int eq = field.indexOf('=');
            String key = eq < 0 ? field : field.substring(0, eq);
            String value = eq < 0 ? "" : field.substring(eq + 1);
            if (eq < 0 || !FIELD_NAME.matcher(key).matches() || !FIELD_VALUE.matcher(value).matches()) {
                return invalid(name, record, "field '" + field + "' is not name=value", all);
            }
            if (key.equals("id") && id == null) {
                if (!ID.matcher(value).matches()) {
                    return invalid(name, record, "id '" + value + "' is not 1 to 32 letters and digits", all);
                }
                id = value;
            }
            // Other fields, and a repeated id, are ignored (§3.1, §3.2).
        }
        if (id == null) {
            return invalid(name, record, "it has no id field", all);
        }
        return new TxtDiscovery.Announced(id, all);
    }

    private static TxtDiscovery.NotAnnounced invalid(String name, String record, String why, List<String> all) {
        return new TxtDiscovery.NotAnnounced("invalid MTA-STS record at " + name + " \"" + record + "\": " + why, all);
    }

    private TxtRecords() {
    }
}
