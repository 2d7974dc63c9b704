package io.stsdane.relay.server.config;

import io.stsdane.relay.dkim.Canonicalization;
import io.stsdane.relay.dkim.DkimDomain;
import io.stsdane.relay.dkim.DkimKey;
import io.stsdane.relay.dkim.DkimSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code dkim:} section (docs/dkim.md): every key file is read and checked here, so that a key that does not
 * parse or is too short stops start-up with the key's name instead of failing on the first message. Stateless.
 */
final class DkimConfig {

    private DkimConfig() {
    }

    static DkimSettings read(ConfigNode n) throws ConfigException {
        List<String> headers = n.list("headers", DkimConfig::fieldName);
        Canonicalization c = n.required("canonicalization", Canonicalization::parse);
        Optional<java.time.Duration> expiration = n.optional("expiration", ConfigLoader::positiveDuration);
        Map<String, DkimDomain> domains = new LinkedHashMap<>();
        for (Map.Entry<String, ConfigNode> e : n.sections("domains").entrySet()) {
            String name;
            try {
                name = ConfigLoader.domain(e.getKey());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(n.key("domains") + "." + e.getKey(), ex.getMessage());
            }
            if (domains.put(name, domain(name, e.getValue())) != null) {
                throw new ConfigException(n.key("domains") + "." + e.getKey(), "domain " + name
                        + " is listed twice");
            }
        }
        n.finish();
        if (headers.isEmpty()) {
            throw new ConfigException(n.key("headers"), "needs at least From");
        }
        return new DkimSettings(domains, headers, c, expiration);
    }

    private static DkimDomain domain(String name, ConfigNode d) throws ConfigException {
        List<DkimKey> keys = new ArrayList<>();
        Set<String> selectors = new HashSet<>();
        for (ConfigNode s : d.sectionList("selectors")) {
            String selector = s.required("name", v -> v);
            Path file = s.file("key-file").orElseThrow(() -> new ConfigException(s.key("key-file"),
                    "needs the PEM PKCS#8 private key of selector " + selector));
            keys.add(s.required("key-file", v -> DkimKey.load(selector, file)));
            s.finish();
            if (!selectors.add(selector)) {
                throw new ConfigException(s.key("name"), "selector " + selector + " is listed twice");
            }
        }
        Set<String> users = new HashSet<>(d.list("users", v -> v));
        d.finish();
        if (keys.isEmpty()) {
            throw new ConfigException(d.key("selectors"), "needs at least one selector with its key-file");
        }
        return new DkimDomain(name, keys, users);
    }

    /** RFC 5322 §3.6.8 field names: printable ASCII without colon. */
    private static String fieldName(String s) {
        if (!s.matches("[!-9;-~]+")) {
            throw new IllegalArgumentException("'" + s + "' is not a header field name");
        }
        return s;
    }
}
