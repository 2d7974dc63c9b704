package io.stsdane.relay.bench.jmh;

import io.stsdane.relay.bench.internal.BenchMessage;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.Recipient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Spool commit: storing one message durably (content, envelope, fsync) through {@link MessageIntake#accept}, the
 * work between the final dot and the 250. Bounded below by the disk's fsync latency; the figure shows how much
 * the spool adds on top. {@link #commit} is one session alone; {@link #commit20Sessions} is 20 threads committing
 * at once, like 20 SMTP sessions, where the directory fsync may be shared (group commit) and the per-commit time
 * is what each session waits. The spool is relay-queue's, built by {@link MergedComponents#spool}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SpoolCommitBenchmark {

    @Param("4096")
    public int size;

    private Path dir;
    private MergedComponents.Opened<MessageIntake> spool;
    private MessageIntake intake;
    private Envelope envelope;
    private byte[] content;

    @Setup
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("bench-spool");
        try {
            spool = MergedComponents.spool(dir);
        } catch (IOException | RuntimeException e) {
            Files.delete(dir);
            throw e;
        }
        intake = spool.component();
        envelope = new Envelope("loadgen@bench.invalid", List.of(Recipient.of("bench@bench.test")), null, null,
                false, false, false, Instant.now(), "[127.0.0.1] loadgen.bench.invalid");
        BenchMessage m = new BenchMessage("loadgen@bench.invalid", "bench@bench.test", size);
        byte[] header = m.header("jmh-0");
        content = new byte[header.length + m.body().length];
        System.arraycopy(header, 0, content, 0, header.length);
        System.arraycopy(m.body(), 0, content, header.length, m.body().length);
    }

    @Benchmark
    public void commit() throws Exception {
        intake.accept(intake.nextId(), envelope, new ByteArrayInputStream(content));
    }

    @Benchmark
    @Threads(20)
    public void commit20Sessions() throws Exception {
        commit();
    }

    @TearDown
    public void tearDown() throws Exception {
        spool.resources().close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
