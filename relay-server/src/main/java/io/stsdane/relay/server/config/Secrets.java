package io.stsdane.relay.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Hides secrets in a configuration tree before it is shown (start-up log, {@code relay config show}): the value
 * of every key named like a password (not {@code password-file}, which is a path), and a {@code password}
 * parameter inside a JDBC URL.
 */
final class Secrets {

    static final String MASK = "********";
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

    private Secrets() {
    }

    /** A masked deep copy; {@code tree} is left as it is. */
    static ObjectNode masked(ObjectNode tree) {
        ObjectNode copy = tree.deepCopy();
        mask(copy);
        return copy;
    }

    private static void mask(ObjectNode node) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            JsonNode v = e.getValue();
            String key = e.getKey();
            if (v.isObject()) {
                mask((ObjectNode) v);
            } else if (v.isValueNode() && !v.isNull()) {
                if (key.contains("password") && !key.endsWith("-file")) {
                    node.put(key, MASK);
                } else if (key.equals("url")) {
                    node.put(key, URL_PASSWORD.matcher(v.asText()).replaceAll("$1" + MASK));
                }
            }
        }
    }
}
