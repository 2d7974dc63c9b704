package io.stsdane.relay.junit.internal;

import io.stsdane.relay.core.delivery.DeliveryAttempt;
import io.stsdane.relay.core.delivery.DeliveryObserver;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.junit.Delivery;
import io.stsdane.relay.junit.Dsn;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What the relay's delivery engine reported, kept for a test to wait on: every delivery run's recipient
 * outcomes as {@link Delivery} values, and every DSN the relay sent as {@link Dsn}s. Each await returns the
 * earliest matching record not returned before, so a test that sends twice awaits twice.
 *
 * <p>Thread-safe: the engine's threads record, the test thread awaits (one monitor, no polling).
 */
public final class DeliveryRecords implements DeliveryObserver {

    /** A DSN is small; its reports are at the start. */
    private static final int DSN_READ_LIMIT = 64 * 1024;

    private final Map<String, List<DeliveryAttempt>> running = new HashMap<>();
    private final Map<String, Integer> runs = new HashMap<>();
    private final List<Delivery> deliveries = new ArrayList<>();
    private final List<Dsn> dsns = new ArrayList<>();
    private final Set<Object> returned = new HashSet<>();
    private final Set<QueueId> dsnsRead = new HashSet<>();

    @Override
    public synchronized void attempted(DeliveryRequest request, DeliveryAttempt attempt) {
        running.computeIfAbsent(runKey(request), k -> new ArrayList<>()).add(attempt);
    }

    @Override
    public void concluded(DeliveryRequest request, List<RecipientOutcome> outcomes) {
        boolean newDsn;
        synchronized (this) {
            newDsn = request.envelope().isBounce() && dsnsRead.add(request.id());
        }
        List<Dsn> reports = newDsn ? readDsn(request) : List.of();
        synchronized (this) {
            List<DeliveryAttempt> attempts = running.remove(runKey(request));
            for (RecipientOutcome o : outcomes) {
                String rcpt = o.recipient().address().toLowerCase(Locale.ROOT);
                int run = runs.merge(request.id() + " " + rcpt, 1, Integer::sum);
                deliveries.add(new Delivery(o.recipient().address(), request.id(), o.kind(), o.status(),
                        o.diagnostic(), run, attempts == null ? List.of() : attempts));
            }
            dsns.addAll(reports);
            notifyAll();
        }
    }

    /** Forgets everything recorded so far. */
    public synchronized void clear() {
        running.clear();
        runs.clear();
        deliveries.clear();
        dsns.clear();
        returned.clear();
        dsnsRead.clear();
    }

    /** Every delivery run's outcome for {@code recipient} so far, in order. */
    public synchronized List<Delivery> deliveries(String recipient) {
        return deliveries.stream().filter(d -> d.recipient().equalsIgnoreCase(recipient)).toList();
    }

    /**
     * Waits for the next outcome for {@code recipient} that {@code wanted} accepts; fails at once when the relay
     * reached a final outcome for it that is not wanted (a bounce while delivery is awaited, say).
     */
    public synchronized Delivery await(String recipient, Predicate<Delivery> wanted, String what, Duration patience)
            throws InterruptedException {
        long end = System.nanoTime() + patience.toNanos();
        while (true) {
            for (Delivery d : deliveries) {
                if (!d.recipient().equalsIgnoreCase(recipient) || returned.contains(d)) {
                    continue;
                }
                if (wanted.test(d)) {
                    returned.add(d);
                    return d;
                }
                if (d.kind() != RecipientOutcome.Kind.DEFERRED) {
                    returned.add(d);
                    throw new AssertionError("expected " + what + " for " + recipient + ", but the relay recorded "
                            + d);
                }
            }
            waitUntil(end, () -> "expected " + what + " for " + recipient + " within " + patience
                    + "; the relay recorded " + latest(recipient));
        }
    }

    /** Waits for the next DSN about {@code recipient}. */
    public synchronized Dsn awaitDsn(String recipient, Duration patience) throws InterruptedException {
        long end = System.nanoTime() + patience.toNanos();
        while (true) {
            for (Dsn d : dsns) {
                if (d.recipient().equalsIgnoreCase(recipient) && returned.add(d)) {
                    return d;
                }
            }
            waitUntil(end, () -> "expected a DSN about " + recipient + " within " + patience
                    + "; the relay recorded " + latest(recipient));
        }
    }

    /** The last few outcomes for {@code recipient}, for a failure message. */
    private String latest(String recipient) {
        List<Delivery> all = deliveries(recipient);
        return all.isEmpty() ? "nothing for it" : all.size() + " outcomes, the last " + all.get(all.size() - 1);
    }

    private void waitUntil(long end, java.util.function.Supplier<String> failure) throws InterruptedException {
        long left = end - System.nanoTime();
        if (left <= 0) {
            throw new AssertionError(failure.get());
        }
        wait(Math.max(1, left / 1_000_000));
    }

    private static String runKey(DeliveryRequest request) {
        return request.id() + " " + request.domain();
    }

    /** The per-recipient reports of a DSN (RFC 3464 §2.3): Final-Recipient, Action, Status. */
    private static List<Dsn> readDsn(DeliveryRequest request) {
        String text;
        try (InputStream in = request.content().open()) {
            text = new String(in.readNBytes(DSN_READ_LIMIT), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading DSN " + request.id(), e);
        }
        String sentTo = request.envelope().recipients().get(0).address();
        List<Dsn> out = new ArrayList<>();
        String recipient = null;
        String action = null;
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            String value = line.substring(colon + 1).trim();
            switch (name) {
                case "final-recipient" -> recipient = value.substring(value.indexOf(';') + 1).trim();
                case "action" -> action = value;
                case "status" -> {
                    if (recipient != null && action != null) {
                        out.add(new Dsn(request.id(), sentTo, recipient, action, value, text));
                    }
                    recipient = null;
                    action = null;
                }
                default -> { }
            }
        }
        return out;
    }
}
