package io.stsdane.relay.smtp.inbound.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.subethamail.smtp.internal.io.DotTerminatedInputStream;
import org.subethamail.smtp.internal.io.DotUnstuffingInputStream;

class DotTerminatedDataTest {

    /** What one DATA transfer gives: the message (null if the connection ended first) and what stays unread. */
    record Transfer(String message, String unread) {
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "a\\r\\n.\\r\\nQUIT\\r\\n|a\\r\\n|QUIT\\r\\n",
        ".\\r\\nQUIT|''|QUIT",
        "..a\\r\\n..\\r\\n...\\r\\n.b\\r\\n.\\r\\n|.a\\r\\n.\\r\\n..\\r\\nb\\r\\n|''",
        "a\\n.\\nb\\r.\\r\\n.\\r\\n|a\\n.\\nb\\r.\\r\\n|''",
        "a\\r\\n.\\rb\\r\\n.\\r\\r\\n.\\r\\n|a\\r\\n\\rb\\r\\n\\r\\r\\n|''"})
    void endsAtTheIndicatorUnstuffsAndLeavesWhatFollowsUnread(String in, String message, String unread)
            throws IOException {
        for (int chunk = 1; chunk <= 12; chunk++) {
            assertThat(ours(unescape(in).getBytes(StandardCharsets.ISO_8859_1), chunk, 1 + chunk % 3))
                    .isEqualTo(new Transfer(unescape(message), unescape(unread)));
        }
    }

    @Test
    void aConnectionEndingBeforeTheIndicatorIsAnError() {
        for (String in : new String[] {"", "a", "a\r\n", "a\r\n.", "a\r\n.\r", "a\r\n.\n"}) {
            DotTerminatedData data = new DotTerminatedData(new ByteArrayInputStream(in.getBytes()));
            assertThatThrownBy(data::readAllBytes).isInstanceOf(EOFException.class);
        }
    }

    /**
     * Against SubEthaSMTP's octet-at-a-time streams, which it replaces, on random data and chunkings; they differ
     * only in a period starting the first line, which RFC 5321 §4.5.2 removes as on any other line.
     */
    @Test
    void decodesAsSubEthaSmtpStreamsExceptForTheFirstLinesPeriod() throws IOException {
        Random random = new Random(5321);
        String[] parts = {".", ".", "\r", "\n", "\r\n", "a", "..", "\r\n.\r\n"};
        for (int i = 0; i < 5000; i++) {
            StringBuilder sb = new StringBuilder();
            for (int p = random.nextInt(16); p > 0; p--) {
                sb.append(parts[random.nextInt(parts.length)]);
            }
            sb.append("\r\n.\r\nNEXT");
            byte[] input = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
            Transfer expected = subEtha(input);
            if (input[0] == '.' && expected.message() != null && !expected.message().isEmpty()) {
                expected = new Transfer(expected.message().substring(1), expected.unread());
            }
            int below = 1 + random.nextInt(9);
            int above = 1 + random.nextInt(random.nextBoolean() ? 3 : 100);
            assertThat(ours(input, below, above)).as("%s, below %d, above %d", escape(sb.toString()), below, above)
                    .isEqualTo(expected);
        }
    }

    /** Reads the data through a buffered input like the session's, fed in reads of at most {@code below}. */
    private static Transfer ours(byte[] input, int below, int above) throws IOException {
        InputStream connection = new BufferedInputStream(new Trickle(input, below), 4);
        DotTerminatedData data = new DotTerminatedData(connection);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[above];
        for (int n; (n = data.read(buf, 0, above)) >= 0; ) {
            out.write(buf, 0, n);
        }
        assertThat(data.read(buf, 0, above)).isEqualTo(-1);
        return new Transfer(out.toString(StandardCharsets.ISO_8859_1),
                new String(connection.readAllBytes(), StandardCharsets.ISO_8859_1));
    }

    private static Transfer subEtha(byte[] input) throws IOException {
        ByteArrayInputStream connection = new ByteArrayInputStream(input);
        String message = new String(new DotUnstuffingInputStream(new DotTerminatedInputStream(connection))
                .readAllBytes(), StandardCharsets.ISO_8859_1);
        return new Transfer(message, new String(connection.readAllBytes(), StandardCharsets.ISO_8859_1));
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n");
    }

    private static String escape(String s) {
        return s.replace("\r", "\\r").replace("\n", "\\n");
    }

    /** The input in reads of at most {@code size} octets, with nothing more ever available at once. */
    private static final class Trickle extends InputStream {

        private final byte[] data;
        private final int size;
        private int pos;

        Trickle(byte[] data, int size) {
            this.data = data;
            this.size = size;
        }

        @Override
        public int read() {
            return pos < data.length ? data[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == data.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, size), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
