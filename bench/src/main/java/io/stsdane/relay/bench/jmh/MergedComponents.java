package io.stsdane.relay.bench.jmh;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.dns.HostAddresses;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.queue.MessageQueue;
import io.stsdane.relay.sts.MtaSts;
import io.stsdane.relay.sts.StsPolicySource;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/**
 * The shipped implementations the hot-path benchmarks measure, built through the modules' public entry points
 * exactly as relay-server builds them. Stateless.
 *
 * <p>MX selection is not benchmarked: relay-smtp's {@code RoutePlanner} is package-private in
 * {@code io.stsdane.relay.smtp.outbound.internal} and the only public path to it, {@code DeliveryEngine}, also
 * connects to the hosts it selects, so it cannot be measured apart from connection set-up.
 */
final class MergedComponents {

    /** A component and what must be closed when the benchmark ends. */
    record Opened<T>(T component, AutoCloseable resources) {
    }

    private MergedComponents() {
    }

    /**
     * relay-queue's spool, as the listener uses it: {@code accept} returns after fsync. Its delivery agent never
     * completes, so the scheduler takes each message once and then leaves the spool alone: only the commit is
     * measured.
     */
    static Opened<MessageIntake> spool(Path directory) throws IOException {
        MessageQueue q = MessageQueue.builder().directory(directory).hostname("bench.invalid")
                .deliveryAgent(request -> new CompletableFuture<>())
                .build();
        q.start();
        return new Opened<>(q.intake(), q);
    }

    /**
     * relay-sts's policy source, with its HTTPS fetcher pointed at the benchmark's policy server and resolving
     * through {@code dns}, as the relay's base HTTP client does.
     */
    static StsPolicySource mtaSts(DnsResolver dns, Path cacheDir, X509TrustManager trust, int httpsPort) {
        OkHttpClient http = new OkHttpClient.Builder().dns(new HostAddresses(dns, Duration.ofSeconds(10))::lookup)
                .build();
        return MtaSts.builder().resolver(dns).httpClient(http).cacheDirectory(cacheDir).trustManager(trust)
                .httpsPort(httpsPort).build();
    }
}
