package io.stsdane.relay.core.testing;

import io.stsdane.relay.core.delivery.MessageContent;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@link MessageContent} held in memory, for tests of code that sends or reads a stored message. The real
 * stores stream from disk or the database; this one opens a fresh stream over the same bytes each time.
 * Immutable and thread-safe (the bytes are copied in and never handed out).
 */
public final class InMemoryContent implements MessageContent {

    private final byte[] content;

    private InMemoryContent(byte[] content) {
        this.content = content.clone();
    }

    /** The message as these octets: CRLF line endings, not dot-stuffed. */
    public static InMemoryContent of(byte[] content) {
        return new InMemoryContent(content);
    }

    /** The message as {@code crlfText} in UTF-8. */
    public static InMemoryContent ofText(String crlfText) {
        return new InMemoryContent(crlfText.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public InputStream open() {
        return new ByteArrayInputStream(content);
    }

    @Override
    public long size() {
        return content.length;
    }
}
