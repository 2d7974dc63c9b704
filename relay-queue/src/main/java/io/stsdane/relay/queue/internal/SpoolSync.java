package io.stsdane.relay.queue.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;

/**
 * The one {@code fsync} seam of the file spool: every sync of a journal segment, of a large message's file and
 * of a spool directory goes through it (and is counted, {@code relay.queue.spool.fsyncs}). Tests count or fail
 * calls; production forces the file or directory.
 */
@FunctionalInterface
public interface SpoolSync {

    void sync(FileChannel channel) throws IOException;

    SpoolSync FSYNC = ch -> ch.force(true);
}
