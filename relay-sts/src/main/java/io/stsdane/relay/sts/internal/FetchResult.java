package io.stsdane.relay.sts.internal;

import io.stsdane.relay.core.tls.TlsFailure;
import java.util.Objects;

/** The outcome of one HTTPS policy fetch: the body, or why there is none. Immutable. */
public sealed interface FetchResult {

    /** HTTP 200, {@code text/plain}, within the size limit. */
    record Fetched(String body) implements FetchResult {
        public Fetched {
            Objects.requireNonNull(body, "body");
        }
    }

    /**
     * No usable body.
     *
     * @param failure STS_POLICY_FETCH_ERROR (network, HTTP status, size, time), STS_WEBPKI_INVALID (certificate) or
     *     STS_POLICY_INVALID (media type, content)
     * @param reason for an operator
     */
    record Failed(TlsFailure failure, String reason) implements FetchResult {
        public Failed {
            Objects.requireNonNull(failure, "failure");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
