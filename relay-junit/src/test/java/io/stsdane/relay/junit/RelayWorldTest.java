package io.stsdane.relay.junit;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.stsdane.relay.core.tls.PolicyOrigin;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link RelayWorld} without the JUnit extension: several at once, a mailbox that fails, clean-up. */
class RelayWorldTest {

    @Test
    void twoWorldsWithTheSameDomainsRunSideBySideWithoutMeeting() throws Exception {
        GreenMail first = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        GreenMail second = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        first.start();
        second.start();
        CompletableFuture<RelayWorld> startingOther = CompletableFuture.supplyAsync(() -> world(second));
        try (RelayWorld a = world(first); RelayWorld b = startingOther.join()) {
            Submit.mail(a, "alice@dane.example");
            Submit.mail(b, "bob@dane.example");

            a.awaitDelivered("alice@dane.example").assertPolicy(PolicyOrigin.DANE).assertVerifiedTls();
            b.awaitDelivered("bob@dane.example").assertPolicy(PolicyOrigin.DANE).assertVerifiedTls();
            assertThat(a.deliveries("bob@dane.example")).isEmpty();
            assertThat(first.getReceivedMessages()).singleElement()
                    .satisfies(m -> assertThat(m.getAllRecipients()[0].toString()).isEqualTo("alice@dane.example"));
            assertThat(second.getReceivedMessages()).singleElement()
                    .satisfies(m -> assertThat(m.getAllRecipients()[0].toString()).isEqualTo("bob@dane.example"));
        } finally {
            first.stop();
            second.stop();
        }
    }

    private static RelayWorld world(GreenMail mailboxes) {
        return RelayWorld.builder().destination("dane.example", Posture.DANE).deliverTo(mailboxes).start();
    }

    @Test
    void aMessageTheMailboxesCannotTakeIsDeferredNotLost() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        int port = closed;
        try (RelayWorld world = RelayWorld.builder().destination("dane.example", Posture.DANE)
                .deliverTo(() -> "127.0.0.1", () -> port).start()) {
            Submit.mail(world, "alice@dane.example");

            Delivery d = world.awaitDeferred("alice@dane.example").assertStatus("4.3.0");
            assertThat(d.diagnostic()).startsWith("451 4.3.0 could not pass the message on");
        }
    }

    @Test
    void closingTheWorldRemovesEverythingItWrote() {
        Path dir;
        try (RelayWorld world = RelayWorld.builder().destination("dane.example", Posture.DANE).start()) {
            dir = world.directory();
            assertThat(dir.resolve("relay.yaml")).exists();
        }
        assertThat(Files.exists(dir)).isFalse();
    }
}
