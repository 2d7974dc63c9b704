package io.stsdane.relay.server.cluster;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import io.stsdane.relay.server.e2e.ExampleDestination;
import io.stsdane.relay.server.e2e.RunningRelay;
import io.stsdane.relay.server.e2e.SmtpSubmission;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the whole-relay cluster tests put around their nodes: the signed DNS zone that sends {@code example.test}
 * to 127.0.0.1, GreenMail as that MX on a port fixed in advance (so a test may start it late), and the
 * configuration of relay nodes that share one PostgreSQL queue. Not thread-safe, except {@link #arrivals()} and
 * {@link #submit}, which tests call from several threads.
 */
final class ClusterRig implements AutoCloseable {

    static final String RECIPIENT = "cluster@example.test";

    private final Path dir;
    private final NodeDatabase db;
    private final Duration lease;
    private final Duration connectTimeout;
    private final DnsTestServer dns = DnsTestServer.start();
    private final int mxPort;
    private final GreenMail destination;
    private final List<AutoCloseable> closing = new ArrayList<>();

    /**
     * @param lease {@code spool.postgres.lease} of every node
     * @param connectTimeout {@code spool.postgres.connect-timeout} of every node
     */
    ClusterRig(Path dir, NodeDatabase db, Duration lease, Duration connectTimeout) throws IOException {
        this.dir = dir;
        this.db = db;
        this.lease = lease;
        this.connectTimeout = connectTimeout;
        ExampleDestination.publish(dns.root());
        mxPort = RunningRelay.freePort();
        destination = new GreenMail(new ServerSetup(mxPort, "127.0.0.1", "smtp"));
    }

    int mxPort() {
        return mxPort;
    }

    void startDestination() {
        destination.start();
    }

    /** An in-process relay node with its own spool.dir and the shared queue in PostgreSQL; closed with the rig. */
    RunningRelay node(String name) throws Exception {
        Path nodeDir = Files.createDirectories(dir.resolve(name));
        RunningRelay relay = RunningRelay.start(nodeDir, "", spoolYaml(nodeDir), extraYaml());
        closing.add(relay);
        return relay;
    }

    /** Closes {@code resource} with the rig, before what was registered earlier. */
    void closeLater(AutoCloseable resource) {
        closing.add(resource);
    }

    /** The keys of the {@code spool:} section of a node whose files are in {@code nodeDir}. */
    String spoolYaml(Path nodeDir) throws IOException {
        return db.spoolYaml(nodeDir, lease, connectTimeout);
    }

    /** The {@code dns:} and {@code delivery:} sections: the signed test DNS, delivering to GreenMail. */
    String extraYaml() {
        return RunningRelay.signedDnsDeliveryYaml(dns, dir, mxPort);
    }

    /** Submits a message named {@code id} (its {@code X-Test-Id}) and returns the reply that ended the session. */
    static String submit(int port, String id) throws IOException {
        return SmtpSubmission.send(port, "app@sender.test", List.of(RECIPIENT),
                "From: app@sender.test\r\nTo: " + RECIPIENT + "\r\nSubject: cluster " + id + "\r\n"
                        + "Message-ID: <" + id + "@sender.test>\r\nX-Test-Id: " + id + "\r\n\r\nbody of " + id
                        + "\r\n");
    }

    /** How many times each {@code X-Test-Id} arrived at the destination MX. */
    Map<String, Integer> arrivals() throws MessagingException {
        Map<String, Integer> counts = new TreeMap<>();
        arrivalOrder().forEach(id -> counts.merge(id, 1, Integer::sum));
        return counts;
    }

    /** The {@code X-Test-Id}s of the messages the destination received, in the order they arrived. */
    List<String> arrivalOrder() throws MessagingException {
        List<String> order = new ArrayList<>();
        for (MimeMessage m : destination.getReceivedMessages()) {
            String[] id = m.getHeader("X-Test-Id");
            order.add(id == null ? "<none>" : id[0]);
        }
        return order;
    }

    @Override
    public void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        if (destination.isRunning()) {
            destination.stop();
        }
        dns.close();
    }
}
