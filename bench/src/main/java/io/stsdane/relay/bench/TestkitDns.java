package io.stsdane.relay.bench;

import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.TestZone;
import java.nio.file.Path;

/**
 * {@link BenchDns} on relay-testkit's DNS fixture ({@link DnsTestServer}): a signed root on 127.0.0.1 (UDP and
 * TCP) whose DS is the relay's trust anchor, a signed {@code test} zone under it, and the benchmark zone below
 * that, signed or not as the {@link BenchZone} asks. The relay validates the whole chain itself, as deployed.
 * Serves one zone at a time; not thread-safe.
 */
public final class TestkitDns implements BenchDns {

    private DnsTestServer server;

    @Override
    public Served serve(BenchZone zone, Path workDir) {
        if (server != null) {
            throw new IllegalStateException("this TestkitDns already serves a zone");
        }
        server = DnsTestServer.start();
        TestZone tld = server.root().child("test");
        TestZone z = zone.signed() ? tld.child(zone.origin()) : tld.unsignedChild(zone.origin());
        zone.records().forEach(z::add);
        return new Served(server.address(), zone.signed() ? server.trustAnchorFile(workDir) : null);
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
