package io.stsdane.relay.server.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.util.LogText;
import io.stsdane.relay.server.config.AdminToken;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin HTTP API on {@code admin.listen}, served by the JDK's HTTP server:
 * <ul>
 *   <li>{@code GET /metrics}: Prometheus text format;</li>
 *   <li>{@code GET /health}: liveness (the process answers);</li>
 *   <li>{@code GET /health/ready}: 200 when every {@link HealthCheck} is up, else 503, with a JSON report;</li>
 *   <li>{@code GET /queue}, {@code GET /queue/ID}, {@code DELETE /queue/ID},
 *       {@code POST /queue/ID/retry|hold|release|bounce}: the {@link QueueAdminPort}, 503 while there is none.</li>
 * </ul>
 * Reading is open to whoever can connect: bind it to loopback or a private network. Every request that changes
 * something passes the {@link MutationGuard} first (DNS rebinding, cross-origin requests, the optional bearer
 * token of {@code admin.token-file}); a new endpoint gets that for free. Requests are read within
 * {@link #REQUEST_DEADLINE} on {@link #WORKERS} workers ({@link RequestDeadlines}), so clients that stall cannot
 * starve {@code /health}. Every response is JSON except {@code /metrics}. A failing handler answers 500 and
 * never takes a worker thread down. Thread-safe; {@link #close()} stops it.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final String JSON = "application/json; charset=utf-8";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final Map<String, BiFunction<QueueAdminPort, QueueId, AdminResult>> ACTIONS = Map.of(
            "retry", QueueAdminPort::retry,
            "hold", QueueAdminPort::hold,
            "release", QueueAdminPort::release,
            "bounce", QueueAdminPort::bounce);

    /** Time for a client to send its request line and headers. */
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(10);
    /** Enough that clients holding some workers until the deadline leave others for health checks. */
    static final int WORKERS = 16;

    private final HttpServer server;
    private final RequestDeadlines workers;
    private final MutationGuard guard;
    private final PrometheusMeterRegistry registry;
    private final List<HealthCheck> readiness;
    private final Optional<QueueAdminPort> queue;

    private AdminServer(HttpServer server, RequestDeadlines workers, MutationGuard guard,
            PrometheusMeterRegistry registry, List<HealthCheck> readiness, Optional<QueueAdminPort> queue) {
        this.server = server;
        this.workers = workers;
        this.guard = guard;
        this.registry = registry;
        this.readiness = List.copyOf(readiness);
        this.queue = queue;
    }

    /**
     * Binds and starts serving.
     *
     * @param bind the address to bind (port 0 picks a free port; see {@link #address()})
     * @param token the bearer token requests that change something must carry, if any
     * @throws IOException when the address cannot be bound
     */
    public static AdminServer start(InetSocketAddress bind, PrometheusMeterRegistry registry,
            List<HealthCheck> readiness, Optional<QueueAdminPort> queue, Optional<AdminToken> token)
            throws IOException {
        return start(bind, registry, readiness, queue, token, REQUEST_DEADLINE);
    }

    static AdminServer start(InetSocketAddress bind, PrometheusMeterRegistry registry, List<HealthCheck> readiness,
            Optional<QueueAdminPort> queue, Optional<AdminToken> token, Duration requestDeadline) throws IOException {
        HttpServer http = HttpServer.create(bind, 64);
        RequestDeadlines workers = new RequestDeadlines(WORKERS, requestDeadline);
        AdminServer admin = new AdminServer(http, workers, new MutationGuard(token), registry, readiness, queue);
        http.createContext("/", admin::handle);
        http.setExecutor(workers);
        http.start();
        log.info("Admin API listening on http://{}/ (/metrics, /health, /health/ready, /queue)", admin.addressText());
        return admin;
    }

    /** The bound address (with the real port when 0 was asked for). */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    @Override
    public void close() {
        server.stop(0);
        workers.close();
    }

    private String addressText() {
        InetSocketAddress a = address();
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    private void handle(HttpExchange ex) {
        if (!workers.requestRead()) {
            ex.close();
            return;
        }
        try {
            MutationGuard.Refusal refusal = guard.check(ex);
            if (refusal != null) {
                log.warn("Admin request {} {} from {} refused: {}", ex.getRequestMethod(),
                        LogText.escape(ex.getRequestURI().toString()), ex.getRemoteAddress(),
                        LogText.escape(refusal.message()));
                json(ex, refusal.status(), Map.of("error", refusal.message()));
                return;
            }
            route(ex);
        } catch (IOException e) {
            log.debug("Admin client went away: {}", e.toString());
        } catch (RuntimeException e) {
            log.error("Admin request {} {} failed", ex.getRequestMethod(), LogText.escape(ex.getRequestURI().toString()),
                    e);
            try {
                json(ex, 500, Map.of("error", "internal error: " + e));
            } catch (IOException | RuntimeException ignored) {
                // The response may already be started; closing the exchange ends it either way.
            }
        } finally {
            ex.close();
        }
    }

    private void route(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        String method = ex.getRequestMethod();
        if (path.equals("/metrics")) {
            if (allow(ex, "GET")) {
                send(ex, 200, PROMETHEUS_TEXT, registry.scrape().getBytes(StandardCharsets.UTF_8));
            }
        } else if (path.equals("/health")) {
            if (allow(ex, "GET")) {
                json(ex, 200, Map.of("status", "UP"));
            }
        } else if (path.equals("/health/ready")) {
            if (allow(ex, "GET")) {
                ready(ex);
            }
        } else if (path.equals("/queue") || path.startsWith("/queue/")) {
            queueRoute(ex, method, path);
        } else {
            json(ex, 404, Map.of("error", "no such resource: " + path));
        }
    }

    private void ready(HttpExchange ex) throws IOException {
        Map<String, Object> checks = new LinkedHashMap<>();
        boolean up = true;
        for (HealthCheck c : readiness) {
            HealthCheck.Status s;
            try {
                s = c.check();
            } catch (RuntimeException e) {
                s = HealthCheck.Status.down(e.toString());
            }
            up &= s.up();
            checks.put(c.name(), Map.of("status", s.up() ? "UP" : "DOWN", "detail", s.detail()));
        }
        json(ex, up ? 200 : 503, Map.of("status", up ? "UP" : "DOWN", "checks", checks));
    }

    private void queueRoute(HttpExchange ex, String method, String path) throws IOException {
        if (queue.isEmpty()) {
            json(ex, 503, Map.of("error", "the queue is not running in this relay"));
            return;
        }
        QueueAdminPort q = queue.get();
        String[] parts = path.substring(1).split("/", -1);
        if (parts.length == 1) {
            if (allow(ex, "GET")) {
                json(ex, 200, q.list());
            }
            return;
        }
        QueueId id;
        try {
            id = new QueueId(parts[1]);
        } catch (IllegalArgumentException e) {
            json(ex, 400, Map.of("error", "not a queue id: " + parts[1]));
            return;
        }
        if (parts.length == 2) {
            if (method.equals("GET")) {
                Optional<QueueMessage> m = q.show(id);
                if (m.isPresent()) {
                    json(ex, 200, m.get());
                } else {
                    result(ex, AdminResult.notFound(id.value()));
                }
            } else if (method.equals("DELETE")) {
                result(ex, q.delete(id));
            } else {
                methodNotAllowed(ex, "GET, DELETE");
            }
        } else if (parts.length == 3 && ACTIONS.containsKey(parts[2])) {
            if (allow(ex, "POST")) {
                result(ex, ACTIONS.get(parts[2]).apply(q, id));
            }
        } else {
            json(ex, 404, Map.of("error", "no such resource: " + path
                    + " (actions: POST /queue/ID/retry|hold|release|bounce, DELETE /queue/ID)"));
        }
    }

    private static void result(HttpExchange ex, AdminResult r) throws IOException {
        int status = switch (r.status()) {
            case OK -> 200;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
        };
        json(ex, status, Map.of("status", r.status().name(), "message", r.message()));
    }

    private static boolean allow(HttpExchange ex, String method) throws IOException {
        if (ex.getRequestMethod().equals(method)) {
            return true;
        }
        methodNotAllowed(ex, method);
        return false;
    }

    private static void methodNotAllowed(HttpExchange ex, String allowed) throws IOException {
        ex.getResponseHeaders().set("Allow", allowed);
        json(ex, 405, Map.of("error", ex.getRequestMethod() + " is not allowed here (allowed: " + allowed + ")"));
    }

    private static void json(HttpExchange ex, int status, Object body) throws IOException {
        send(ex, status, JSON, AdminJson.MAPPER.writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, String contentType, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", contentType);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }
}
