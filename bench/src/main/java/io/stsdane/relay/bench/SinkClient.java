package io.stsdane.relay.bench;

import io.stsdane.relay.bench.internal.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a running {@link SmtpSink}'s control port ({@code /stats?run=}, {@code /ids?run=}). Thread-safe.
 */
public final class SinkClient {

    /**
     * What the sink saw of one run.
     *
     * @param arrivals message number to arrival time at the sink, epoch microseconds (first arrival)
     * @param duplicates ids that arrived more than once (a relay must never deliver twice without a failure)
     */
    public record Deliveries(Map<Integer, Long> arrivals, long duplicates) {
    }

    private static final Duration POLL = Duration.ofMillis(100);

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public SinkClient(String baseUrl) {
        this.base = URI.create(baseUrl.endsWith("/") ? baseUrl : baseUrl + "/");
    }

    /** How many distinct ids of {@code run} have arrived. */
    public long delivered(String run) throws IOException, InterruptedException {
        return counter(run, "delivered");
    }

    /**
     * One of the sink's counters: {@code delivered} (of {@code run}), or the totals since it started
     * {@code connections}, {@code tls_sessions}, {@code messages_total}.
     */
    public long counter(String run, String name) throws IOException, InterruptedException {
        Object n = Json.read(get("stats?run=" + run)).get(name);
        return n == null ? 0 : ((Double) n).longValue();
    }

    /**
     * Waits until {@code expected} distinct ids of {@code run} arrived, or {@code timeout} passed, then returns
     * what arrived (possibly fewer: the caller reports the shortfall).
     */
    public Deliveries awaitDeliveries(String run, int expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (delivered(run) < expected && System.nanoTime() < deadline) {
                Thread.sleep(POLL.toMillis());
            }
            Map<Integer, Long> arrivals = new HashMap<>();
            long duplicates = 0;
            for (String line : get("ids?run=" + run).split("\n")) {
                String[] f = line.trim().split(" ");
                if (f.length == 3) {
                    arrivals.put(Integer.parseInt(f[0]), Long.parseLong(f[1]));
                    duplicates += Long.parseLong(f[2]) - 1;
                }
            }
            return new Deliveries(arrivals, duplicates);
        } catch (IOException e) {
            throw new IllegalStateException("sink control at " + base + " is not answering: " + e.getMessage(), e);
        }
    }

    private String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("HTTP " + r.statusCode() + " from " + path);
        }
        return r.body();
    }
}
