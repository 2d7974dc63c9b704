package io.stsdane.relay.core.queue;

import java.util.Objects;

/**
 * A DKIM signature the relay added to a message at intake (RFC 6376 §3.5): which key, for the delivery log.
 *
 * @param domain the signing domain ({@code d=})
 * @param selector the selector ({@code s=})
 * @param algorithm the algorithm ({@code a=}), for example {@code rsa-sha256} or {@code ed25519-sha256}
 *
 * <p>Immutable and thread-safe.
 */
public record DkimSignature(String domain, String selector, String algorithm) {

    public DkimSignature {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(algorithm, "algorithm");
    }

    /** {@code d=example.com s=sel a=rsa-sha256}, as the delivery log shows it. */
    @Override
    public String toString() {
        return "d=" + domain + " s=" + selector + " a=" + algorithm;
    }
}
