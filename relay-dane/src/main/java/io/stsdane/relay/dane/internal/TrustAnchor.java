package io.stsdane.relay.dane.internal;

import io.stsdane.relay.core.dns.TlsaRecord;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A usable DANE-TA(2) record as a trust anchor (RFC 7671 §5.2). A digest record names an anchor the server must
 * send; a Full(0) record carries the whole anchor (a {@code 2 0 0} certificate or a {@code 2 1 0} public key), so
 * it is an anchor whether or not the server sends it, and whatever copy of it the server sends (a cross-signed
 * certificate with the same name and key: RFC 7671 §5.2.2-5.2.3). Immutable and thread-safe.
 *
 * @param record the TLSA record
 * @param carried the issuer the record itself holds, for Full(0) records; else empty
 */
public record TrustAnchor(TlsaRecord record, Optional<Issuer> carried) {

    public TrustAnchor {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(carried, "carried");
    }

    /** The anchor of a usable ({@link TlsaMatching#isUsable}) DANE-TA record; parses Full(0) data once. */
    public static TrustAnchor of(TlsaRecord record) {
        if (record.matchingType() != 0) {
            return new TrustAnchor(record, Optional.empty());
        }
        byte[] data = record.data();
        Optional<Issuer> carried = record.selector() == 0
                ? AssociationData.certificate(data).flatMap(c -> Issuer.of(c,
                        "the certificate in the record " + TlsaMatching.describe(c)))
                : AssociationData.publicKey(data).map(k -> Issuer.of(k, "the public key in the record"));
        return new TrustAnchor(record, carried);
    }

    /**
     * The issuers this anchor stands for with a server that sent {@code sent} (the certificates after the leaf):
     * the one the record carries, else the CA certificates sent that match the record.
     */
    public List<Issuer> issuers(List<X509Certificate> sent) {
        if (carried.isPresent()) {
            return List.of(carried.get());
        }
        return sent.stream().filter(c -> TlsaMatching.matches(record, c))
                .flatMap(c -> Issuer.of(c, TlsaMatching.describe(c)).stream()).toList();
    }
}
