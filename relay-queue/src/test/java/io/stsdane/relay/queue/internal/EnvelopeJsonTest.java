package io.stsdane.relay.queue.internal;

import static io.stsdane.relay.queue.TestMessages.bytes;
import static io.stsdane.relay.queue.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.queue.DkimSignature;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The envelope JSON of the PostgreSQL {@code jsonb} column and of file spool segments of version 2 (both
 * {@link SpoolJson}) keeps the TLS-RPT report flag and the DKIM signatures the relay added, and envelopes written
 * before those existed read as ordinary, unsigned mail.
 */
class EnvelopeJsonTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    /** Exactly what SpoolJson wrote for an envelope before the {@code tlsReport} component was added. */
    private static final String BEFORE_TLS_REPORT = "{\"sender\":\"alice@example.org\",\"recipients\":[{\"address\":"
            + "\"bob@example.net\",\"notifyOn\":[],\"orcpt\":null}],\"ret\":null,\"envid\":null,\"requireTls\":false,"
            + "\"smtpUtf8\":false,\"eightBitMime\":false,\"receivedAt\":\"2026-01-01T00:00:00Z\",\"client\":\"tls-reporting\"}";

    @TempDir
    Path dir;

    @Test
    void envelopeStoredBeforeTheFlagExistedIsNotAReport() throws Exception {
        Envelope env = SpoolJson.MAPPER.readValue(BEFORE_TLS_REPORT, Envelope.class);

        assertThat(env.tlsReport()).isFalse();
        assertThat(env.sender()).isEqualTo("alice@example.org");
        assertThat(env.client()).isEqualTo("tls-reporting");
        assertThat(env.receivedAt()).isEqualTo(T0);
    }

    @Test
    void reportFlagSurvivesTheJsonRoundTrip() throws Exception {
        Envelope report = envelope(true);

        String json = SpoolJson.MAPPER.writeValueAsString(report);

        assertThat(json).contains("\"tlsReport\":true");
        assertThat(SpoolJson.MAPPER.readValue(json, Envelope.class)).isEqualTo(report);
        assertThat(SpoolJson.MAPPER.readValue(SpoolJson.MAPPER.writeValueAsString(envelope(false)), Envelope.class)
                .tlsReport()).isFalse();
    }

    @Test
    void dkimSignaturesSurviveTheJsonRoundTripAndOlderEnvelopesHaveNone() throws Exception {
        Envelope signed = envelope(false).withDkimSignatures(List.of(
                new DkimSignature("example.org", "rsa2026", "rsa-sha256"),
                new DkimSignature("example.org", "ed2026", "ed25519-sha256")));

        String json = SpoolJson.MAPPER.writeValueAsString(signed);

        assertThat(SpoolJson.MAPPER.readValue(json, Envelope.class)).isEqualTo(signed);
        assertThat(SpoolJson.MAPPER.readValue(BEFORE_TLS_REPORT, Envelope.class).dkimSignatures()).isEmpty();
    }

    @Test
    void fileSpoolKeepsTheReportFlagAcrossRestart() throws Exception {
        QueueId id = new QueueId("R1");
        FileQueueStore s = new FileQueueStore(dir, 0, java.time.Clock.systemUTC(),
                SpoolSync.FSYNC);
        s.recover();
        s.enqueue(id, envelope(true), new ByteArrayInputStream(bytes(text("report"))));
        s.close();

        FileQueueStore again = new FileQueueStore(dir, 0, java.time.Clock.systemUTC(),
                SpoolSync.FSYNC);
        try {
            again.recover();
            assertThat(again.load(id).orElseThrow().envelope().tlsReport()).isTrue();
        } finally {
            again.close();
        }
    }

    private static Envelope envelope(boolean tlsReport) {
        return new Envelope("tlsrpt@relay.example", List.of(Recipient.of("reports@example.net")), null, null, false,
                false, false, T0, "tls-reporting", tlsReport);
    }
}
