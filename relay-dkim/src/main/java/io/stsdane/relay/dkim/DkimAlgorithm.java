package io.stsdane.relay.dkim;

/** The signing algorithms the relay offers (RFC 6376 §3.3, RFC 8463 §3); rsa-sha1 is not signed (RFC 8301 §3.1). */
public enum DkimAlgorithm {

    /** RSASSA-PKCS1-v1_5 over SHA-256 (RFC 6376 §3.3.1); keys of 2048 bits at least. */
    RSA_SHA256("rsa-sha256", "rsa"),
    /** PureEdDSA Ed25519 over the SHA-256 hash of the signed data (RFC 8463 §3). */
    ED25519_SHA256("ed25519-sha256", "ed25519");

    private final String tag;
    private final String keyType;

    DkimAlgorithm(String tag, String keyType) {
        this.tag = tag;
        this.keyType = keyType;
    }

    /** The {@code a=} value of a signature. */
    public String tag() {
        return tag;
    }

    /** The {@code k=} value of the key record (RFC 6376 §3.6.1). */
    public String keyType() {
        return keyType;
    }
}
