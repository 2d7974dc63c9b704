package io.stsdane.relay.server.crash;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.server.Main;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code relay run --config FILE} in its own JVM, started with the test class path exactly as an operator
 * would start the jar, so it can be killed like a real process. Its console (INFO, the embedded logback.xml
 * rather than the test's quiet one) is appended to a log file that outlives every restart. Not thread-safe:
 * one test thread starts and stops it.
 */
public final class RelayProcess {

    /** Exit status the JDK reports on Linux for a process ended by signal 9: 128 + 9. */
    private static final int KILLED_BY_SIGKILL = 137;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path log;

    private RelayProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** Starts the relay and returns once its SMTP listener on {@code smtpPort} accepts connections. */
    public static RelayProcess start(Path config, int smtpPort, Path log) throws IOException, InterruptedException {
        return start(List.of(), config, smtpPort, log);
    }

    /** As {@link #start(Path, int, Path)}, the JVM run by the command {@code wrapper} (e.g. {@code nohup}). */
    public static RelayProcess start(List<String> wrapper, Path config, int smtpPort, Path log)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // A small, quickly started JVM: the machine running the tests has few cores.
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlogback.configurationFile=logback.xml",
                "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "run", "--config", config.toString()));
        Process p = new ProcessBuilder(cmd)
                .directory(config.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        RelayProcess relay = new RelayProcess(p, log);
        relay.awaitListening(smtpPort);
        return relay;
    }

    private void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the relay exited with " + process.exitValue()
                        + " before listening; its log:\n" + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the relay did not listen on port " + port + " within " + START_TIMEOUT
                + "; its log:\n" + log());
    }

    /** SIGKILL: no shutdown hook, no flush, no close, exactly like a crash. Returns once the process is gone. */
    public void kill9() throws InterruptedException {
        ProcessHandle handle = process.toHandle();
        process.destroyForcibly();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("relay gone after SIGKILL").isTrue();
        assertThat(handle.isAlive()).isFalse();
        assertThat(process.exitValue()).as("exit status of a process killed by signal 9").isEqualTo(KILLED_BY_SIGKILL);
    }

    /** SIGTERM, as an operator or init system stops the relay; returns the exit status. */
    int terminate() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("relay stops within 30 s of SIGTERM").isTrue();
        return process.exitValue();
    }

    /** The operating system's process id, for sending it signals. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process if a failed test left it running. */
    public void destroy() {
        process.destroyForcibly();
    }

    /** Everything every run of the relay wrote to its console so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
