package io.stsdane.relay.core.dns;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One TLSA record (RFC 6698 §2.1). Immutable: the association data is copied in and out.
 *
 * @param usage 0 PKIX-TA, 1 PKIX-EE, 2 DANE-TA, 3 DANE-EE
 * @param selector 0 full certificate, 1 SubjectPublicKeyInfo
 * @param matchingType 0 exact, 1 SHA-256, 2 SHA-512
 */
public record TlsaRecord(int usage, int selector, int matchingType, byte[] data) {

    public static final int DANE_TA = 2;
    public static final int DANE_EE = 3;

    public TlsaRecord {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TlsaRecord t && usage == t.usage && selector == t.selector
                && matchingType == t.matchingType && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * usage + selector) + matchingType) + Arrays.hashCode(data);
    }

    /** Presentation format, as in a zone file: {@code 3 1 1 ab12...}. */
    @Override
    public String toString() {
        return usage + " " + selector + " " + matchingType + " " + HexFormat.of().formatHex(data);
    }
}
