package io.stsdane.relay.queue.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Writes the spool's binary encoding into a growing array: big-endian integers, strings as an {@code int32}
 * byte count (-1 for null) and their UTF-8 bytes, instants as a presence byte, epoch seconds ({@code int64}) and
 * nanoseconds ({@code int32}), enum constants as their ordinal + 1 (0 for null). {@link BinaryReader} reads it
 * back. Not thread-safe: one writer builds one record.
 */
final class BinaryWriter {

    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private byte[] buf;
    private int count;

    BinaryWriter(int capacity) {
        this.buf = new byte[Math.max(capacity, 16)];
    }

    private void ensure(int more) {
        if (count + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
        }
    }

    BinaryWriter writeByte(int v) {
        ensure(1);
        buf[count++] = (byte) v;
        return this;
    }

    BinaryWriter writeBoolean(boolean v) {
        return writeByte(v ? 1 : 0);
    }

    BinaryWriter writeShort(int v) {
        ensure(2);
        buf[count++] = (byte) (v >>> 8);
        buf[count++] = (byte) v;
        return this;
    }

    BinaryWriter writeInt(int v) {
        ensure(4);
        INT.set(buf, count, v);
        count += 4;
        return this;
    }

    BinaryWriter writeLong(long v) {
        ensure(8);
        LONG.set(buf, count, v);
        count += 8;
        return this;
    }

    BinaryWriter write(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, count, len);
        count += len;
        return this;
    }

    BinaryWriter writeString(String s) {
        if (s == null) {
            return writeInt(-1);
        }
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeInt(utf8.length);
        return write(utf8, 0, utf8.length);
    }

    BinaryWriter writeInstant(Instant t) {
        if (t == null) {
            return writeByte(0);
        }
        writeByte(1);
        writeLong(t.getEpochSecond());
        return writeInt(t.getNano());
    }

    BinaryWriter writeEnum(Enum<?> e) {
        return writeByte(e == null ? 0 : e.ordinal() + 1);
    }

    /** Overwrites the {@code int32} at {@code at}, written before (a length not known until later). */
    void setInt(int at, int v) {
        INT.set(buf, at, v);
    }

    int size() {
        return count;
    }

    /** The array written into; valid up to {@link #size()}. */
    byte[] buffer() {
        return buf;
    }

    /** Exactly the bytes written. */
    byte[] toByteArray() {
        return buf.length == count ? buf : Arrays.copyOf(buf, count);
    }
}
