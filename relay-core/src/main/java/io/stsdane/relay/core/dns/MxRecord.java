package io.stsdane.relay.core.dns;

/**
 * One MX record. {@code host} is lower case without the trailing dot; the root ({@code "."} in zone files)
 * is the empty string, which together with preference 0 and a single record is a null MX (RFC 7505).
 */
public record MxRecord(int preference, String host) {
    public boolean isNullMx() {
        return host.isEmpty();
    }
}
