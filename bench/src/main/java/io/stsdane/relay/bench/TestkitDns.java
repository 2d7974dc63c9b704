package io.stsdane.relay.bench;

import java.nio.file.Path;

/**
 * {@link BenchDns} on relay-testkit's DNS fixture.
 *
 * <p>NOT WIRED YET: the fixture ({@code io.stsdane.relay.testkit.dns}) was being written in parallel with this
 * module. After the merge, {@link #serve} must: start the fixture on 127.0.0.1 (UDP and TCP, any free port),
 * load {@code zone.records()} into a zone at {@code zone.origin()}, sign it when {@code zone.signed()}, write the
 * fixture's trust anchor (DS or DNSKEY lines) to {@code workDir/trust-anchors.txt}, and return both.
 * Until then it fails with that message, so only the Postfix and upper-bound runs work.
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
