package io.stsdane.relay.bench.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Flat one-line JSON objects (string, number and boolean values only), which is all the benchmark results need.
 * A library would be the first dependency the bench jar adds for a dozen lines; results stay greppable either way.
 * Stateless and thread-safe.
 */
public final class Json {

    private static final Pattern FIELD =
            Pattern.compile("\"([^\"]+)\"\\s*:\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[-0-9.eE+]+|true|false|null)");

    private Json() {
    }

    /** Writes {@code fields} in iteration order; doubles get three decimals. */
    public static String write(Map<String, ?> fields) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, ?> e : fields.entrySet()) {
            parts.add(quote(e.getKey()) + ":" + value(e.getValue()));
        }
        return "{" + String.join(",", parts) + "}";
    }

    /** Reads a flat object written by {@link #write}: strings stay strings, numbers become doubles. */
    public static Map<String, Object> read(String line) {
        Map<String, Object> out = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(line);
        while (m.find()) {
            String raw = m.group(2);
            Object v;
            if (m.group(3) != null) {
                v = m.group(3).replace("\\\"", "\"").replace("\\\\", "\\");
            } else if (raw.equals("true") || raw.equals("false")) {
                v = Boolean.parseBoolean(raw);
            } else if (raw.equals("null")) {
                v = null;
            } else {
                v = Double.parseDouble(raw);
            }
            out.put(m.group(1), v);
        }
        return out;
    }

    private static String value(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Double d) {
            return d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        return quote(v.toString());
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", " ") + "\"";
    }
}
