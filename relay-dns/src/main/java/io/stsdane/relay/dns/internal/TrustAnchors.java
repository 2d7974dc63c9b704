package io.stsdane.relay.dns.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.xbill.DNS.dnssec.ValidatingResolver;

/** Loads DNSSEC trust anchors into a validator: the operator's file, or the IANA root KSKs shipped with the relay. */
final class TrustAnchors {

    static final String BUILT_IN = "root-anchors.txt";

    private TrustAnchors() {
    }

    /**
     * @param file zone-file DS/DNSKEY lines, or null for the built-in IANA root anchors
     * @throws IllegalArgumentException when the file cannot be read or holds no anchor
     */
    static void load(ValidatingResolver validator, Path file) {
        String source = file == null ? "built-in IANA root anchors" : file.toString();
        try (InputStream in = file == null ? TrustAnchors.class.getResourceAsStream(BUILT_IN)
                : Files.newInputStream(file)) {
            if (in == null) {
                throw new IllegalStateException("resource " + BUILT_IN + " missing from the relay's jar");
            }
            validator.loadTrustAnchors(in);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("trustAnchors: cannot read DNSSEC trust anchors from " + source
                    + " (" + e.getMessage() + "); give a readable file of zone-file DS or DNSKEY records,"
                    + " or remove the setting to use the built-in IANA root anchors", e);
        }
        if (validator.getTrustAnchors().items().isEmpty()) {
            throw new IllegalArgumentException("trustAnchors: " + source + " holds no DS or DNSKEY record;"
                    + " every answer would be insecure and DANE could never apply");
        }
    }
}
