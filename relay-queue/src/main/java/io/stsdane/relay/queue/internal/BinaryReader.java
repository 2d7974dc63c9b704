package io.stsdane.relay.queue.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads what a {@link BinaryWriter} wrote, from {@code buf[offset, offset + length)}; anything that does not fit
 * (a count past the end, an unknown enum code, bytes left over) is a {@link CorruptEntryException}, never an
 * exception of another kind. Not thread-safe.
 */
final class BinaryReader {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private final byte[] buf;
    private final int end;
    private int pos;

    BinaryReader(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.end = offset + length;
    }

    private void need(int n) throws CorruptEntryException {
        if (n < 0 || end - pos < n) {
            throw new CorruptEntryException("binary record: " + n + " bytes expected, " + (end - pos) + " left");
        }
    }

    int readByte() throws CorruptEntryException {
        need(1);
        return buf[pos++];
    }

    boolean readBoolean() throws CorruptEntryException {
        int b = readByte();
        if (b != 0 && b != 1) {
            throw new CorruptEntryException("binary record: " + b + " is not a boolean");
        }
        return b == 1;
    }

    int readInt() throws CorruptEntryException {
        need(4);
        int v = (int) INT.get(buf, pos);
        pos += 4;
        return v;
    }

    long readLong() throws CorruptEntryException {
        need(8);
        long v = (long) LONG.get(buf, pos);
        pos += 8;
        return v;
    }

    /** A count of items that follow, each at least {@code minItemBytes} long: never more than could fit. */
    int readCount(int minItemBytes) throws CorruptEntryException {
        int n = readInt();
        if (n < 0 || (long) n * minItemBytes > end - pos) {
            throw new CorruptEntryException("binary record: impossible count " + n);
        }
        return n;
    }

    String readString() throws CorruptEntryException {
        int n = readInt();
        if (n == -1) {
            return null;
        }
        need(n);
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    Instant readInstant() throws CorruptEntryException {
        if (!readBoolean()) {
            return null;
        }
        long seconds = readLong();
        int nanos = readInt();
        try {
            return Instant.ofEpochSecond(seconds, nanos);
        } catch (RuntimeException e) {
            throw new CorruptEntryException("binary record: impossible instant " + seconds + "." + nanos);
        }
    }

    <E extends Enum<E>> E readEnum(E[] values) throws CorruptEntryException {
        int code = readByte() & 0xff;
        if (code > values.length) {
            throw new CorruptEntryException("binary record: unknown " + values.getClass().getComponentType()
                    .getSimpleName() + " " + code);
        }
        return code == 0 ? null : values[code - 1];
    }

    /** Fails when bytes are left: a record is read exactly to its end. */
    void expectEnd() throws CorruptEntryException {
        if (pos != end) {
            throw new CorruptEntryException("binary record: " + (end - pos) + " bytes left over");
        }
    }
}
