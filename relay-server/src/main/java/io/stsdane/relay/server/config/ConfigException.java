package io.stsdane.relay.server.config;

/**
 * The configuration cannot be used. The message names the key (dotted path such as {@code delivery.smarthost},
 * and the environment variable when the value came from one) and says what to change.
 */
public final class ConfigException extends Exception {

    private final String key;

    public ConfigException(String key, String problem) {
        super(key.isEmpty() ? problem : key + ": " + problem);
        this.key = key;
    }

    /** The dotted key path, or empty when the problem is the file as a whole. */
    public String key() {
        return key;
    }
}
