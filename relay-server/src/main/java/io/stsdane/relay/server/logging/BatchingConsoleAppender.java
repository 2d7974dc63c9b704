package io.stsdane.relay.server.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.UnsynchronizedAppenderBase;
import ch.qos.logback.core.encoder.Encoder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The relay's console (logback-base.xml). Session and delivery threads log a line or two per message each; here
 * they only queue the event, and one writer thread writes what has queued: it waits {@code batchMillis} after the
 * first event of a batch, so that a busy relay writes its lines a batch at a time, with one write and without
 * waking the writer per line, while an idle relay's line still appears within {@code batchMillis}. No line is
 * dropped, unless the console itself fails (an {@link Error} from the stream or the encoder: that batch is
 * dropped, with a line on standard error and in logback's status, and the writer goes on): when
 * {@code queueSize} events wait, a logging thread waits for room. {@link #stop()} (the logging
 * context's stop, {@link Logging#stop()}) writes everything queued before it returns; events still queued when
 * the process is killed are lost. Thread-safe.
 */
public final class BatchingConsoleAppender extends UnsynchronizedAppenderBase<ILoggingEvent> {

    private Encoder<ILoggingEvent> encoder;
    private String target = "System.out";
    private int queueSize = 8192;
    private int batchMillis = 10;
    private BlockingQueue<ILoggingEvent> queue;
    private PrintStream out;
    private Thread writer;

    public void setEncoder(Encoder<ILoggingEvent> encoder) {
        this.encoder = encoder;
    }

    /** {@code System.out} or {@code System.err}, as for logback's ConsoleAppender. */
    public void setTarget(String target) {
        this.target = target;
    }

    public void setQueueSize(int queueSize) {
        this.queueSize = queueSize;
    }

    public void setBatchMillis(int batchMillis) {
        this.batchMillis = batchMillis;
    }

    @Override
    public void start() {
        if (encoder == null) {
            addError("no encoder for appender " + name);
            return;
        }
        if (!target.equals("System.out") && !target.equals("System.err")) {
            addError("target of appender " + name + " must be System.out or System.err, not " + target);
            return;
        }
        if (queueSize < 1 || batchMillis < 0) {
            addError("queueSize of appender " + name + " must be positive and batchMillis not negative");
            return;
        }
        out = target.equals("System.err") ? System.err : System.out;
        queue = new ArrayBlockingQueue<>(queueSize);
        writer = new Thread(this::writeUntilStopped, "log-writer");
        writer.setDaemon(true);
        writer.start();
        super.start();
    }

    @Override
    protected void append(ILoggingEvent event) {
        // The message and the thread's name as they are now; the writer formats the rest later.
        event.prepareForDeferredProcessing();
        boolean interrupted = false;
        while (true) {
            try {
                queue.put(event);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void writeUntilStopped() {
        List<ILoggingEvent> batch = new ArrayList<>();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(16384);
        while (true) {
            try {
                batch.add(queue.take());
                TimeUnit.MILLISECONDS.sleep(batchMillis);
                write(batch, bytes);
            } catch (InterruptedException stopping) {
                write(batch, bytes);
                return;
            } catch (Throwable e) { // an Error too (out of memory, a broken console): see below
                // The writer must live on, or every logging thread (the SMTP sessions') would wait for room in
                // the queue for ever; the batch it could not write is dropped, and said so where it can be seen.
                String dropped = "cannot write " + batch.size() + " log events to " + target + "; they are dropped";
                addError(dropped, e);
                batch.clear();
                bytes.reset();
                tellStandardError(dropped + ": " + e);
            }
        }
    }

    /**
     * One line on the process's standard error, past logback (whose status messages nobody prints at run time);
     * a standard error that fails too is left alone.
     */
    private static void tellStandardError(String line) {
        try {
            System.err.println("log-writer: " + line);
        } catch (Throwable ignored) { // an Error as well: see writeUntilStopped
            // nowhere left to say it
        }
    }

    /** Writes {@code batch} and everything queued behind it, with one write. */
    private void write(List<ILoggingEvent> batch, ByteArrayOutputStream bytes) {
        queue.drainTo(batch);
        for (ILoggingEvent event : batch) {
            try {
                bytes.writeBytes(encoder.encode(event));
            } catch (RuntimeException e) {
                // The writer must live on: logging threads would wait for room in the queue for ever.
                addError("cannot format a log event of " + event.getLoggerName(), e);
            }
        }
        out.write(bytes.toByteArray(), 0, bytes.size());
        out.flush();
        batch.clear();
        bytes.reset();
    }

    /** Writes every event queued so far, then ends the writer; events appended after this are dropped. */
    @Override
    public void stop() {
        if (!isStarted()) {
            return;
        }
        super.stop();
        writer.interrupt();
        try {
            writer.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
