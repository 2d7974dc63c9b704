package io.stsdane.relay.smtp.inbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.queue.ContentRefusedException;
import io.stsdane.relay.smtp.inbound.BareLineEndings;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The chunked {@link MessageDataFilter} against an octet-at-a-time reading of the same rules, on random data
 * delivered in every chunk size from below and read in several buffer sizes from above, so that every CR, LF,
 * line-length and size-limit decision falls on a chunk boundary somewhere.
 */
class MessageDataFilterEquivalenceTest {

    private static final int MAX_LINE = 998;

    /** What a reading of the whole stream gives: the data (null after an error), the problem, the error. */
    record Outcome(String data, MessageDataFilter.Problem problem, String error, boolean complete) {
    }

    @Test
    void chunkedFilterDecidesAsTheOctetAtATimeRules() throws IOException {
        Random random = new Random(17);
        for (int i = 0; i < 3000; i++) {
            byte[] input = randomInput(random);
            BareLineEndings policy = random.nextBoolean() ? BareLineEndings.REJECT : BareLineEndings.NORMALIZE;
            long maxSize = switch (random.nextInt(4)) {
                case 0 -> input.length;
                case 1 -> Math.max(0, input.length - 1 - random.nextInt(3));
                case 2 -> input.length + 1;
                default -> random.nextInt(input.length + 1);
            };
            boolean stops = random.nextInt(8) == 0;
            Outcome expected = octetAtATime(input, policy, maxSize, stops);
            int below = 1 + random.nextInt(random.nextBoolean() ? 8 : 3000);
            int above = 1 + random.nextInt(random.nextBoolean() ? 4 : 9000);
            assertThat(chunked(input, policy, maxSize, stops, below, above))
                    .as("input %s, %s, max %d, below %d, above %d", escape(input), policy, maxSize, below, above)
                    .isEqualTo(expected);
        }
    }

    @Test
    void everyChunkSizeBelowAndAboveGivesTheSameOutcome() throws IOException {
        byte[] input = ("a\rb\nc\r\n\r\r\n\n" + "x".repeat(MAX_LINE) + "\r\n" + "y".repeat(MAX_LINE) + "\r"
                + "z".repeat(MAX_LINE + 1) + "\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        for (BareLineEndings policy : BareLineEndings.values()) {
            for (long maxSize : new long[] {input.length - 1, input.length, 5, 2 * MAX_LINE}) {
                Outcome expected = octetAtATime(input, policy, maxSize, false);
                for (int below = 1; below <= 40; below++) {
                    for (int above : new int[] {1, 2, 3, 999, 8192}) {
                        assertThat(chunked(input, policy, maxSize, false, below, above))
                                .as("%s, max %d, below %d, above %d", policy, maxSize, below, above)
                                .isEqualTo(expected);
                    }
                }
            }
        }
    }

    private static byte[] randomInput(Random random) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int parts = random.nextInt(12);
        for (int p = 0; p < parts; p++) {
            switch (random.nextInt(7)) {
                case 0 -> out.write('\r');
                case 1 -> out.write('\n');
                case 2 -> out.writeBytes("\r\n".getBytes());
                case 3 -> out.writeBytes("a".repeat(MAX_LINE - 2 + random.nextInt(5)).getBytes());
                case 4 -> out.write(0x80 + random.nextInt(0x80));
                default -> out.writeBytes("b".repeat(random.nextInt(40)).getBytes());
            }
        }
        return out.toByteArray();
    }

    private static Outcome chunked(byte[] input, BareLineEndings policy, long maxSize, boolean stops, int below,
            int above) {
        MessageDataFilter filter = new MessageDataFilter(new Chunks(input, below, stops), policy, maxSize);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[above];
        try {
            for (int n; (n = filter.read(buf, 0, above)) >= 0; ) {
                out.write(buf, 0, n);
            }
            return new Outcome(out.toString(java.nio.charset.StandardCharsets.ISO_8859_1), filter.problem(), null,
                    filter.complete());
        } catch (IOException e) {
            assertThat(e).isInstanceOf(ContentRefusedException.class);
            return new Outcome(null, filter.problem(), e.getMessage(), filter.complete());
        }
    }

    /** The rules one octet at a time, as the filter applied them before it read in chunks. */
    private static Outcome octetAtATime(byte[] input, BareLineEndings policy, long maxSize, boolean stops) {
        StringBuilder out = new StringBuilder();
        boolean afterCr = false;
        int lineLength = 0;
        MessageDataFilter.Problem problem = null;
        for (int i = 0; i <= input.length && problem == null; i++) {
            if (i == input.length) {
                if (stops) {
                    return new Outcome(null, null, "the client's data stopped: " + Chunks.STOPPED, false);
                }
                if (afterCr) {
                    if (policy == BareLineEndings.REJECT) {
                        problem = MessageDataFilter.Problem.BARE_LINE_ENDING;
                        break;
                    }
                    out.append('\n');
                }
                return new Outcome(out.toString(), null, null, true);
            }
            int b = input[i] & 0xff;
            if (i + 1 > maxSize) {
                problem = MessageDataFilter.Problem.TOO_BIG;
            } else if (afterCr && b == '\n') {
                afterCr = false;
                lineLength = 0;
                out.append('\n');
            } else if (afterCr || b == '\n') {
                if (policy == BareLineEndings.REJECT) {
                    problem = MessageDataFilter.Problem.BARE_LINE_ENDING;
                } else if (afterCr) {
                    afterCr = false;
                    out.append('\n');
                    lineLength = 0;
                    i--; // the octet after the CR, again, as an ordinary one
                } else {
                    out.append("\r\n");
                    lineLength = 0;
                }
            } else if (b == '\r') {
                afterCr = true;
                out.append('\r');
            } else if (++lineLength > MAX_LINE) {
                problem = MessageDataFilter.Problem.LINE_TOO_LONG;
            } else {
                out.append((char) b);
            }
        }
        return new Outcome(null, problem, "message refused: " + problem.reason, false);
    }

    private static String escape(byte[] input) {
        return new String(input, java.nio.charset.StandardCharsets.ISO_8859_1).replace("\r", "\\r")
                .replace("\n", "\\n").replaceAll("(.)\\1{20,}", "$1…");
    }

    /** The input in reads of at most {@code size} octets; at its end, -1 or a read error (a client gone). */
    static final class Chunks extends InputStream {

        static final String STOPPED = "Connection reset";

        private final byte[] data;
        private final int size;
        private final boolean stops;
        private int pos;

        Chunks(byte[] data, int size, boolean stops) {
            this.data = data;
            this.size = size;
            this.stops = stops;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos == data.length) {
                if (stops) {
                    throw new IOException(STOPPED);
                }
                return -1;
            }
            int n = Math.min(Math.min(len, size), data.length - pos);
            System.arraycopy(data, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
