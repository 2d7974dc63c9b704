package io.stsdane.relay.bench;

import io.stsdane.relay.bench.internal.Args;
import io.stsdane.relay.bench.internal.BenchMessage;
import io.stsdane.relay.bench.internal.EpochMicros;
import io.stsdane.relay.bench.internal.Json;
import io.stsdane.relay.bench.internal.Latencies;
import io.stsdane.relay.bench.internal.SmtpConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Submits {@code messages} messages of {@code size} octets over {@code sessions} concurrent SMTP sessions, each
 * session reusing its connection (MAIL, RCPT, DATA again and again, no RSET), and measures accepted msg/s and the
 * accept latency of every message: from the final dot to the 250.
 *
 * <p>Each message carries {@code X-Bench-Id: <runId>-<n>}. When a {@link SinkClient} is given, the run then waits
 * until the sink has received every accepted message and adds end-to-end msg/s (first submission to last
 * delivery) and delivery latency (250 at the target to 250 at the sink).
 *
 * <p>One instance runs one load; {@link #run()} is not reentrant.
 */
public final class LoadGenerator {

    /**
     * @param target where to submit (the relay, Postfix, or the sink itself for the upper bound)
     * @param sessions concurrent SMTP sessions
     * @param messages messages in total
     * @param size octets per message
     * @param sender envelope and header sender
     * @param recipient envelope and header recipient (its domain is the sink's)
     * @param runId prefix of every X-Bench-Id, letters and digits only
     * @param sink where to wait for deliveries; null to measure acceptance only
     * @param deliveryTimeout how long to wait for the sink to see every accepted message
     */
    public record Settings(InetSocketAddress target, int sessions, int messages, int size, String sender,
            String recipient, String runId, SinkClient sink, Duration deliveryTimeout) {

        public Settings {
            if (!runId.matches("[A-Za-z0-9]+")) {
                throw new IllegalArgumentException("run id must be letters and digits: " + runId);
            }
        }
    }

    private static final int IO_TIMEOUT_MILLIS = 120_000;
    private static final int MAX_CONSECUTIVE_FAILURES = 3;

    private final Settings settings;
    private final BenchMessage message;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();
    private final AtomicInteger errors = new AtomicInteger();
    /** Per message number: when the target said 250, in epoch microseconds (0 = not accepted). */
    private final long[] acceptedAtMicros;
    /** Per message number: accept latency in nanoseconds (0 = not accepted). */
    private final long[] acceptNanos;

    public LoadGenerator(Settings settings) {
        this.settings = settings;
        this.message = new BenchMessage(settings.sender(), settings.recipient(), settings.size());
        this.acceptedAtMicros = new long[settings.messages()];
        this.acceptNanos = new long[settings.messages()];
    }

    /** Runs the load and, when a sink is set, waits for delivery; returns the figures as one JSON object. */
    public Map<String, Object> run() throws InterruptedException, IOException {
        long[] sinkBefore = sinkCounters();
        long startMicros = EpochMicros.now();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < settings.sessions(); i++) {
            Thread t = new Thread(this::session, "session-" + i);
            t.start();
            threads.add(t);
        }
        for (Thread t : threads) {
            t.join();
        }
        double acceptSeconds = (System.nanoTime() - start) / 1e9;

        int accepted = 0;
        long[] latencies = new long[acceptNanos.length];
        for (long l : acceptNanos) {
            if (l > 0) {
                latencies[accepted++] = l;
            }
        }
        Latencies accept = Latencies.of(latencies, accepted, 1);

        Map<String, Object> r = new LinkedHashMap<>();
        r.put("run", settings.runId());
        r.put("target", settings.target().getHostString() + ":" + settings.target().getPort());
        r.put("sessions", settings.sessions());
        r.put("messages", settings.messages());
        r.put("size", settings.size());
        r.put("accepted", accepted);
        r.put("rejected", rejected.get());
        r.put("errors", errors.get());
        r.put("accept_seconds", acceptSeconds);
        r.put("accept_msgs_per_s", accepted / acceptSeconds);
        r.put("accept_p50_ms", accept.p50Millis());
        r.put("accept_p99_ms", accept.p99Millis());
        r.put("accept_max_ms", accept.maxMillis());
        if (settings.sink() != null) {
            r.putAll(deliveryFigures(accepted, startMicros));
            long[] sinkAfter = sinkCounters();
            // how many connections (and TLS handshakes) the relay needed for this run: connection reuse at a glance
            r.put("sink_connections", sinkAfter[0] - sinkBefore[0]);
            r.put("sink_tls_sessions", sinkAfter[1] - sinkBefore[1]);
        }
        return r;
    }

    private long[] sinkCounters() throws IOException, InterruptedException {
        SinkClient sink = settings.sink();
        return sink == null ? new long[2]
                : new long[] {sink.counter("", "connections"), sink.counter("", "tls_sessions")};
    }

    private Map<String, Object> deliveryFigures(int accepted, long startMicros) throws InterruptedException {
        SinkClient.Deliveries d = settings.sink().awaitDeliveries(settings.runId(), accepted,
                settings.deliveryTimeout());
        long[] latencies = new long[d.arrivals().size()];
        int n = 0;
        long last = startMicros;
        for (Map.Entry<Integer, Long> e : d.arrivals().entrySet()) {
            int k = e.getKey();
            long arrived = e.getValue();
            last = Math.max(last, arrived);
            if (k >= 0 && k < acceptedAtMicros.length && acceptedAtMicros[k] > 0) {
                latencies[n++] = Math.max(0, arrived - acceptedAtMicros[k]);
            }
        }
        Latencies delivery = Latencies.of(latencies, n, 1_000);
        double e2eSeconds = (last - startMicros) / 1e6;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("delivered", d.arrivals().size());
        r.put("duplicates", d.duplicates());
        r.put("e2e_seconds", e2eSeconds);
        r.put("e2e_msgs_per_s", d.arrivals().size() / e2eSeconds);
        r.put("delivery_p50_ms", delivery.p50Millis());
        r.put("delivery_p99_ms", delivery.p99Millis());
        return r;
    }

    /** One session: connects, then takes message numbers until none are left; reconnects after an I/O error. */
    private void session() {
        int failures = 0;
        long[] started = new long[1];
        while (next.get() < settings.messages() && failures < MAX_CONSECUTIVE_FAILURES) {
            try (SmtpConnection c = SmtpConnection.open(settings.target(), "loadgen.bench.invalid",
                    IO_TIMEOUT_MILLIS)) {
                int k;
                while ((k = next.getAndIncrement()) < settings.messages()) {
                    send(c, k, started);
                    failures = 0;
                }
            } catch (IOException e) {
                failures++;
                errors.incrementAndGet();
            }
        }
    }

    private void send(SmtpConnection c, int k, long[] started) throws IOException {
        if (c.command("MAIL FROM:<" + settings.sender() + ">") / 100 != 2
                || c.command("RCPT TO:<" + settings.recipient() + ">") / 100 != 2) {
            rejected.incrementAndGet();
            c.command("RSET");
            return;
        }
        if (c.command("DATA") != 354) {
            rejected.incrementAndGet();
            c.command("RSET");
            return;
        }
        int code = c.data(message.header(settings.runId() + "-" + k), message.body(), started);
        long now = System.nanoTime();
        if (code / 100 == 2) {
            acceptedAtMicros[k] = EpochMicros.now();
            acceptNanos[k] = Math.max(1, now - started[0]);
        } else {
            rejected.incrementAndGet();
        }
    }

    /**
     * {@code load --target host:port [--sessions 20] [--messages 10000] [--size 4K] [--run-id r1]
     * [--recipient bench@bench.test] [--sink-control http://127.0.0.1:port] [--delivery-timeout-s 300]}.
     * Prints one JSON line.
     */
    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv, 0);
        String sinkControl = a.string("sink-control", "");
        Settings s = new Settings(hostPort(a.required("target")), a.integer("sessions", 20),
                a.integer("messages", 10_000), a.size("size", "4K"), a.string("sender", "loadgen@bench.invalid"),
                a.string("recipient", "bench@bench.test"), a.string("run-id", "r" + System.currentTimeMillis()),
                sinkControl.isEmpty() ? null : new SinkClient(sinkControl),
                Duration.ofSeconds(a.integer("delivery-timeout-s", 300)));
        System.out.println(Json.write(new LoadGenerator(s).run()));
    }

    static InetSocketAddress hostPort(String s) {
        int colon = s.lastIndexOf(':');
        return new InetSocketAddress(s.substring(0, colon), Integer.parseInt(s.substring(colon + 1)));
    }
}
