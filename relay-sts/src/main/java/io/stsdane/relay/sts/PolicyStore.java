package io.stsdane.relay.sts;

import io.stsdane.relay.sts.internal.FilePolicyStore;
import io.stsdane.relay.sts.internal.PolicyParser;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where MTA-STS policies are persisted behind the relay's in-memory cache.
 *
 * <p>RFC 8461 §10.2: a policy held only in memory is lost on restart, and an attacker who can then block the
 * fetch strips MTA-STS. So every fetched policy is saved before it is used, and a policy missing from memory is
 * looked up here before it is fetched. The default is one directory per node ({@link #directory}); a store shared
 * by several relay nodes (PostgreSQL, docs/cluster.md) makes a policy fetched by one node enforced by all.
 *
 * <p>A store persists the policy <em>text</em> as served, with its domain, {@code id} and fetch time, and
 * rebuilds the value with {@link #restore}: the parser stays the single judge of what a policy says.
 *
 * <p>Implementations must be thread-safe. They report trouble by logging and returning empty/false, never by
 * throwing: a broken store degrades to fetching again, it never stops delivery.
 */
public interface PolicyStore {

    /** The stored policy of {@code domain} (canonical A-label), expired or not; empty when none or unreadable. */
    Optional<CachedPolicy> load(String domain);

    /** Stores {@code policy}, replacing the domain's older one; false (logged) when it could not be stored. */
    boolean save(CachedPolicy policy);

    /**
     * Removes {@code expired}, the stored policy of its domain, unless the store meanwhile holds a different one
     * for that domain: in a shared store another node may just have saved a fresh policy, which must survive.
     */
    void delete(CachedPolicy expired);

    /** The domains with a stored policy, for the background refresh. */
    List<String> domains();

    /** The default store: one JSON file per domain in {@code dir}, created if missing. */
    static PolicyStore directory(Path dir) {
        return new FilePolicyStore(dir);
    }

    /**
     * Rebuilds a stored policy from its text.
     *
     * @throws IllegalArgumentException with the parser's reason when {@code text} is not a valid policy (for
     *     example written by a relay version with other rules): the caller ignores the entry and logs why
     */
    static CachedPolicy restore(String domain, String id, String text, Instant fetchedAt) {
        PolicyParser.Result parsed = PolicyParser.parse(text);
        if (parsed instanceof PolicyParser.Result.Valid v) {
            return new CachedPolicy(domain, id, text, v.policy(), fetchedAt);
        }
        throw new IllegalArgumentException(((PolicyParser.Result.Invalid) parsed).reason());
    }
}
