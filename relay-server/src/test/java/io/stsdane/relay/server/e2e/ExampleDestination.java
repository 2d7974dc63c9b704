package io.stsdane.relay.server.e2e;

import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.TestZone;

/**
 * The destination of the tests that need just one: {@code example.test}, a secure zone below a secure
 * {@code test.}, whose one MX host {@code mx.example.test} is 127.0.0.1, where the relay connects on its
 * {@code delivery.port}.
 */
public final class ExampleDestination {

    public static final String DOMAIN = "example.test";
    public static final String MX_HOST = "mx." + DOMAIN;

    private ExampleDestination() {
    }

    /** Publishes {@code example.test} below {@code root}; returns its zone, for further records. */
    public static TestZone publish(TestZone root) {
        return root.child("test").child(DOMAIN).mx(DOMAIN, 10, MX_HOST).a(MX_HOST, "127.0.0.1");
    }

    /** Starts a signed test DNS server with {@code example.test} published. */
    public static DnsTestServer dns() {
        DnsTestServer dns = DnsTestServer.start();
        publish(dns.root());
        return dns;
    }
}
