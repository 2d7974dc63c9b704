package io.stsdane.relay.server.cluster;

import io.stsdane.relay.sts.CachedPolicy;
import io.stsdane.relay.sts.PolicyStore;
import java.time.Instant;
import java.util.Optional;

/**
 * Copies the MTA-STS policies a node cached into another store, for {@code relay queue migrate}: the policies a
 * retired node learned keep protecting its domains on the nodes that take over (RFC 8461 §10.2: a policy that is
 * forgotten can be stripped by whoever blocks the next fetch). An unexpired policy is copied unless the target
 * already holds one fetched at the same time or later; expired ones are left behind. Not thread-safe.
 */
public final class PolicyStoreMigration {

    /**
     * @param copied policies written into the target
     * @param newerInTarget policies skipped because the target's own is as recent or more
     * @param expired policies skipped because they have expired
     * @param failed policies the target could not store (its log says why)
     */
    public record Result(int copied, int newerInTarget, int expired, int failed) {
    }

    private PolicyStoreMigration() {
    }

    /** Copies from {@code source} to {@code target} as of {@code now}. */
    public static Result copy(PolicyStore source, PolicyStore target, Instant now) {
        int copied = 0;
        int newer = 0;
        int expired = 0;
        int failed = 0;
        for (String domain : source.domains()) {
            Optional<CachedPolicy> policy = source.load(domain);
            if (policy.isEmpty()) {
                continue; // unreadable: the store has logged it, and a fetch replaces it anyway
            }
            if (policy.get().isExpired(now)) {
                expired++;
            } else if (target.load(domain).filter(t -> !t.fetchedAt().isBefore(policy.get().fetchedAt()))
                    .isPresent()) {
                newer++;
            } else if (target.save(policy.get())) {
                copied++;
            } else {
                failed++;
            }
        }
        return new Result(copied, newer, expired, failed);
    }

    /** How many unexpired policies {@code source} holds: what a dry run can say without the target. */
    public static long unexpired(PolicyStore source, Instant now) {
        return source.domains().stream().map(source::load).flatMap(Optional::stream)
                .filter(p -> !p.isExpired(now)).count();
    }
}
