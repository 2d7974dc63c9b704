package io.stsdane.relay.server.admin;

import com.sun.net.httpserver.HttpExchange;
import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.server.config.Units;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The operator's queue tools on the admin API, beside the per-message routes of {@link AdminServer}:
 * <ul>
 *   <li>{@code GET /queue?domain=&sender=&older-than=&state=}: the messages a {@link QueueSelector} picks;</li>
 *   <li>{@code GET /queue/ID/content}: the stored message ({@code message/rfc822}, as {@code postcat -q});</li>
 *   <li>{@code GET /queue/summary}: the {@link QueueSummary};</li>
 *   <li>{@code POST /queue/bulk/retry|hold|release|delete|bounce?...&dry-run=true}: one action on every selected
 *       message ({@code all=true} when no criterion is given), with the count and ids;</li>
 *   <li>{@code POST /queue/flush[?ignore-backoff=true]}: every message not held due now;</li>
 *   <li>{@code GET /suspensions}, {@code PUT /suspensions/DOMAIN[?until=INSTANT|DURATION]},
 *       {@code DELETE /suspensions/DOMAIN}: destination suspensions.</li>
 * </ul>
 * Thread-safe.
 */
final class QueueToolRoutes {

    private static final String RFC822 = "message/rfc822";

    private final QueueAdminPort queue;
    private final Clock clock;

    QueueToolRoutes(QueueAdminPort queue, Clock clock) {
        this.queue = queue;
        this.clock = clock;
    }

    /** Whether {@code path} is one of these routes (checked before the per-message routes take it). */
    static boolean handles(String path) {
        return path.equals("/queue/summary") || path.equals("/queue/flush") || path.startsWith("/queue/bulk/")
                || path.equals("/suspensions") || path.startsWith("/suspensions/")
                || (path.startsWith("/queue/") && path.endsWith("/content"));
    }

    /** Answers {@code GET /queue} with the messages its selection criteria pick. */
    void list(HttpExchange ex) throws IOException {
        QueueSelector selector;
        try {
            selector = selector(query(ex));
        } catch (IllegalArgumentException e) {
            AdminServer.json(ex, 400, Map.of("error", e.getMessage()));
            return;
        }
        Instant now = clock.instant();
        AdminServer.json(ex, 200, queue.list().stream().filter(m -> selector.matches(m, now)).toList());
    }

    /** Answers a request for one of the paths {@link #handles} accepts; a malformed parameter gets a 400. */
    void route(HttpExchange ex, String path) throws IOException {
        try {
            dispatch(ex, path, query(ex));
        } catch (IllegalArgumentException e) {
            AdminServer.json(ex, 400, Map.of("error", e.getMessage()));
        }
    }

    private void dispatch(HttpExchange ex, String path, Map<String, String> q) throws IOException {
        if (path.equals("/queue/summary")) {
            if (AdminServer.allow(ex, "GET")) {
                AdminServer.json(ex, 200, QueueSummary.of(queue.list(), clock.instant()));
            }
        } else if (path.equals("/queue/flush")) {
            if (AdminServer.allow(ex, "POST")) {
                flush(ex, Boolean.parseBoolean(q.get("ignore-backoff")));
            }
        } else if (path.startsWith("/queue/bulk/")) {
            if (AdminServer.allow(ex, "POST")) {
                bulk(ex, path.substring("/queue/bulk/".length()), q);
            }
        } else if (path.startsWith("/queue/")) {
            if (AdminServer.allow(ex, "GET")) {
                content(ex, path.substring("/queue/".length(), path.length() - "/content".length()));
            }
        } else {
            suspensions(ex, path, q);
        }
    }

    private void content(HttpExchange ex, String id) throws IOException {
        QueueId queueId;
        try {
            queueId = new QueueId(id);
        } catch (IllegalArgumentException e) {
            AdminServer.json(ex, 400, Map.of("error", "not a queue id: " + id));
            return;
        }
        Optional<MessageContent> content = queue.content(queueId);
        if (content.isEmpty()) {
            AdminServer.json(ex, 404, Map.of("status", "NOT_FOUND", "message", "no message " + id + " in the queue"));
            return;
        }
        ex.getResponseHeaders().set("Content-Type", RFC822);
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, content.get().size() == 0 ? -1 : content.get().size());
        try (InputStream in = content.get().open(); OutputStream out = ex.getResponseBody()) {
            in.transferTo(out);
        }
    }

    private void flush(HttpExchange ex, boolean ignoreBackoff) throws IOException {
        if (ignoreBackoff) {
            queue.clearBackoff();
        }
        List<String> ids = new ArrayList<>();
        for (QueueMessage m : queue.list()) {
            if (!m.held() && m.quarantine() == null && m.nextAttempt() != null
                    && queue.retry(new QueueId(m.id())).status() == AdminResult.Status.OK) {
                ids.add(m.id());
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", "flush");
        body.put("backoffCleared", ignoreBackoff);
        body.put("matched", ids.size());
        body.put("ids", ids);
        AdminServer.json(ex, 200, body);
    }

    private void bulk(HttpExchange ex, String action, Map<String, String> q) throws IOException {
        BiFunction<QueueAdminPort, QueueId, AdminResult> act = action.equals("delete") ? QueueAdminPort::delete
                : AdminServer.ACTIONS.get(action);
        if (act == null) {
            AdminServer.json(ex, 404, Map.of("error", "no bulk action " + action
                    + " (actions: retry, hold, release, delete, bounce)"));
            return;
        }
        QueueSelector selector = selector(q);
        if (!selector.narrows() && !Boolean.parseBoolean(q.get("all"))) {
            AdminServer.json(ex, 400, Map.of("error", "say which messages: domain, sender, older-than or state,"
                    + " or all=true for every message"));
            return;
        }
        boolean dryRun = Boolean.parseBoolean(q.get("dry-run"));
        Instant now = clock.instant();
        List<String> ids = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (QueueMessage m : queue.list()) {
            if (selector.matches(m, now)) {
                if (dryRun || act.apply(queue, new QueueId(m.id())).status() == AdminResult.Status.OK) {
                    ids.add(m.id());
                } else {
                    failed.add(m.id());
                }
            }
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("action", action);
        body.put("dryRun", dryRun);
        body.put("matched", ids.size());
        body.put("ids", ids);
        body.put("failed", failed);
        AdminServer.json(ex, 200, body);
    }

    private void suspensions(HttpExchange ex, String path, Map<String, String> q) throws IOException {
        if (path.equals("/suspensions")) {
            if (AdminServer.allow(ex, "GET")) {
                AdminServer.json(ex, 200, queue.suspensions());
            }
            return;
        }
        String domain;
        try {
            domain = DomainNames.canonical(path.substring("/suspensions/".length()));
        } catch (IllegalArgumentException e) {
            AdminServer.json(ex, 400, Map.of("error", "not a domain: " + e.getMessage()));
            return;
        }
        switch (ex.getRequestMethod()) {
            case "PUT" -> {
                Instant until = q.containsKey("until") ? until(q.get("until")) : null;
                queue.suspend(domain, until);
                AdminServer.json(ex, 200, Map.of("status", "OK", "message", "delivery to " + domain
                        + " suspended until " + (until == null ? "resumed" : until)));
            }
            case "DELETE" -> {
                boolean was = queue.resume(domain);
                AdminServer.json(ex, was ? 200 : 404, Map.of("status", was ? "OK" : "NOT_FOUND", "message", was
                        ? "delivery to " + domain + " resumed" : domain + " was not suspended"));
            }
            default -> AdminServer.methodNotAllowed(ex, "PUT, DELETE");
        }
    }

    /** An instant ({@code 2026-12-08T10:00:00Z}) or a duration from now ({@code 2h}). */
    private Instant until(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException notAnInstant) {
            Duration d = Units.parseDuration(text);
            return clock.instant().plus(d);
        }
    }

    private static QueueSelector selector(Map<String, String> q) {
        return new QueueSelector(Optional.ofNullable(q.get("domain")), Optional.ofNullable(q.get("sender")),
                Optional.ofNullable(q.get("older-than")).map(Units::parseDuration),
                Optional.ofNullable(q.get("state")));
    }

    private static Map<String, String> query(HttpExchange ex) {
        Map<String, String> out = new LinkedHashMap<>();
        String raw = ex.getRequestURI().getRawQuery();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "true" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.put(k, v);
        }
        return out;
    }
}
