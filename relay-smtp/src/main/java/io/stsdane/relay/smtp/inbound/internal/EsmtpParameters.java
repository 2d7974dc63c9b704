package io.stsdane.relay.smtp.inbound.internal;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The {@code KEY[=VALUE]} parameters after a MAIL or RCPT path (RFC 5321 §4.1.2 esmtp-param). */
final class EsmtpParameters {

    private EsmtpParameters() {
    }

    /**
     * Parses parameters into upper-case keys; a key without value maps to "".
     *
     * @return the parameters, or null when a key is malformed or repeated
     */
    static Map<String, String> parse(String params) {
        Map<String, String> map = new LinkedHashMap<>();
        if (params.isBlank()) {
            return map;
        }
        for (String token : params.strip().split(" +")) {
            int eq = token.indexOf('=');
            String key = (eq < 0 ? token : token.substring(0, eq)).toUpperCase(Locale.ROOT);
            String value = eq < 0 ? "" : token.substring(eq + 1);
            if (!key.matches("[A-Z0-9][A-Z0-9-]*") || (eq >= 0 && value.isEmpty()) || map.containsKey(key)) {
                return null;
            }
            map.put(key, value);
        }
        return map;
    }
}
