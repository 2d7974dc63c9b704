package io.stsdane.relay.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Applies environment variables to the configuration tree.
 *
 * <p>Scheme: {@code RELAY_} + the key path in upper case, levels joined by a double underscore, dashes inside a
 * key written as a single underscore. {@code RELAY_DELIVERY__SMARTHOST} is {@code delivery.smarthost},
 * {@code RELAY_SERVER__ALLOWED_NETWORKS} is {@code server.allowed-networks},
 * {@code RELAY_DELIVERY__TIMEOUTS__DATA_INIT} is {@code delivery.timeouts.data-init}. Because no key contains an
 * underscore the mapping is unambiguous. Lists are comma-separated ({@code ""} is the empty list), the
 * {@code policies} map is {@code RELAY_POLICIES=example.com=verify,legacy.example=may}.
 *
 * <p>A variable is an override when it contains {@code __} after the prefix, or when the part after the prefix
 * is a section name ({@code RELAY_POLICIES}); other {@code RELAY_*} variables are not applied, and each one but
 * the logging variables ({@link #NOT_KEYS}) is reported by {@link #unmatched} so that a misspelt override
 * ({@code RELAY_DELIVERY_PORT}, one underscore) is not silently ignored. A variable that is an override but names
 * an unknown key fails start-up like a typo in the file.
 */
final class EnvOverrides {

    static final String PREFIX = "RELAY_";

    /** {@code RELAY_*} variables that are not configuration keys: read by the logging configuration. */
    static final java.util.Set<String> NOT_KEYS = java.util.Set.of("RELAY_LOG_LEVEL", "RELAY_DELIVERY_LOG_FILE");

    private EnvOverrides() {
    }

    /**
     * Writes every override into {@code tree}, and records in {@code origins} which dotted key came from which
     * variable (for error messages). Variables are applied in name order so the outcome does not depend on the
     * order of the environment.
     */
    static void apply(ObjectNode tree, Map<String, String> env, Map<String, String> origins) throws ConfigException {
        for (Map.Entry<String, String> e : new TreeMap<>(env).entrySet()) {
            String var = e.getKey();
            if (!var.startsWith(PREFIX)) {
                continue;
            }
            String rest = var.substring(PREFIX.length());
            if (!rest.contains("__") && !tree.has(name(rest))) {
                continue;
            }
            String[] segments = rest.split("__", -1);
            ObjectNode parent = tree;
            StringBuilder path = new StringBuilder();
            for (int i = 0; i < segments.length; i++) {
                String seg = segments[i];
                if (!seg.matches("[A-Z0-9]+(_[A-Z0-9]+)*")) {
                    throw new ConfigException("", "environment variable " + var + " is not RELAY_SECTION__KEY"
                            + " (upper case, levels joined by __, dashes written as _)");
                }
                String name = name(seg);
                path.append(path.length() == 0 ? "" : ".").append(name);
                if (i == 0 && !tree.has(name)) {
                    throw new ConfigException(name, "unknown section (from environment variable " + var
                            + "; expected one of: " + String.join(", ", iterable(tree)) + ")");
                }
                if (i == segments.length - 1) {
                    parent.set(name, TextNode.valueOf(e.getValue()));
                } else {
                    JsonNode child = parent.get(name);
                    if (child == null || child.isNull()) {
                        child = parent.putObject(name);
                    } else if (!child.isObject()) {
                        throw new ConfigException(path.toString(), "is a single value, environment variable " + var
                                + " cannot set a key below it");
                    }
                    parent = (ObjectNode) child;
                }
            }
            origins.put(path.toString(), var);
        }
    }

    /**
     * One warning per {@code RELAY_*} variable that {@link #apply} does not apply and that is not one of
     * {@link #NOT_KEYS}, with the spelling of the override it probably meant.
     */
    static java.util.List<String> unmatched(ObjectNode tree, Map<String, String> env) {
        java.util.List<String> warnings = new java.util.ArrayList<>();
        for (String var : new TreeMap<>(env).keySet()) {
            String rest = var.startsWith(PREFIX) ? var.substring(PREFIX.length()) : null;
            if (rest == null || NOT_KEYS.contains(var) || rest.contains("__") || tree.has(name(rest))) {
                continue;
            }
            String hint = "";
            for (String section : iterable(tree)) {
                String upper = section.toUpperCase(Locale.ROOT).replace('-', '_') + "_";
                if (rest.startsWith(upper) && rest.length() > upper.length()) {
                    hint = " (for " + section + "." + name(rest.substring(upper.length())) + " write " + PREFIX
                            + upper + "_" + rest.substring(upper.length()) + ": levels are joined by __)";
                }
            }
            warnings.add("environment variable " + var + " matches no configuration key and is ignored" + hint);
        }
        return warnings;
    }

    private static String name(String segment) {
        return segment.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static Iterable<String> iterable(ObjectNode tree) {
        return tree::fieldNames;
    }
}
