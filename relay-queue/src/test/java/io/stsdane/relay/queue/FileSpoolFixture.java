package io.stsdane.relay.queue;

import static io.stsdane.relay.queue.TestMessages.rcpt;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Ret;
import io.stsdane.relay.queue.internal.Attempt;
import io.stsdane.relay.queue.internal.FileQueueStore;
import io.stsdane.relay.queue.internal.SpoolSync;
import io.stsdane.relay.queue.internal.MessageState;
import io.stsdane.relay.queue.internal.QueueIds;
import io.stsdane.relay.queue.internal.RecipientState;
import io.stsdane.relay.queue.internal.RecipientState.Report;
import io.stsdane.relay.queue.internal.RecipientState.Status;
import io.stsdane.relay.queue.internal.StoredMessage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A file spool as a stopped relay node leaves it, written through the real file store: a fresh message, one
 * with a delivered and a retried recipient, a held one, one that owes a DSN, and a 2 MiB one. Each entry's
 * stored form ({@link #source}) is read back from the store, to compare a migrated copy with.
 */
final class FileSpoolFixture {

    static final int BIG = 2 << 20;

    final Path dir;
    final Instant t0 = Instant.now().minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.MILLIS);
    final QueueId fresh;
    final QueueId partial;
    final QueueId held;
    final QueueId dsnOwed;
    final QueueId big;
    /** Every entry as the file store reads it back, in the order written. */
    final Map<QueueId, StoredMessage> source = new LinkedHashMap<>();
    final Map<QueueId, byte[]> content = new LinkedHashMap<>();
    private final QueueIds ids = new QueueIds(Clock.systemUTC());

    FileSpoolFixture(Path dir) throws Exception {
        this.dir = dir;
        try (FileQueueStore store = open(dir)) {
            fresh = add(store, envelope(rcpt("bob@example.net")), TestMessages.bytes(TestMessages.text("fresh")),
                    null);
            Attempt deferred1 = attempt(60, RecipientOutcome.Kind.DEFERRED, "4.2.0", "451 4.2.0 busy");
            Attempt deferred2 = attempt(300, RecipientOutcome.Kind.DEFERRED, "4.7.5", "451 4.7.5 no TLSA match");
            RecipientState retried = new RecipientState(Status.PENDING, 2, t0.plusSeconds(600), t0.plusSeconds(300),
                    "4.7.5", "451 4.7.5 no TLSA match", "mx.example.net", Report.NONE, true,
                    List.of(deferred1, deferred2));
            partial = add(store, envelope(rcpt("carol@example.com"), rcpt("bob@example.net", Notify.DELAY)),
                    TestMessages.bytes(TestMessages.text("partial")),
                    new MessageState(false, List.of(delivered(), retried), null));
            held = add(store, envelope(rcpt("dave@example.org")), TestMessages.bytes(TestMessages.text("held")),
                    new MessageState(true, List.of(pendingSince(t0)), null));
            RecipientState bounced = new RecipientState(Status.BOUNCED, 1, t0, t0.plusSeconds(30), "5.1.1",
                    "550 5.1.1 no such user", "mx.example.com", Report.FAILED, false,
                    List.of(attempt(30, RecipientOutcome.Kind.BOUNCED, "5.1.1", "550 5.1.1 no such user")));
            dsnOwed = add(store, TestMessages.envelope("alice@example.org", Ret.HDRS, t0,
                            rcpt("erin@example.com", Notify.FAILURE), rcpt("bob@example.net")),
                    TestMessages.bytes(TestMessages.text("dsn owed")),
                    new MessageState(false, List.of(bounced, pendingSince(t0)), t0.plusSeconds(900)));
            big = add(store, envelope(rcpt("frank@example.net")), TestMessages.content(42, BIG), null);
        }
    }

    /** The store on {@code dir}, recovered. */
    static FileQueueStore open(Path dir) throws IOException {
        FileQueueStore store = new FileQueueStore(dir, 0, Clock.systemUTC(), SpoolSync.FSYNC);
        try {
            store.recover();
        } catch (IOException | RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    private QueueId add(FileQueueStore store, Envelope env, byte[] body, MessageState state) throws Exception {
        QueueId id = ids.get();
        store.enqueue(id, env, new ByteArrayInputStream(body));
        if (state != null) {
            store.update(id, current -> state);
        }
        source.put(id, store.readEntry(id));
        content.put(id, body);
        return id;
    }

    private Envelope envelope(io.stsdane.relay.core.queue.Recipient... rcpts) {
        return TestMessages.envelope("alice@example.org", t0, rcpts);
    }

    private Attempt attempt(int afterSeconds, RecipientOutcome.Kind kind, String status, String diagnostic) {
        return new Attempt(t0.plusSeconds(afterSeconds), kind, status, diagnostic, "mx.example.net");
    }

    private RecipientState delivered() {
        return new RecipientState(Status.DELIVERED, 1, t0, t0.plusSeconds(60), "2.0.0", "250 2.0.0 ok",
                "mx.example.com", Report.NONE, false,
                List.of(attempt(60, RecipientOutcome.Kind.DELIVERED, "2.0.0", "250 2.0.0 ok")));
    }

    private static RecipientState pendingSince(Instant due) {
        return new RecipientState(Status.PENDING, 0, due, null, null, null, null, Report.NONE, false, List.of());
    }

    long totalBytes() {
        return content.values().stream().mapToLong(b -> b.length).sum();
    }
}
