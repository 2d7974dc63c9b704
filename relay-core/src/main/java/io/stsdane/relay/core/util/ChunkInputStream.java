package io.stsdane.relay.core.util;

import java.io.IOException;
import java.io.InputStream;

/**
 * An {@link InputStream} that works a chunk at a time: a subclass implements {@link #read(byte[], int, int)}
 * (returning at least one octet unless at the end), and the one-octet {@link #read()} goes through it.
 */
public abstract class ChunkInputStream extends InputStream {

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public abstract int read(byte[] b, int off, int len) throws IOException;
}
