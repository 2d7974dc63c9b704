package io.stsdane.relay.core.tls;

import java.util.Objects;

/**
 * The result of checking a peer's certificate chain against a policy.
 *
 * @param passed whether the chain satisfied the policy
 * @param failure the RFC 8460 failure kind when it did not; null when passed
 * @param detail for an operator: which TLSA record or MTA-STS pattern matched, or what was expected and
 *     what the server presented
 */
public record Verification(boolean passed, TlsFailure failure, String detail) {

    public Verification {
        Objects.requireNonNull(detail, "detail");
        if (passed != (failure == null)) {
            throw new IllegalArgumentException("a failure kind is required exactly when verification failed");
        }
    }

    public static Verification passed(String detail) {
        return new Verification(true, null, detail);
    }

    public static Verification failed(TlsFailure failure, String detail) {
        return new Verification(false, Objects.requireNonNull(failure, "failure"), detail);
    }
}
