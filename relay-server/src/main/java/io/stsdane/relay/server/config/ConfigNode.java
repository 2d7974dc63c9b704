package io.stsdane.relay.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A cursor over one mapping of the merged configuration tree. Every read records the key, so that
 * {@link #finish()} can reject the keys nobody asked for; every failure names the full dotted key (and the
 * environment variable it came from). Not thread-safe: used by one loader, once.
 */
final class ConfigNode {

    private final JsonNode node;
    private final String path;
    private final Map<String, String> envOrigins;
    private final Set<String> known = new LinkedHashSet<>();

    ConfigNode(JsonNode node, String path, Map<String, String> envOrigins) {
        this.node = node;
        this.path = path;
        this.envOrigins = envOrigins;
    }

    /** The dotted key of {@code key} under this node, with the environment variable it came from if any. */
    String key(String key) {
        String full = path.isEmpty() ? key : path + "." + key;
        int index = full.indexOf('[');
        String env = envOrigins.get(index < 0 ? full : full.substring(0, index));
        return env == null ? full : full + " (from environment variable " + env + ")";
    }

    ConfigNode section(String key) throws ConfigException {
        known.add(key);
        JsonNode child = node.get(key);
        if (child != null && !child.isNull() && !child.isObject()) {
            throw new ConfigException(key(key), "must be a mapping of keys to values");
        }
        String full = path.isEmpty() ? key : path + "." + key;
        return new ConfigNode(child == null || child.isNull() ? JsonNodeFactory.instance.objectNode() : child,
                full, envOrigins);
    }

    /** A value that has an embedded default, so it is always present after merging. */
    <T> T required(String key, Function<String, T> parser) throws ConfigException {
        return optional(key, parser).orElseThrow(() -> new ConfigException(key(key), "needs a value"));
    }

    <T> Optional<T> optional(String key, Function<String, T> parser) throws ConfigException {
        Optional<String> text = scalar(key);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(parse(key, text.get(), parser));
    }

    boolean bool(String key) throws ConfigException {
        return required(key, s -> switch (s) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("'" + s + "' is not true or false");
        });
    }

    int integer(String key, int min, int max) throws ConfigException {
        return required(key, s -> {
            if (!s.matches("-?[0-9]{1,10}") || Long.parseLong(s) < min || Long.parseLong(s) > max) {
                throw new IllegalArgumentException("'" + s + "' is not a whole number in " + min + "-" + max);
            }
            return Integer.parseInt(s);
        });
    }

    int port(String key) throws ConfigException {
        return integer(key, 1, 65535);
    }

    /** An existing, readable regular file; relative paths are relative to the working directory. */
    Optional<Path> file(String key) throws ConfigException {
        Optional<Path> p = optional(key, Path::of);
        if (p.isPresent() && !(Files.isRegularFile(p.get()) && Files.isReadable(p.get()))) {
            throw new ConfigException(key(key), "file " + p.get().toAbsolutePath() + " does not exist or is not readable");
        }
        return p;
    }

    /**
     * A list: a YAML sequence of scalars, or (as environment variables give it) one comma-separated string,
     * where the empty string is the empty list.
     */
    <T> List<T> list(String key, Function<String, T> parser) throws ConfigException {
        known.add(key);
        JsonNode v = node.get(key);
        List<String> items = new ArrayList<>();
        if (v == null || v.isNull()) {
            return List.of();
        } else if (v.isArray()) {
            for (JsonNode item : v) {
                if (!item.isValueNode() || item.isNull()) {
                    throw new ConfigException(key(key), "every item must be a single value");
                }
                items.add(item.asText());
            }
        } else if (v.isValueNode()) {
            for (String s : v.asText().split(",")) {
                if (!s.isBlank()) {
                    items.add(s.strip());
                }
            }
        } else {
            throw new ConfigException(key(key), "must be a list");
        }
        List<T> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            out.add(parse(key + "[" + i + "]", items.get(i), parser));
        }
        return out;
    }

    /** A list that may be absent (empty), as opposed to given and empty ({@code []}). */
    <T> Optional<List<T>> optionalList(String key, Function<String, T> parser) throws ConfigException {
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            known.add(key);
            return Optional.empty();
        }
        return Optional.of(list(key, parser));
    }

    /**
     * A mapping of names to scalar values, or (from an environment variable) {@code name=value,name=value}.
     * Insertion order is kept so error messages follow the file.
     */
    Map<String, String> map(String key) throws ConfigException {
        known.add(key);
        JsonNode v = node.get(key);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null || v.isNull()) {
            return out;
        }
        if (v.isObject()) {
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                if (!e.getValue().isValueNode() || e.getValue().isNull()) {
                    throw new ConfigException(key(key) + "." + e.getKey(), "must be a single value");
                }
                out.put(e.getKey(), e.getValue().asText());
            }
        } else if (v.isValueNode()) {
            for (String pair : v.asText().split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq < 1) {
                    throw new ConfigException(key(key), "'" + pair.strip() + "' is not name=value");
                }
                out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            }
        } else {
            throw new ConfigException(key(key), "must be a mapping");
        }
        return out;
    }

    /**
     * A mapping whose keys are names the operator chooses (domains, for example) and whose values are mappings:
     * one node per name, in file order. Absent or null is the empty mapping.
     */
    Map<String, ConfigNode> sections(String key) throws ConfigException {
        ConfigNode parent = section(key);
        Map<String, ConfigNode> out = new LinkedHashMap<>();
        for (var it = parent.node.fieldNames(); it.hasNext(); ) {
            out.put(it.next(), null);
        }
        for (String name : out.keySet()) {
            out.put(name, parent.section(name));
        }
        return out;
    }

    /** A YAML sequence of mappings: one node per item, keyed {@code key[i]}. Absent or null is the empty list. */
    List<ConfigNode> sectionList(String key) throws ConfigException {
        known.add(key);
        JsonNode v = node.get(key);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new ConfigException(key(key), "must be a list of mappings");
        }
        String full = path.isEmpty() ? key : path + "." + key;
        List<ConfigNode> out = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isObject()) {
                throw new ConfigException(key(key + "[" + i + "]"), "must be a mapping of keys to values");
            }
            out.add(new ConfigNode(v.get(i), full + "[" + i + "]", envOrigins));
        }
        return out;
    }

    /** Rejects every key of this mapping that was never read: a typo must not be silently ignored. */
    void finish() throws ConfigException {
        for (var it = node.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new ConfigException(key(k), "unknown key (expected one of: " + String.join(", ", known) + ")");
            }
        }
    }

    private Optional<String> scalar(String key) throws ConfigException {
        known.add(key);
        JsonNode v = node.get(key);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) {
            return Optional.empty();
        }
        if (!v.isValueNode()) {
            throw new ConfigException(key(key), "must be a single value, not a " + (v.isArray() ? "list" : "mapping"));
        }
        return Optional.of(v.asText().strip());
    }

    /**
     * A module's value made of keys already read: its validation error, which names a Java parameter, becomes a
     * failure of {@code key}.
     */
    <T> T build(String key, Supplier<T> value) throws ConfigException {
        try {
            return value.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key(key), e.getMessage());
        }
    }

    private <T> T parse(String key, String text, Function<String, T> parser) throws ConfigException {
        return build(key, () -> parser.apply(text));
    }
}
