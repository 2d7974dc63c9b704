package io.stsdane.relay.queue.internal;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/** Writes a spool of format version 1 (one file per message), as relays before the journal left it. */
public final class LegacySpoolWriter {

    private LegacySpoolWriter() {
    }

    /** {@code queue/<id>.msg} in the {@link SpoolFile} layout, and {@code queue/<id>.st} when state is given. */
    public static Path write(Path spoolDir, QueueId id, Envelope envelope, byte[] content, String stateJson)
            throws IOException {
        Path queue = Files.createDirectories(spoolDir.resolve("queue"));
        Files.createDirectories(spoolDir.resolve("tmp"));
        byte[] env = SpoolJson.MAPPER.writeValueAsBytes(envelope);
        Path file = queue.resolve(id + ".msg");
        try (OutputStream raw = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(raw))) {
            out.write("STSQ".getBytes(StandardCharsets.US_ASCII));
            out.writeByte(1);
            out.writeInt(env.length);
            out.write(env);
            out.writeInt((int) crc(env));
            out.write(content);
            out.writeLong(content.length);
            out.writeInt((int) crc(content));
            out.write("END.".getBytes(StandardCharsets.US_ASCII));
        }
        if (stateJson != null) {
            Files.writeString(queue.resolve(id + ".st"), stateJson);
        }
        return file;
    }

    private static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }
}
