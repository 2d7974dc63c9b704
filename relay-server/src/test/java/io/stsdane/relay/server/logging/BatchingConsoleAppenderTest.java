package io.stsdane.relay.server.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BatchingConsoleAppenderTest {

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final ByteArrayOutputStream standardError = new ByteArrayOutputStream();
    private final PrintStream realOut = System.out;
    private final PrintStream realErr = System.err;
    private final LoggerContext context = new LoggerContext();
    private final BatchingConsoleAppender appender = new BatchingConsoleAppender();

    @BeforeEach
    void setUp() {
        context.setMDCAdapter(new LogbackMDCAdapter());
        System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(standardError, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() {
        context.stop();
        System.setOut(realOut);
        System.setErr(realErr);
    }

    @Test
    void stopWritesEveryLineOfEveryThreadInEachThreadsOrderEvenThroughAFullQueue() throws Exception {
        Logger log = start(64, 1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            String name = "t" + t;
            Thread thread = new Thread(() -> {
                for (int i = 0; i < 500; i++) {
                    log.info("{} line {}", name, i);
                }
            });
            thread.start();
            threads.add(thread);
        }
        for (Thread t : threads) {
            t.join();
        }
        context.stop();

        List<String> lines = console.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).hasSize(8 * 500);
        for (int t = 0; t < 8; t++) {
            String prefix = "INFO t" + t + " line ";
            assertThat(lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())))
                    .containsExactly(IntStream.range(0, 500).mapToObj(Integer::toString)
                            .toArray(String[]::new));
        }
    }

    @Test
    void aLineAppearsWithoutWaitingForTheNextOrForStop() {
        Logger log = start(8192, 10);
        log.warn("alone");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> console.toString(StandardCharsets.UTF_8).equals("WARN alone\n"));
    }

    /**
     * An Error in the writer thread (here from the encoder; out of memory would do the same) must not end it: a
     * dead writer would leave every logging thread waiting for room in the full queue, for ever.
     */
    @Test
    void anErrorWhileWritingDropsThatBatchButTheWriterLivesOn() {
        PatternLayoutEncoder lines = encoder();
        start(new EncoderBase<>() {
            @Override
            public byte[] headerBytes() {
                return null;
            }

            @Override
            public byte[] encode(ILoggingEvent event) {
                if (event.getFormattedMessage().equals("poison")) {
                    throw new StackOverflowError("test");
                }
                return lines.encode(event);
            }

            @Override
            public byte[] footerBytes() {
                return null;
            }
        }, 4, 0);
        Logger log = context.getLogger("test");
        log.addAppender(appender);
        Thread logging = new Thread(() -> {
            log.info("poison");
            for (int i = 0; i < 50; i++) {
                log.info("line {}", i);
            }
        });
        logging.start();

        await().atMost(Duration.ofSeconds(20))
                .until(() -> console.toString(StandardCharsets.UTF_8).endsWith("INFO line 49\n"));
        assertThat(context.getStatusManager().getCopyOfStatusList())
                .anySatisfy(s -> assertThat(s.getThrowable()).isInstanceOf(StackOverflowError.class));
        assertThat(standardError.toString(StandardCharsets.UTF_8))
                .startsWith("log-writer: cannot write ").contains("log events to System.out; they are dropped")
                .contains("StackOverflowError");
    }

    private Logger start(int queueSize, int batchMillis) {
        start(encoder(), queueSize, batchMillis);
        Logger log = context.getLogger("test");
        log.addAppender(appender);
        return log;
    }

    private PatternLayoutEncoder encoder() {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %msg%n");
        encoder.start();
        return encoder;
    }

    private void start(Encoder<ILoggingEvent> encoder, int queueSize, int batchMillis) {
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
        appender.setBatchMillis(batchMillis);
        appender.start();
        assertThat(appender.isStarted()).isTrue();
    }
}
