package io.stsdane.relay.server.e2e;

import static io.stsdane.relay.server.e2e.RelayWorld.awaitDelivery;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Success notices (RFC 3461 NOTIFY=SUCCESS) through the whole relay. A relay of its own per test, so that every DSN
 * its queue produces is this test's.
 */
class DeliveryNoticeTest {

    @TempDir
    Path dir;

    @AutoClose
    private RelayWorld world;

    @BeforeEach
    void startRelay() throws Exception {
        world = new RelayWorld(dir, List.of(), "");
    }

    /**
     * RFC 3461 §5.2.1: the next hop that offers DSN gets NOTIFY=SUCCESS and reports the delivery itself; the relay
     * sends {@code Action: relayed} (§5.2.2) only for the next hop that could not take NOTIFY.
     */
    @Test
    void theRelaySendsASuccessNoticeOnlyForTheNextHopThatDidNotTakeNotify() throws Exception {
        Destination withDsn = world.secureDestination("notify-dsn");
        Destination withoutDsn = world.secureDestination("notify-plain");
        TestSmtpServer dsnMx = world.mx(withDsn.address(), SmtpBehavior.builder().dsn(true).build());
        TestSmtpServer plainMx = world.mx(withoutDsn.address(), SmtpBehavior.plain());

        world.submit(List.of(withDsn.rcpt(), withoutDsn.rcpt()), "", "NOTIFY=SUCCESS");

        assertThat(awaitDelivery(dsnMx).recipients()).singleElement().asString().contains("NOTIFY=SUCCESS");
        assertThat(awaitDelivery(plainMx).recipients()).singleElement().asString().doesNotContain("NOTIFY");
        world.awaitEmptyQueue();
        assertThat(world.dsns()).singleElement().satisfies(dsn -> assertThat(dsn)
                .contains("Final-Recipient: rfc822; " + withoutDsn.rcpt() + "\r\n", "Action: relayed")
                .doesNotContain("Final-Recipient: rfc822; " + withDsn.rcpt()));
    }
}
