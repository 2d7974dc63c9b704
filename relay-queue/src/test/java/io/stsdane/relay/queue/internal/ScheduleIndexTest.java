package io.stsdane.relay.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.queue.QueueId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class ScheduleIndexTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void anEntryHandedOverWithoutTheLockIsSeenByEveryCallAfterIt() {
        ScheduleIndex index = new ScheduleIndex();
        QueueId a = new QueueId("A");
        QueueId b = new QueueId("B");
        QueueId c = new QueueId("C");
        index.add(a, T0, MessageState.initial(1, T0));
        index.add(b, T0.minusSeconds(1), MessageState.initial(1, T0.plusSeconds(60)));
        index.add(c, T0, MessageState.initial(1, T0));

        assertThat(index.size()).isEqualTo(3);
        assertThat(index.oldestReceived()).contains(T0.minusSeconds(1));
        index.update(c, MessageState.initial(1, T0).withHeld(true));
        assertThat(index.leaseDue(T0, 10)).containsExactly(a);
        assertThat(index.leaseDue(T0.plusSeconds(60), 10)).containsExactly(b);
        index.release(a);
        assertThat(index.remove(a)).isTrue();
        assertThat(index.leaseDue(T0.plusSeconds(60), 10)).isEmpty();
        assertThat(index.contains(c)).isTrue();
        assertThat(index.size()).isEqualTo(2);
    }

    @Test
    void messagesAddedWhileTheSchedulerLeasesAreEachLeasedOnce() throws Exception {
        ScheduleIndex index = new ScheduleIndex();
        int threads = 8;
        int perThread = 2_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> adders = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int thread = t;
            adders.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perThread; i++) {
                    index.add(new QueueId("T" + thread + "M" + i), T0, MessageState.initial(1, T0));
                }
                return null;
            }));
        }
        List<QueueId> leased = new ArrayList<>();
        start.countDown();
        while (!adders.stream().allMatch(Future::isDone)) {
            leased.addAll(index.leaseDue(T0, 100));
        }
        for (Future<?> f : adders) {
            f.get();
        }
        leased.addAll(index.leaseDue(T0, Integer.MAX_VALUE));
        pool.shutdown();

        assertThat(leased).hasSize(threads * perThread).doesNotHaveDuplicates();
        assertThat(index.size()).isEqualTo(threads * perThread);
    }
}
