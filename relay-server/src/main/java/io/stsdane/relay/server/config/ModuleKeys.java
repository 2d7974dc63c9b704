package io.stsdane.relay.server.config;

import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The YAML keys of a module's parameters, for the errors a module finds only when it builds its parts (a PEM file
 * that is not a key, a trust anchor file without records). Such an error begins with the Java parameter it names
 * ({@code tlsKey /etc/relay/key.pem: not a PKCS#8 key}); {@link #build} reports it under the key the operator
 * wrote ({@code server.tls.key /etc/relay/key.pem: ...}), as {@link ConfigNode} does for values read from the
 * file. Immutable and thread-safe.
 *
 * @param keys YAML key by Java parameter name
 */
public record ModuleKeys(Map<String, String> keys) {

    /** {@code server:}, for the SMTP listener's options. */
    public static final ModuleKeys SERVER = new ModuleKeys(Map.of(
            "tlsCertificate", "server.tls.cert",
            "tlsKey", "server.tls.key",
            "usersFile", "server.auth.users-file"));

    /** {@code dns:}, for the resolver's options. */
    public static final ModuleKeys DNS = new ModuleKeys(Map.of(
            "servers", "dns.servers",
            "dnssec", "dns.dnssec",
            "trustAnchors", "dns.trust-anchors",
            "timeout", "dns.timeout",
            "retries", "dns.retries",
            "cacheMaxEntries", "dns.cache-max-entries",
            "allowNonLoopbackAd", "dns.allow-non-loopback-ad"));

    /** {@code tls:}, for the trust store. */
    public static final ModuleKeys TLS = new ModuleKeys(Map.of("caFile", "tls.ca-file"));

    public ModuleKeys {
        keys = Map.copyOf(keys);
    }

    /**
     * {@code part}'s value; its {@link IllegalArgumentException} or {@link UncheckedIOException} is rethrown, of the
     * same type and with the same cause, naming the key instead of the parameter.
     */
    public <T> T build(Supplier<T> part) {
        try {
            return part.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(rename(e.getMessage()), e);
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException(rename(e.getMessage()), e.getCause());
        }
    }

    /** {@code message} with its leading parameter name, when it has one of these, replaced by the key. */
    String rename(String message) {
        if (message == null) {
            return null;
        }
        int end = 0;
        while (end < message.length() && Character.isJavaIdentifierPart(message.charAt(end))) {
            end++;
        }
        String key = keys.get(message.substring(0, end));
        return key == null ? message : key + message.substring(end);
    }
}
