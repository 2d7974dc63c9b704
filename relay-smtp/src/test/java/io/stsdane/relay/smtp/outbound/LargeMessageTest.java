package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.stsdane.relay.core.delivery.MessageContent;
import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.testkit.smtp.DataGate;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.Stall;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A 30 MiB message is streamed from the spool: neither the heap nor Netty's buffers ever hold it. */
class LargeMessageTest {

    private static final long SIZE = 30L * 1024 * 1024;
    private static final long BOUND = 16L * 1024 * 1024;

    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void thirtyMebibyteMessageIsStreamedWithFlatMemory() throws Exception {
        DataGate gate = new DataGate(8L * 1024 * 1024);
        TestSmtpServer s = f.server("127.0.0.1", SmtpBehavior.builder().pipelining(true).keepData(false)
                .dataGate(gate).build());
        f.oneMx("example.test", "mx.example.test", "127.0.0.1");
        DeliveryEngine engine = f.engine(List.of());
        MessageContent content = Messages.generated(SIZE);
        long heapBefore = heapAfterGc();

        CompletableFuture<List<RecipientOutcome>> result = engine.deliver(
                Messages.request("example.test", content, "big@example.test")).toCompletableFuture();
        assertThat(gate.awaitPaused(Duration.ofSeconds(60))).isTrue();
        Thread.sleep(500); // let the client fill the socket buffers and stop on backpressure
        long heapGrowth = heapAfterGc() - heapBefore;
        long nettyBuffers = nettyMemory();
        gate.release();

        assertThat(result.get(120, TimeUnit.SECONDS)).singleElement()
                .extracting(RecipientOutcome::kind).isEqualTo(RecipientOutcome.Kind.DELIVERED);
        assertThat(heapGrowth).as("heap growth while paused mid-body").isLessThan(BOUND);
        assertThat(nettyBuffers).as("Netty buffer memory while paused mid-body").isLessThan(BOUND);
        ReceivedTransaction t = s.transactions().get(0);
        assertThat(t.dataSize()).isEqualTo(SIZE);
        assertThat(t.dataSha256()).isEqualTo(sha256(content));
    }

    @Test
    void aServerThatStopsReadingTheBodyTimesOut() {
        f.server("127.0.0.1", SmtpBehavior.builder().stall(Stall.DATA_BODY).build());
        f.oneMx("example.test", "mx.example.test", "127.0.0.1");
        f.engine(List.of(), b -> b.timeouts(SmtpTimeouts.uniform(Duration.ofSeconds(1))));

        assertThat(f.deliver(Messages.request("example.test", Messages.generated(SIZE), "big@example.test")))
                .singleElement().satisfies(o -> {
                    assertThat(o.kind()).isEqualTo(RecipientOutcome.Kind.DEFERRED);
                    assertThat(o.diagnostic()).contains("stopped taking message data");
                });
    }

    private static long heapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long nettyMemory() {
        if (ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider p) {
            ByteBufAllocatorMetric m = p.metric();
            return m.usedDirectMemory() + m.usedHeapMemory();
        }
        return 0;
    }

    private static String sha256(MessageContent c) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        byte[] buf = new byte[65536];
        try (InputStream in = c.open()) {
            int n;
            while ((n = in.read(buf)) > 0) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }
}
