package io.stsdane.relay.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.queue.DkimSignature;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.Notify;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Ret;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsLevel;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpoolBinaryTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00.123456789Z");

    private static Envelope full() {
        return new Envelope("a@example.org", List.of(
                new Recipient("b@example.net", Set.of(Notify.SUCCESS, Notify.DELAY), "rfc822;b@example.net"),
                new Recipient("c@bücher.example", Set.of(Notify.NEVER), null),
                Recipient.of("d@example.net")),
                Ret.HDRS, "ENV+2B1", false, true, true, T0, "[192.0.2.1] helo.example", false,
                List.of(new DkimSignature("example.org", "sel", "ed25519-sha256")));
    }

    private static MessageState fullState() {
        RecipientState deferred = RecipientState.initial(T0).attempted(FileQueueStoreTest.daneMismatch(T0),
                RecipientState.Status.PENDING, T0.plusSeconds(300), RecipientState.Report.DELAYED)
                .attempted(new Attempt(T0.plusSeconds(300), RecipientOutcome.Kind.DEFERRED, "4.4.1",
                        "connection refused", null), RecipientState.Status.PENDING, T0.plusSeconds(900),
                        RecipientState.Report.DELAYED)
                .withReport(RecipientState.Report.DELAYED, true);
        RecipientState bounced = RecipientState.initial(T0).withStatus(RecipientState.Status.BOUNCED, "5.1.1",
                "550 no such user", RecipientState.Report.FAILED);
        return new MessageState(true, List.of(deferred, bounced, RecipientState.initial(T0)), T0.plusSeconds(5));
    }

    @Test
    void everyComponentOfAnEnvelopeAndAStateReadsBackAsWritten() throws Exception {
        Envelope tlsReport = new Envelope("", List.of(Recipient.of("tlsrpt@example.net")), null, null, false, false,
                false, T0, "", true);
        for (Envelope e : List.of(full(), tlsReport)) {
            byte[] b = SpoolBinary.encode(e);
            assertThat(SpoolBinary.envelope(b, 0, b.length)).isEqualTo(e);
        }
        for (MessageState s : List.of(fullState(), MessageState.initial(2, T0))) {
            byte[] b = SpoolBinary.encode(s);
            assertThat(SpoolBinary.state(b, 0, b.length)).isEqualTo(s);
        }
    }

    /** The format of version 3 segments on disk: a change here makes older segments unreadable. */
    @Test
    void theEncodingIsPinned() {
        Envelope e = new Envelope("a@x", List.of(new Recipient("b@y", Set.of(Notify.FAILURE), null)), Ret.FULL,
                null, true, false, false, Instant.ofEpochSecond(1, 2), "c", false);
        assertThat(HexFormat.of().formatHex(SpoolBinary.encode(e))).isEqualTo(
                "00000003614078000000010000000362407904ffffffff01ffffffff0101000000000000000100000002000000016300"
                        + "000000");
        MessageState s = new MessageState(false, List.of(new RecipientState(RecipientState.Status.BOUNCED, 1,
                Instant.ofEpochSecond(3), null, "5.0.0", null, null, RecipientState.Report.FAILED, false,
                List.of())), null);
        assertThat(HexFormat.of().formatHex(SpoolBinary.encode(s))).isEqualTo(
                "0000000000010300000001010000000000000003000000000000000005352e302e30ffffffffffffffff020000000000");
    }

    /**
     * Version 3 segments store these enums by ordinal: a constant inserted or moved would make every stored one
     * after it read as another. New constants go at the end, and this list grows with them.
     */
    @Test
    void theEnumsStoredByOrdinalKeepTheirOrder() {
        assertThat(names(Ret.values())).containsExactly("FULL", "HDRS");
        assertThat(names(Notify.values())).containsExactly("NEVER", "SUCCESS", "FAILURE", "DELAY");
        assertThat(names(RecipientState.Status.values())).containsExactly("PENDING", "DELIVERED", "BOUNCED");
        assertThat(names(RecipientState.Report.values())).containsExactly("NONE", "FAILED", "DELAYED", "RELAYED");
        assertThat(names(RecipientOutcome.Kind.values())).containsExactly("DELIVERED", "DEFERRED", "BOUNCED");
        assertThat(names(PolicyOrigin.values())).containsExactly("OVERRIDE", "DANE", "MTA_STS", "OPPORTUNISTIC",
                "REQUIRETLS", "TLSRPT_REPORT");
        assertThat(names(TlsLevel.values())).containsExactly("NONE", "MAY", "ENCRYPT", "DANE", "VERIFY");
    }

    private static List<String> names(Enum<?>[] constants) {
        return Arrays.stream(constants).map(Enum::name).toList();
    }

    @Test
    void damagedBytesAreACorruptEntryNeverAnotherException() {
        byte[] envelope = SpoolBinary.encode(full());
        byte[] state = SpoolBinary.encode(fullState());
        for (int cut = 0; cut < envelope.length; cut++) {
            int n = cut;
            assertThatThrownBy(() -> SpoolBinary.envelope(envelope, 0, n)).isInstanceOf(CorruptEntryException.class);
        }
        for (int cut = 0; cut < state.length; cut++) {
            int n = cut;
            assertThatThrownBy(() -> SpoolBinary.state(state, 0, n)).isInstanceOf(CorruptEntryException.class);
        }
        byte[] longer = Arrays.copyOf(envelope, envelope.length + 1);
        assertThatThrownBy(() -> SpoolBinary.envelope(longer, 0, longer.length))
                .isInstanceOf(CorruptEntryException.class);
        for (int i = 0; i < state.length; i++) {
            byte[] flipped = state.clone();
            flipped[i] = (byte) 0xfe;
            try {
                SpoolBinary.state(flipped, 0, flipped.length);
            } catch (CorruptEntryException expected) {
                // what a damaged byte may give; any other exception fails the test
            }
        }
    }
}
