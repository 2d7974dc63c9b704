package io.stsdane.relay.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.QueueId;
import io.stsdane.relay.core.queue.Recipient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue's promise kept by the shared intake double: accepted whole, or refused leaving nothing. */
class CapturingIntakeTest {

    private static final Envelope ENVELOPE = new Envelope("a@example.org", List.of(Recipient.of("b@example.net")),
            null, null, false, false, false, Instant.parse("2026-11-28T10:00:00Z"), "[127.0.0.1] test");

    @TempDir
    Path spool;

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Delivers some octets, then fails as a dropped client connection does. */
    private static InputStream cutOff() {
        return new InputStream() {
            private int left = 10;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    throw new IOException("client connection reset");
                }
                left--;
                return 'x';
            }
        };
    }

    @Test
    void keepsWhatItAcceptsInOrderWithFreshIds() throws Exception {
        CapturingIntake intake = new CapturingIntake();
        QueueId first = intake.nextId();
        QueueId second = intake.nextId();
        intake.accept(first, ENVELOPE, text("Subject: one\r\n\r\n1\r\n"));
        intake.accept(second, ENVELOPE, text("Subject: two\r\n\r\n2\r\n"));

        assertThat(first).isNotEqualTo(second);
        assertThat(intake.accepted()).extracting(CapturingIntake.Accepted::id).containsExactly(first, second);
        assertThat(intake.accepted().get(1).text()).isEqualTo("Subject: two\r\n\r\n2\r\n");
        assertThatThrownBy(intake::only).isInstanceOf(AssertionError.class);
    }

    @Test
    void aFullQueueRefusesWith452UntilSpaceComesBack() throws Exception {
        CapturingIntake intake = new CapturingIntake().full(true);

        assertThatThrownBy(intake::checkCapacity).isInstanceOfSatisfying(IntakeException.class,
                e -> assertThat(e.code() + " " + e.enhancedStatus()).isEqualTo("452 4.3.1"));
        assertThatThrownBy(() -> intake.accept(intake.nextId(), ENVELOPE, text("x\r\n")))
                .isInstanceOf(IntakeException.class);
        assertThat(intake.accepted()).isEmpty();

        intake.full(false).accept(intake.nextId(), ENVELOPE, text("x\r\n"));
        assertThat(intake.only().envelope()).isEqualTo(ENVELOPE);
    }

    @Test
    void aSpoolingIntakeLeavesOneFinishedFilePerMessage() throws Exception {
        CapturingIntake intake = CapturingIntake.spoolingTo(spool);
        QueueId id = intake.nextId();
        intake.accept(id, ENVELOPE, text("Subject: kept\r\n\r\nhi\r\n"));

        assertThat(intake.files()).containsExactly(spool.resolve(id.value() + ".msg"));
        assertThat(intake.only().text()).isEqualTo("Subject: kept\r\n\r\nhi\r\n");
    }

    @Test
    void aContentStreamThatFailsIsRefusedWith451AndLeavesNoFile() {
        CapturingIntake intake = CapturingIntake.spoolingTo(spool);

        assertThatThrownBy(() -> intake.accept(intake.nextId(), ENVELOPE, cutOff()))
                .isInstanceOfSatisfying(IntakeException.class, e -> assertThat(e.code()).isEqualTo(451));
        assertThat(intake.accepted()).isEmpty();
        assertThat(intake.files()).isEmpty();
    }

    @Test
    void aBrokenDiskRefusesWith451AfterReadingAndKeepsNothing() {
        CapturingIntake inMemory = new CapturingIntake().brokenDisk(true);
        CapturingIntake spooling = CapturingIntake.spoolingTo(spool).brokenDisk(true);

        for (CapturingIntake intake : List.of(inMemory, spooling)) {
            assertThatThrownBy(() -> intake.accept(intake.nextId(), ENVELOPE, text("x\r\n")))
                    .isInstanceOfSatisfying(IntakeException.class,
                            e -> assertThat(e.code() + " " + e.enhancedStatus()).isEqualTo("451 4.3.0"));
            assertThat(intake.accepted()).isEmpty();
        }
        assertThat(spooling.files()).isEmpty();
    }
}
