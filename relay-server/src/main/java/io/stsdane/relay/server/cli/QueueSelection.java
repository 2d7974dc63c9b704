package io.stsdane.relay.server.cli;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options that pick queued messages ({@code list} and the bulk actions), as admin API query parameters. */
public final class QueueSelection {

    @Option(names = "--domain", paramLabel = "DOMAIN",
            description = "Only messages with a pending recipient at DOMAIN.")
    String domain;

    @Option(names = "--sender", paramLabel = "ADDRESS", description = "Only messages from ADDRESS (or @DOMAIN: any"
            + " sender of DOMAIN).")
    String sender;

    @Option(names = "--older-than", paramLabel = "AGE", description = "Only messages received longer ago than AGE"
            + " (30m, 2h, 1d).")
    String olderThan;

    @Option(names = "--state", paramLabel = "STATE", description = "Only messages in STATE: active, deferred, held"
            + " or quarantined.")
    String state;

    boolean any() {
        return domain != null || sender != null || olderThan != null || state != null;
    }

    /** The query string ({@code ?domain=...}), empty when no option is given; {@code extra} is appended. */
    String query(Map<String, String> extra) {
        Map<String, String> q = new LinkedHashMap<>();
        put(q, "domain", domain);
        put(q, "sender", sender);
        put(q, "older-than", olderThan);
        put(q, "state", state);
        q.putAll(extra);
        return encode(q);
    }

    /** {@code ?k=v&...} with the values URL-encoded; empty for no parameter. */
    static String encode(Map<String, String> q) {
        return q.isEmpty() ? "" : "?" + String.join("&", q.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).toList());
    }

    private static void put(Map<String, String> q, String key, String value) {
        if (value != null) {
            q.put(key, value);
        }
    }
}
