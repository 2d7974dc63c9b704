package io.stsdane.relay.server.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * The bearer token of the admin API ({@code admin.token-file}): the file's first line, at least
 * {@value #MIN_LENGTH} printable ASCII characters. {@link #toString()} never shows it. Immutable.
 */
public final class AdminToken {

    static final int MIN_LENGTH = 16;

    private final Path file;
    private final byte[] value;

    private AdminToken(Path file, byte[] value) {
        this.file = file;
        this.value = value;
    }

    /**
     * @throws IllegalArgumentException when the file holds no usable token (the message says why)
     * @throws IOException when it cannot be read
     */
    public static AdminToken read(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
        int eol = text.indexOf('\n');
        String token = (eol < 0 ? text : text.substring(0, eol)).strip();
        if (token.length() < MIN_LENGTH || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("the first line of " + file + " must be a token of at least "
                    + MIN_LENGTH + " printable ASCII characters without spaces (for example the output of"
                    + " 'openssl rand -hex 32')");
        }
        return new AdminToken(file, token.getBytes(StandardCharsets.US_ASCII));
    }

    /** The value of an {@code Authorization} header that carries this token. */
    public String authorization() {
        return "Bearer " + new String(value, StandardCharsets.US_ASCII);
    }

    /** Whether {@code authorization} (an {@code Authorization} header, or null) carries this token; constant time. */
    public boolean accepts(String authorization) {
        byte[] given = authorization == null ? new byte[0] : authorization.getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(given, authorization().getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "admin token from " + file;
    }
}
