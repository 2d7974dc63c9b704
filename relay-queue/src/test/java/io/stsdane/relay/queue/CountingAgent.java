package io.stsdane.relay.queue;

import io.stsdane.relay.core.delivery.DeliveryAgent;
import io.stsdane.relay.core.delivery.DeliveryRequest;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.QueueId;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One relay node's delivery agent in cluster tests: reads the whole content like an SMTP client, counts
 * deliveries per message in a map shared by every node of the test, and accepts every recipient.
 */
final class CountingAgent implements DeliveryAgent {

    private final Map<QueueId, AtomicInteger> counts;
    private final CountDownLatch gate;
    private final AtomicInteger mine = new AtomicInteger();

    CountingAgent(Map<QueueId, AtomicInteger> sharedCounts) {
        this(sharedCounts, new CountDownLatch(0));
    }

    /** Every delivery waits for {@code gate} to open before it answers (to hold deliveries in flight). */
    CountingAgent(Map<QueueId, AtomicInteger> sharedCounts, CountDownLatch gate) {
        this.counts = sharedCounts;
        this.gate = gate;
    }

    static Map<QueueId, AtomicInteger> newCounts() {
        return new ConcurrentHashMap<>();
    }

    int delivered() {
        return mine.get();
    }

    @Override
    public CompletionStage<List<RecipientOutcome>> deliver(DeliveryRequest request) {
        return CompletableFuture.supplyAsync(() -> {
            try (InputStream in = request.content().open()) {
                in.transferTo(OutputStreamSink.INSTANCE);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            counts.computeIfAbsent(request.id(), k -> new AtomicInteger()).incrementAndGet();
            mine.incrementAndGet();
            return request.recipients().stream()
                    .map(r -> RecipientOutcome.delivered(r, "250 2.0.0 ok", "mx." + r.domain())).toList();
        });
    }

    private static final class OutputStreamSink extends java.io.OutputStream {
        static final OutputStreamSink INSTANCE = new OutputStreamSink();

        @Override
        public void write(int b) {
        }

        @Override
        public void write(byte[] b, int off, int len) {
        }
    }
}
