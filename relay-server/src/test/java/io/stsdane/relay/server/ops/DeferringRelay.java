package io.stsdane.relay.server.ops;

import io.stsdane.relay.server.e2e.RunningRelay;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.TestZone;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A whole relay whose mail stays queued: it resolves through a signed test DNS server whose MX hosts all point at
 * 127.0.0.1, on a port nothing listens on, and retries only after an hour. For the tests of the operator's tools.
 */
public final class DeferringRelay implements AutoCloseable {

    private final DnsTestServer dns;
    private final RunningRelay relay;
    private final Path config;
    private final Path trustAnchors;
    private final int refusedPort;

    private DeferringRelay(DnsTestServer dns, RunningRelay relay, Path config, Path trustAnchors, int refusedPort) {
        this.dns = dns;
        this.relay = relay;
        this.config = config;
        this.trustAnchors = trustAnchors;
        this.refusedPort = refusedPort;
    }

    /**
     * @param zones adds the destination zones below the test root, for example
     *     {@code root -> root.child("test").child("example.test").mx(...)}
     */
    public static DeferringRelay start(Path dir, Consumer<TestZone> zones) throws Exception {
        DnsTestServer dns = DnsTestServer.start();
        zones.accept(dns.root());
        int refused = RunningRelay.freePort();
        Path anchors = dns.trustAnchorFile(dir);
        RunningRelay relay = RunningRelay.start(dir, RunningRelay.signedDnsDeliveryYaml(dns, dir, refused, "[1h]"));
        return new DeferringRelay(dns, relay, dir.resolve("relay.yaml"), anchors, refused);
    }

    public RunningRelay relay() {
        return relay;
    }

    public DnsTestServer dns() {
        return dns;
    }

    /** The relay's relay.yaml. */
    public Path config() {
        return config;
    }

    public Path trustAnchors() {
        return trustAnchors;
    }

    /** The delivery port, where nothing listens. */
    public int refusedPort() {
        return refusedPort;
    }

    @Override
    public void close() {
        relay.close();
        dns.close();
    }
}
