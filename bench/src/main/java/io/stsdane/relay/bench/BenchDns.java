package io.stsdane.relay.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * Serves a {@link BenchZone} over UDP and TCP on loopback for the relay under test. This is the only place the
 * benchmark touches the DNS fixture of relay-testkit ({@code io.stsdane.relay.testkit.dns}); see
 * {@link TestkitDns}.
 */
public interface BenchDns extends AutoCloseable {

    /**
     * @param address where the relay must send its queries ({@code dns.servers})
     * @param trustAnchors a zone-file DS or DNSKEY file for {@code dns.trust-anchors} when the zone is signed;
     *     null otherwise
     */
    record Served(InetSocketAddress address, Path trustAnchors) {
    }

    /** Starts serving {@code zone}; {@code workDir} takes any file the relay must read (trust anchors). */
    Served serve(BenchZone zone, Path workDir) throws IOException;

    @Override
    void close();
}
