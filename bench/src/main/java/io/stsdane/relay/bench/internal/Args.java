package io.stsdane.relay.bench.internal;

import java.util.HashMap;
import java.util.Map;

/** {@code --name value} command-line options with defaults; unknown or valueless options fail at once. */
public final class Args {

    private final Map<String, String> values = new HashMap<>();

    public Args(String[] args, int from) {
        for (int i = from; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --option value, got '" + a + "'");
            }
            values.put(a.substring(2), args[++i]);
        }
    }

    public String string(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    public int integer(String name, int dflt) {
        String v = values.get(name);
        return v == null ? dflt : Integer.parseInt(v);
    }

    /** A size with an optional K or M suffix (binary multiples): {@code 4K}, {@code 35M}, {@code 4096}. */
    public int size(String name, String dflt) {
        String v = string(name, dflt).toUpperCase(java.util.Locale.ROOT);
        int mult = v.endsWith("K") ? 1024 : v.endsWith("M") ? 1024 * 1024 : 1;
        return Integer.parseInt(mult == 1 ? v : v.substring(0, v.length() - 1)) * mult;
    }

    public String required(String name) {
        String v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("missing --" + name);
        }
        return v;
    }
}
