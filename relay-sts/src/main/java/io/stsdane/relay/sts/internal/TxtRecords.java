package io.stsdane.relay.sts.internal;

import io.stsdane.relay.core.dns.DnsResult;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Strict parser of the {@code _mta-sts} TXT records (RFC 8461 §3.1): exactly one record starting with
 * {@code v=STSv1}, {@code id} of 1 to 32 letters and digits, extension fields ignored. Stateless and thread-safe.
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

    private static boolean isStsRecord(String txt) {
        return txt.startsWith(VERSION)
                && (txt.length() == VERSION.length() || " \t;".indexOf(txt.charAt(VERSION.length())) >= 0);
    }

    private static TxtDiscovery parse(String name, String record, List<String> all) {
        String[] parts = record.split(";", -1);
        String id = null;
        Set<String> seen = new HashSet<>();
        for (int i = 1; i < parts.length; i++) {
            String field = parts[i].strip();
            if (field.isEmpty() && i == parts.length - 1 && i > 1) {
                break; // one trailing separator is allowed
            }
            int eq = field.indexOf('=');
            String key = eq < 0 ? field : field.substring(0, eq);
            String value = eq < 0 ? "" : field.substring(eq + 1);
            if (eq < 0 || !FIELD_NAME.matcher(key).matches() || !FIELD_VALUE.matcher(value).matches()) {
                return invalid(name, record, "field '" + field + "' is not name=value", all);
            }
            if (!seen.add(key)) {
                return invalid(name, record, "field '" + key + "' appears twice", all);
            }
            if (key.equals("id")) {
                if (!ID.matcher(value).matches()) {
                    return invalid(name, record, "id '" + value + "' is not 1 to 32 letters and digits", all);
                }
                id = value;
            }
            // Other fields are extensions, ignored (§3.1).
        }
        if (!parts[0].strip().equals(VERSION)) {
            return invalid(name, record, "it does not start with v=STSv1;", all);
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
