package io.stsdane.relay.bench;

import io.stsdane.relay.bench.internal.Args;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * How many durable file writes this machine's disk does per second: S threads each create a file of one
 * message's size, write it, force it and rename it into place, again and again, the way a spool stores a
 * message before its 250. A relay that forces one file per message cannot accept faster than this on the same
 * disk (less what it spends elsewhere), so the report shows it next to the figures. Measured twice: with
 * {@code force(true)} (fsync: data and all metadata) and {@code force(false)} (fdatasync: data and what is
 * needed to read it back, such as the size). Not thread-safe; one probe at a time.
 */
public final class DiskSyncProbe {

    /** Files per second with fsync and with fdatasync. */
    public record Rates(double fsyncPerSecond, double fdatasyncPerSecond) {
    }

    private final Path dir;
    private final int threads;
    private final int size;
    private final Duration each;

    public DiskSyncProbe(Path dir, int threads, int size, Duration each) {
        this.dir = dir;
        this.threads = threads;
        this.size = size;
        this.each = each;
    }

    public Rates measure() throws IOException, InterruptedException {
        Path work = Files.createTempDirectory(dir, "disk-sync-probe");
        try {
            return new Rates(rate(work, true), rate(work, false));
        } finally {
            try (Stream<Path> files = Files.list(work)) {
                for (Path p : files.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.delete(work);
        }
    }

    private double rate(Path work, boolean metadata) throws InterruptedException, IOException {
        byte[] content = new byte[size];
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        long stop = start + each.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String prefix = (metadata ? "s" : "d") + t + "-";
                writers.add(pool.submit(() -> {
                    // at least one write each, even when the thread only got to run after the window closed
                    for (long n = 0; n == 0 || System.nanoTime() < stop; n++) {
                        store(work, prefix + n, content, metadata);
                        done.incrementAndGet();
                    }
                }));
            }
            for (Future<?> w : writers) {
                w.get();
            }
        } catch (ExecutionException e) {
            throw e.getCause() instanceof UncheckedIOException u ? u.getCause() : new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    private static void store(Path work, String name, byte[] content, boolean metadata) {
        Path tmp = work.resolve(name + ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(content));
                ch.force(metadata);
            }
            Files.move(tmp, work.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code disk --dir DIR [--threads 20] [--size 4K] [--seconds 5]}: prints {@code DISK_FSYNC_PER_S=...} and
     * {@code DISK_FDATASYNC_PER_S=...} (shell assignments for bench/run.sh).
     */
    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv, 0);
        int threads = a.integer("threads", 20);
        Rates r = new DiskSyncProbe(Path.of(a.required("dir")), threads, a.size("size", "4K"),
                Duration.ofSeconds(a.integer("seconds", 5))).measure();
        System.out.printf(Locale.ROOT, "DISK_THREADS='%d'%nDISK_FSYNC_PER_S='%.0f'%nDISK_FDATASYNC_PER_S='%.0f'%n",
                threads, r.fsyncPerSecond(), r.fdatasyncPerSecond());
    }
}
