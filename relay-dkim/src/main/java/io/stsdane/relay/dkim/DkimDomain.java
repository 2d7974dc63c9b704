package io.stsdane.relay.dkim;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A domain the relay signs for, with its keys (one signature per key: several selectors during a key rotation,
 * an RSA and an Ed25519 key side by side as RFC 8463 §5 suggests) and the authenticated users allowed to send as
 * it.
 *
 * @param domain the signing domain {@code d=}, canonical (lower case, no trailing dot)
 * @param keys at least one
 * @param users AUTH identities that may have mail signed for this domain besides {@code *@domain}
 *
 * <p>Immutable and thread-safe.
 */
public record DkimDomain(String domain, List<DkimKey> keys, Set<String> users) {

    public DkimDomain {
        Objects.requireNonNull(domain, "domain");
        keys = List.copyOf(keys);
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a signing domain needs at least one key");
        }
        users = users.stream().map(u -> u.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Whether a user who authenticated as {@code user} may send as this domain: listed in {@link #users}, or an
     * address in the domain itself (its own domain).
     */
    public boolean allows(String user) {
        String u = user.toLowerCase(Locale.ROOT);
        return users.contains(u) || u.endsWith("@" + domain);
    }
}
