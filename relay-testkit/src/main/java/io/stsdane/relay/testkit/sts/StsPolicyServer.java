package io.stsdane.relay.testkit.sts;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTPS host of MTA-STS policies (RFC 8461 §3.3) for any number of domains: answers
 * {@code GET /.well-known/mta-sts.txt} for the host {@code mta-sts.<domain>} the request names, with the policy
 * set for that domain, the status set by {@link #answer} or {@link #unavailable} for a domain so marked, 404
 * otherwise; {@link #holdUntil} keeps every answer back until a latch opens. Listens on 127.0.0.1 and a free
 * port; point the domains' {@code mta-sts.<domain>} address records at 127.0.0.1.
 *
 * <pre>{@code
 * TestCertificate cert = TestCertificate.builder().dnsNames("mta-sts.example.com").issuedBy(webRoot).build();
 * try (StsPolicyServer policies = StsPolicyServer.start(cert)) {
 *     policies.serve("example.com", StsPolicyServer.policy("enforce", "mx.example.com"));
 *     ... the client under test fetches https://mta-sts.example.com:<policies.port()>/.well-known/mta-sts.txt
 * }
 * }</pre>
 *
 * <p>Thread-safe; policies may change while it runs.
 */
public final class StsPolicyServer implements AutoCloseable {

    private static final String WELL_KNOWN = "/.well-known/mta-sts.txt";

    private final HttpsServer server;
    private final ExecutorService threads;
    private final Map<String, String> policies = new ConcurrentHashMap<>();
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private volatile CountDownLatch release = new CountDownLatch(0);

    private StsPolicyServer(HttpsServer server, ExecutorService threads) {
        this.server = server;
        this.threads = threads;
    }

    /** Starts serving with {@code certificate}, which must name {@code mta-sts.<domain>} of every domain served. */
    public static StsPolicyServer start(TestCertificate certificate) {
        ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sts-policy-server");
            t.setDaemon(true);
            return t;
        });
        try {
            HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
            https.setExecutor(threads);
            StsPolicyServer s = new StsPolicyServer(https, threads);
            https.createContext("/", s::handle);
            https.start();
            return s;
        } catch (IOException e) {
            threads.shutdownNow();
            throw new UncheckedIOException(e);
        }
    }

    /** A policy text (RFC 8461 §3.2) of {@code mode} listing {@code mx} patterns, with a day's max_age. */
    public static String policy(String mode, String... mx) {
        return policy(mode, 86400, mx);
    }

    /** A policy text (RFC 8461 §3.2) of {@code mode} listing {@code mx} patterns, valid for {@code maxAge} seconds. */
    public static String policy(String mode, long maxAge, String... mx) {
        StringBuilder sb = new StringBuilder("version: STSv1\nmode: " + mode + "\nmax_age: " + maxAge + "\n");
        for (String m : mx) {
            sb.append("mx: ").append(m).append('\n');
        }
        return sb.toString();
    }

    /** The port, for the client's MTA-STS HTTPS port setting. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Serves {@code policyText} for {@code domain} from now on. */
    public StsPolicyServer serve(String domain, String policyText) {
        String host = host(domain);
        policies.put(host, policyText);
        failures.remove(host);
        return this;
    }

    /** Answers 503 for {@code domain} from now on. */
    public StsPolicyServer unavailable(String domain) {
        return answer(domain, 503);
    }

    /** Answers {@code status}, with no body, for {@code domain} from now on (until {@link #serve}). */
    public StsPolicyServer answer(String domain, int status) {
        failures.put(host(domain), status);
        return this;
    }

    /**
     * Keeps every answer back, each request already counted, until {@code latch} opens (30 seconds at the most):
     * for tests of what a client does while its fetch is in flight.
     */
    public StsPolicyServer holdUntil(CountDownLatch latch) {
        release = latch;
        return this;
    }

    /** How many requests for {@code domain}'s policy arrived. */
    public int requests(String domain) {
        AtomicInteger n = requests.get(host(domain));
        return n == null ? 0 : n.get();
    }

    private static String host(String domain) {
        return "mta-sts." + domain.toLowerCase(Locale.ROOT);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String host = String.valueOf(exchange.getRequestHeaders().getFirst("Host")).toLowerCase(Locale.ROOT)
                    .replaceFirst(":\\d+$", "");
            requests.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
            awaitRelease();
            String policy = policies.get(host);
            Integer failure = failures.get(host);
            if (failure != null) {
                exchange.sendResponseHeaders(failure, -1);
            } else if (policy == null || !WELL_KNOWN.equals(exchange.getRequestURI().getPath())) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                byte[] body = policy.getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    private void awaitRelease() throws IOException {
        try {
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IOException("held for 30 seconds and not released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while held", e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        threads.shutdownNow();
    }
}
