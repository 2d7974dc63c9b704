package io.stsdane.relay.server.crash;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.queue.internal.FileQueueStore;
import io.stsdane.relay.queue.internal.SpoolSync;
import io.stsdane.relay.server.e2e.ExampleDestination;
import io.stsdane.relay.server.e2e.RunningRelay;
import io.stsdane.relay.server.e2e.SmtpSubmission;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a relay under a crash test needs around it, all in the test's JVM: the signed DNS zone that sends
 * {@code example.test} to 127.0.0.1, GreenMail as that MX on a port fixed in advance (so it can start late),
 * and a {@code relay.yaml} with fixed ports so every restart finds the same listener, spool and destination.
 * Not thread-safe except {@link #arrivals()} and {@link #queuedMessages()}, which only read.
 */
final class CrashRig implements AutoCloseable {

    static final String RECIPIENT = "crash@example.test";

    private final Path dir;
    private final DnsTestServer dns;
    private final GreenMail destination;
    private final Path config;
    private final int smtpPort;
    private final int adminPort;
    private final HttpClient http = HttpClient.newHttpClient();
    private boolean destinationStarted;

    private CrashRig(Path dir, DnsTestServer dns, GreenMail destination, Path config, int smtpPort, int adminPort) {
        this.dir = dir;
        this.dns = dns;
        this.destination = destination;
        this.config = config;
        this.smtpPort = smtpPort;
        this.adminPort = adminPort;
    }

    /** Starts DNS and writes the configuration; the destination MX is not running yet. */
    static CrashRig create(Path dir) throws IOException {
        DnsTestServer dns = ExampleDestination.dns();
        int mxPort = RunningRelay.freePort();
        int smtpPort = RunningRelay.freePort();
        int adminPort = RunningRelay.freePort();
        GreenMail destination = new GreenMail(new ServerSetup(mxPort, "127.0.0.1", "smtp"));
        Path config = Files.writeString(dir.resolve("relay.yaml"),
                RunningRelay.baseYaml(smtpPort, dir.resolve("spool"), adminPort)
                        + RunningRelay.signedDnsDeliveryYaml(dns, dir, mxPort));
        return new CrashRig(dir, dns, destination, config, smtpPort, adminPort);
    }

    void startDestination() {
        destination.start();
        destinationStarted = true;
    }

    /** Starts {@code relay run} on this rig's configuration and spool; returns once it accepts SMTP. */
    RelayProcess startRelay() throws IOException, InterruptedException {
        return RelayProcess.start(config, smtpPort, dir.resolve("relay.log"));
    }

    int smtpPort() {
        return smtpPort;
    }

    /** Submits a message named {@code id} over SMTP; returns the reply to its final dot (or the first refusal). */
    static String submit(int port, String id) throws IOException {
        return SmtpSubmission.send(port, "app@sender.test", List.of(RECIPIENT), message(id));
    }

    /** A message whose {@code X-Test-Id} names it at the destination. */
    private static String message(String id) {
        return "From: app@sender.test\r\n"
                + "To: " + RECIPIENT + "\r\n"
                + "Subject: crash test " + id + "\r\n"
                + "Message-ID: <" + id + "@sender.test>\r\n"
                + "X-Test-Id: " + id + "\r\n"
                + "\r\n"
                + "body of " + id + "\r\n";
    }

    /** How many times each {@code X-Test-Id} arrived at the destination MX. */
    Map<String, Integer> arrivals() throws MessagingException {
        Map<String, Integer> counts = new TreeMap<>();
        for (MimeMessage m : destination.getReceivedMessages()) {
            String[] id = m.getHeader("X-Test-Id");
            counts.merge(id == null ? "<none>" : id[0], 1, Integer::sum);
        }
        return counts;
    }

    /** How many messages the running relay still queues, as its admin API lists them. */
    int queuedMessages() throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + adminPort + "/queue")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IOException("GET /queue answered " + r.statusCode() + ": " + r.body());
        }
        return new ObjectMapper().readTree(r.body()).size();
    }

    /** How many messages the spool of the stopped relay holds, as its next start will recover them. */
    int queuedInStoppedSpool() throws IOException {
        try (FileQueueStore store = new FileQueueStore(dir.resolve("spool"), 0, Clock.systemUTC(),
                SpoolSync.FSYNC)) {
            return store.recover().recovered();
        }
    }

    /** Entries recovery found corrupt and moved aside. */
    List<Path> quarantined() {
        Path q = dir.resolve("spool").resolve("quarantine");
        return Files.isDirectory(q) ? list(q).toList() : List.of();
    }

    private static Stream<Path> list(Path d) {
        try (Stream<Path> files = Files.list(d)) {
            return files.toList().stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (destinationStarted) {
            destination.stop();
        }
        dns.close();
    }
}
