package io.stsdane.relay.server.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
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
    private final PrintStream realOut = System.out;
    private final LoggerContext context = new LoggerContext();
    private final BatchingConsoleAppender appender = new BatchingConsoleAppender();

    @BeforeEach
    void setUp() {
        context.setMDCAdapter(new LogbackMDCAdapter());
        System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void tearDown() {
        context.stop();
        System.setOut(realOut);
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

    private Logger start(int queueSize, int batchMillis) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%level %msg%n");
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
        appender.setBatchMillis(batchMillis);
        appender.start();
        assertThat(appender.isStarted()).isTrue();
        Logger log = context.getLogger("test");
        log.addAppender(appender);
        return log;
    }
}
