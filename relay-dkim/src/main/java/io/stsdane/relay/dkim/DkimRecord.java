package io.stsdane.relay.dkim;

import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A DKIM key record as published in DNS (RFC 6376 §3.6.1), parsed from one TXT record, and how it compares with a
 * configured key.
 *
 * @param tags the tag=value pairs, names as written, values with whitespace removed (§3.2)
 *
 * <p>Immutable and thread-safe.
 */
public record DkimRecord(Map<String, String> tags) {

    /** How a published record compares with the configured key. */
    public enum Match {
        /** Same key type and public key: verifiers can check the relay's signatures. */
        MATCH,
        /** A different public key: signatures by the configured key fail. */
        DIFFERENT_KEY,
        /** The record is for another key type ({@code k=}). */
        DIFFERENT_TYPE,
        /** {@code p=} is empty: the key is revoked (§3.6.1). */
        REVOKED,
        /** Not a DKIM key record ({@code v=} other than DKIM1, no {@code p=}, bad syntax or base64). */
        INVALID
    }

    public DkimRecord {
        tags = Map.copyOf(tags);
    }

    /** Parses a tag-list; throws {@link IllegalArgumentException} on bad syntax or a repeated tag (§3.2). */
    public static DkimRecord parse(String txt) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String spec : txt.split(";", -1)) {
            if (spec.isBlank()) {
                continue;
            }
            int eq = spec.indexOf('=');
            if (eq < 1 || spec.substring(0, eq).isBlank()) {
                throw new IllegalArgumentException("'" + spec.strip() + "' is not tag=value");
            }
            String name = spec.substring(0, eq).strip();
            if (tags.put(name, spec.substring(eq + 1).replaceAll("[ \t\r\n]", "")) != null) {
                throw new IllegalArgumentException("tag " + name + " appears twice");
            }
        }
        return new DkimRecord(tags);
    }

    /** The record's key type, {@code rsa} when {@code k=} is absent (§3.6.1). */
    public String keyType() {
        return tags.getOrDefault("k", "rsa").toLowerCase(Locale.ROOT);
    }

    /** Whether {@code v=}, when present, is DKIM1 (§3.6.1: then it must come first; not enforced here). */
    public boolean isDkim1() {
        return Optional.ofNullable(tags.get("v")).map("DKIM1"::equals).orElse(true);
    }

    public Match compare(DkimKey key) {
        String p = tags.get("p");
        if (!isDkim1() || p == null) {
            return Match.INVALID;
        }
        if (p.isEmpty()) {
            return Match.REVOKED;
        }
        if (!keyType().equals(key.algorithm().keyType())) {
            return Match.DIFFERENT_TYPE;
        }
        try {
            return Arrays.equals(Base64.getDecoder().decode(p), key.publicKey()) ? Match.MATCH : Match.DIFFERENT_KEY;
        } catch (IllegalArgumentException e) {
            return Match.INVALID;
        }
    }

    /** The owner name of a selector's record: {@code <selector>._domainkey.<domain>} (§3.6.2.1). */
    public static String name(String selector, String domain) {
        return selector + "._domainkey." + domain;
    }
}
