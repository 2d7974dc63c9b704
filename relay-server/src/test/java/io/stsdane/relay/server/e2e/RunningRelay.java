package io.stsdane.relay.server.e2e;

import io.stsdane.relay.server.RelayApplication;
import io.stsdane.relay.server.wiring.ModuleComponents;
import io.stsdane.relay.testkit.config.RelayConfigYaml;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The whole relay, wired exactly as {@code relay run} wires it ({@link RelayApplication#start(Path,
 * io.stsdane.relay.server.RelayComponents)}), running in the test's JVM on free loopback ports, with its
 * configuration written as a real {@code relay.yaml}.
 */
public final class RunningRelay implements AutoCloseable {

    private final RelayApplication app;

    private RunningRelay(RelayApplication app) {
        this.app = app;
    }

    /**
     * Starts a relay whose listener and admin API are on free ports and whose spool is under {@code dir}.
     *
     * @param extraYaml further top-level sections ({@code dns:}, {@code delivery:}, ...), as YAML
     */
    public static RunningRelay start(Path dir, String extraYaml) throws Exception {
        return start(dir, "", extraYaml);
    }

    /**
     * As {@link #start(Path, String)}, with further keys of the {@code server:} section.
     *
     * @param serverYaml keys under {@code server:} (for example {@code tls:}), indented by two spaces
     */
    public static RunningRelay start(Path dir, String serverYaml, String extraYaml) throws Exception {
        return start(dir, serverYaml, "", extraYaml);
    }

    /**
     * As {@link #start(Path, String, String)}, with further keys of the {@code spool:} section.
     *
     * @param spoolYaml keys under {@code spool:} (for example {@code backend: postgres}), indented by two spaces
     */
    public static RunningRelay start(Path dir, String serverYaml, String spoolYaml, String extraYaml)
            throws Exception {
        int smtp = freePort();
        int admin = freePort();
        String yaml = baseYaml(smtp, serverYaml, dir.resolve("spool"), spoolYaml, admin) + extraYaml;
        Path file = Files.writeString(dir.resolve("relay.yaml"), yaml);
        return new RunningRelay(RelayApplication.start(file, new ModuleComponents()));
    }

    /** The server, spool and admin sections of a test relay on loopback, as YAML. */
    public static String baseYaml(int smtpPort, Path spool, int adminPort) {
        return baseYaml(smtpPort, "", spool, adminPort);
    }

    /** As {@link #baseYaml(int, Path, int)}, with further keys of the {@code server:} section. */
    public static String baseYaml(int smtpPort, String serverYaml, Path spool, int adminPort) {
        return baseYaml(smtpPort, serverYaml, spool, "", adminPort);
    }

    /** As {@link #baseYaml(int, String, Path, int)}, with further keys of the {@code spool:} section. */
    public static String baseYaml(int smtpPort, String serverYaml, Path spool, String spoolYaml, int adminPort) {
        return RelayConfigYaml.onLoopback(smtpPort, spool, adminPort).lines("server", serverYaml)
                .lines("spool", spoolYaml).text();
    }

    /**
     * The {@code dns:} and {@code delivery:} sections of a relay that resolves through the signed test DNS server
     * {@code dns} (its trust anchor written to {@code dir}) and delivers to port {@code mxPort}, retrying every
     * second.
     */
    public static String signedDnsDeliveryYaml(DnsTestServer dns, Path dir, int mxPort) {
        return signedDnsDeliveryYaml(dns, dir, mxPort, "[1s]");
    }

    /** As {@link #signedDnsDeliveryYaml(DnsTestServer, Path, int)}, retrying on {@code retrySchedule}. */
    public static String signedDnsDeliveryYaml(DnsTestServer dns, Path dir, int mxPort, String retrySchedule) {
        return RelayConfigYaml.sections().signedDns(dns, dir).deliveryPort(mxPort)
                .key("delivery", "retry-schedule", retrySchedule).key("delivery", "connect-timeout", "5s").text();
    }

    public int smtpPort() {
        return app.smtpAddress().getPort();
    }

    public int adminPort() {
        return app.adminAddress().getPort();
    }

    /** How many messages the relay's queue holds ({@code relay.queue.size}). */
    public long queuedMessages() {
        return (long) app.meters().get("relay.queue.size").gauge().value();
    }

    @Override
    public void close() {
        app.close();
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
