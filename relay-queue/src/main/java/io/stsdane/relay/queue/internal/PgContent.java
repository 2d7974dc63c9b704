package io.stsdane.relay.queue.internal;

import io.stsdane.relay.postgres.PostgresDatabase;
import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.queue.QueueId;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Message content in {@code queue_content}: chunks of {@link #CHUNK} bytes, written as they arrive and read
 * back one chunk per query. A chunk is the most of a body ever held in memory, and reading holds no
 * connection between chunks, so a slow remote server does not pin a pooled connection for a whole
 * transfer. (Large objects would stream too, but need an open transaction for the whole read and a
 * separate unlink when the message goes; rows in a table go with their message, V5's trigger.) Thread-safe.
 */
final class PgContent {

    static final int CHUNK = 256 * 1024;

    private final PostgresDatabase db;

    PgContent(PostgresDatabase db) {
        this.db = db;
    }

    /** Copies {@code in} into chunks of message {@code id} on {@code c}; returns the byte count. */
    static long write(Connection c, QueueId id, InputStream in) throws SQLException, IOException {
        byte[] buf = new byte[CHUNK];
        long total = 0;
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO queue_content (message_id, seq, data) VALUES (?, ?, ?)")) {
            for (int seq = 0; ; seq++) {
                int n = in.readNBytes(buf, 0, CHUNK);
                if (n == 0) {
                    return total;
                }
                ps.setString(1, id.value());
                ps.setInt(2, seq);
                ps.setBytes(3, n == CHUNK ? buf : Arrays.copyOf(buf, n));
                ps.executeUpdate();
                total += n;
            }
        }
    }

    /**
     * Throws {@link UnreadableRowException} unless the chunks of {@code id} are numbered 0, 1, 2... without a gap
     * and hold {@code size} bytes: a stream over them would otherwise end early or mid-message.
     */
    static void checkComplete(Connection c, QueueId id, long size) throws SQLException {
        chunks(c, List.of(id), 0).getOrDefault(id, Chunks.NONE).verify(id, size);
    }

    /**
     * The chunk layout of each of {@code ids} in one query, for {@link Chunks#verify}; the data of a message
     * held in a single chunk of at most {@code inlineMax} bytes comes along, so that delivering a small
     * message needs no further read. Reads the lengths of the other chunks only ({@code octet_length} of an
     * out-of-line value does not fetch it). Ids without content are left out.
     */
    static Map<QueueId, Chunks> chunks(Connection c, List<QueueId> ids, int inlineMax) throws SQLException {
        Map<QueueId, Chunks> out = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT message_id, count(*), min(seq), max(seq), "
                + "sum(octet_length(data)), (array_agg(data) FILTER (WHERE seq = 0 AND octet_length(data) <= ?))[1] "
                + "FROM queue_content WHERE message_id = ANY (?) GROUP BY message_id")) {
            ps.setInt(1, inlineMax);
            ps.setArray(2, c.createArrayOf("text", ids.stream().map(QueueId::value).toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(new QueueId(rs.getString(1)), new Chunks(rs.getLong(2), rs.getInt(3), rs.getInt(4),
                            rs.getLong(5), rs.getBytes(6)));
                }
            }
        }
        return out;
    }

    /**
     * How a message's content is stored: chunk count, lowest and highest number, total bytes, and the data of
     * chunk 0 when it was small enough to be read along ({@link #chunks}), else null.
     */
    record Chunks(long count, int minSeq, int maxSeq, long bytes, byte[] first) {

        /** A message without content rows. */
        static final Chunks NONE = new Chunks(0, 0, -1, 0, null);

        /** Throws {@link UnreadableRowException} unless these are chunks 0..n-1 holding {@code size} bytes. */
        void verify(QueueId id, long size) {
            if (minSeq != 0 || maxSeq + 1 != count || bytes != size) {
                throw new UnreadableRowException(id, "queue_content holds " + count + " chunks numbered " + minSeq
                        + " to " + maxSeq + " with " + bytes + " bytes, for a message of " + size + " bytes");
            }
        }

        /** The whole content when it was read along: a single chunk of exactly {@code size} bytes. */
        Optional<byte[]> whole(long size) {
            return count == 1 && first != null && first.length == size ? Optional.of(first) : Optional.empty();
        }
    }

    /** Content already read ({@link Chunks#whole}), {@code data.length} bytes; nothing is read again. */
    static MessageContent inMemory(byte[] data) {
        return new MessageContent() {
            @Override
            public InputStream open() {
                return new ByteArrayInputStream(data);
            }

            @Override
            public long size() {
                return data.length;
            }
        };
    }

    /** The content of {@code id}, {@code size} bytes long; each open() reads it afresh. */
    MessageContent of(QueueId id, long size) {
        return new MessageContent() {
            @Override
            public InputStream open() {
                return new ChunkStream(id, size);
            }

            @Override
            public long size() {
                return size;
            }
        };
    }

    private final class ChunkStream extends InputStream {
        private final QueueId id;
        private final long size;
        private byte[] chunk = new byte[0];
        private int pos;
        private int nextSeq;
        private long fetched;

        ChunkStream(QueueId id, long size) {
            this.id = id;
            this.size = size;
        }

        @Override
        public int read() throws IOException {
            return fill() ? chunk[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.length - pos);
            System.arraycopy(chunk, pos, b, off, n);
            pos += n;
            return n;
        }

        private boolean fill() throws IOException {
            while (pos == chunk.length) {
                if (fetched >= size) {
                    return false;
                }
                byte[] next = fetch(nextSeq++);
                if (next == null) {
                    // Removed while being read (an admin deleted it): a short body must never look complete.
                    throw new IOException("content of " + id + " ended after " + fetched + " of " + size
                            + " bytes; the message was removed from the queue");
                }
                fetched += next.length;
                chunk = next;
                pos = 0;
            }
            return true;
        }

        private byte[] fetch(int seq) throws IOException {
            try {
                return db.inTransaction(c -> {
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT data FROM queue_content WHERE message_id = ? AND seq = ?")) {
                        ps.setString(1, id.value());
                        ps.setInt(2, seq);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getBytes(1) : null;
                        }
                    }
                });
            } catch (SQLException e) {
                throw new IOException("cannot read content of " + id + " from PostgreSQL: " + e.getMessage(), e);
            }
        }
    }
}
