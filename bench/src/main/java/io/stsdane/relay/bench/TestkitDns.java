package io.stsdane.relay.bench;

import java.nio.file.Path;

/**
 * {@link BenchDns} on relay-testkit's DNS fixture.
 *
 * <p>NOT WIRED YET: the fixture ({@code io.stsdane.relay.testkit.dns.DnsTestServer}) was written in parallel
 * with this module and is not on this branch. After the merge, replace this class's body with (a field
 * {@code DnsTestServer server} closed in {@link #close()}):
 * <pre>{@code
 * server = DnsTestServer.start();                              // 127.0.0.1, UDP and TCP, free port
 * TestZone tld = server.root().child("test");                   // signed, DS in the root
 * TestZone z = zone.signed() ? tld.child(zone.origin()) : tld.unsignedChild(zone.origin());
 * zone.records().forEach(z::add);
 * return new Served(server.address(), server.trustAnchorFile(workDir));  // the root's DS
 * }</pre>
 * Until then it fails with a message saying so, and bench/run.sh skips the relay variants; the Postfix and
 * upper-bound runs do not need DNS.
 */
public final class TestkitDns implements BenchDns {

    @Override
    public Served serve(BenchZone zone, Path workDir) {
        throw new UnsupportedOperationException("bench: TestkitDns.serve is not wired to relay-testkit's DNS "
                + "fixture yet (see its Javadoc); the relay variants cannot run until it is");
    }

    @Override
    public void close() {
        // nothing started yet
    }
}
