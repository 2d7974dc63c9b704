package io.stsdane.relay.bench.jmh;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.tls.TlsPolicySource;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * SEAM: the shipped implementations the hot-path benchmarks measure, written in parallel with this module by
 * other modules (relay-queue, relay-sts, the delivery engine). Each factory is one line to fill after the merge;
 * until then it fails at the benchmark's setup, and JMH reports that benchmark as failed and runs the others.
 * Stateless.
 */
final class MergedComponents {

    private MergedComponents() {
    }

    /** relay-queue's spool, as the listener uses it: {@code accept} returns after fsync. */
    static MessageIntake spool(Path directory) {
        throw notWired("relay-queue's MessageIntake implementation over " + directory);
    }

    /**
     * relay-sts's policy source, asking {@code dns} for {@code _mta-sts} TXT records, with its policy cache
     * directory at {@code cacheDir}; {@code policyFetch} serves the policy text for a domain (stands in for the
     * HTTPS fetch, which a cache hit never reaches).
     */
    static TlsPolicySource mtaSts(DnsResolver dns, Path cacheDir, Function<String, String> policyFetch) {
        throw notWired("relay-sts's TlsPolicySource");
    }

    /** The delivery engine's MX selection: domain to ordered candidate hosts and addresses, through {@code dns}. */
    static Function<String, CompletionStage<?>> mxSelection(DnsResolver dns) {
        throw notWired("the delivery engine's MX selection");
    }

    private static UnsupportedOperationException notWired(String what) {
        return new UnsupportedOperationException("bench/jmh/MergedComponents: " + what
                + " is not wired yet (fill this factory after the merge)");
    }
}
