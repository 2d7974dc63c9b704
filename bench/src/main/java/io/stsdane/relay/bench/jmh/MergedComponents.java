package io.stsdane.relay.bench.jmh;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.tls.TlsPolicySource;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import javax.net.ssl.X509TrustManager;

/**
 * SEAM: the shipped implementations the hot-path benchmarks measure, written in parallel with this module by
 * other modules (relay-queue, relay-sts, relay-smtp's delivery engine). Each factory is one statement to fill
 * after the merge (given in its Javadoc); until then it fails at the benchmark's setup, and JMH reports that
 * benchmark as failed and runs the others. Stateless.
 */
final class MergedComponents {

    /** A component and what must be closed when the benchmark ends. */
    record Opened<T>(T component, AutoCloseable resources) {
    }

    private MergedComponents() {
    }

    /**
     * relay-queue's spool, as the listener uses it: {@code accept} returns after fsync. After the merge:
     * <pre>{@code
     * Queue q = Queue.builder().directory(directory).hostname("bench.invalid")
     *         .deliveryAgent(request -> new CompletableFuture<>())   // never delivers: only the commit is measured
     *         .build();
     * q.start();
     * return new Opened<>(q.intake(), q);
     * }</pre>
     */
    static Opened<MessageIntake> spool(Path directory) {
        throw notWired("relay-queue's Queue.intake() over " + directory);
    }

    /**
     * relay-sts's policy source. After the merge:
     * {@code return MtaSts.builder().resolver(dns).cacheDirectory(cacheDir).trustManager(trust)
     * .httpsPort(httpsPort).build();}
     */
    static TlsPolicySource mtaSts(DnsResolver dns, Path cacheDir, X509TrustManager trust, int httpsPort) {
        throw notWired("relay-sts's MtaSts policy source");
    }

    /**
     * The delivery engine's MX selection: domain to ordered candidate hosts. relay-smtp's {@code RoutePlanner}
     * ({@code plan(domain)}) is package-private in {@code io.stsdane.relay.smtp.outbound.internal}; wiring this
     * needs a public way to build one, for example {@code domain -> planner.plan(domain)}.
     */
    static Function<String, CompletionStage<?>> mxSelection(DnsResolver dns) {
        throw notWired("the delivery engine's MX selection (RoutePlanner)");
    }

    private static UnsupportedOperationException notWired(String what) {
        return new UnsupportedOperationException("bench/jmh/MergedComponents: " + what
                + " is not wired yet (fill this factory after the merge)");
    }
}
