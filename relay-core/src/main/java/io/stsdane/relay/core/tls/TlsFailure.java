package io.stsdane.relay.core.tls;

/** Failure kinds, named as the result types of TLS reporting (RFC 8460 §4.3). */
public enum TlsFailure {
    STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
    CERTIFICATE_EXPIRED("certificate-expired"),
    CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
    VALIDATION_FAILURE("validation-failure"),
    TLSA_INVALID("tlsa-invalid"),
    DNSSEC_INVALID("dnssec-invalid"),
    DANE_REQUIRED("dane-required"),
    STS_POLICY_FETCH_ERROR("sts-policy-fetch-error"),
    STS_POLICY_INVALID("sts-policy-invalid"),
    STS_WEBPKI_INVALID("sts-webpki-invalid");

    private final String resultType;

    TlsFailure(String resultType) {
        this.resultType = resultType;
    }

    /** The RFC 8460 {@code result-type} string. */
    public String resultType() {
        return resultType;
    }
}
