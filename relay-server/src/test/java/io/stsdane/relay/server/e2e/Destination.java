package io.stsdane.relay.server.e2e;

import io.stsdane.relay.testkit.dns.TestZone;

/**
 * A recipient domain with one MX host, as {@link RelayWorld#destination} publishes it. Immutable.
 *
 * @param zone the zone that holds the domain's records
 * @param domain the recipient domain
 * @param host the MX host name
 * @param address the MX host's loopback address
 * @param tlsaOwner where DANE looks for the host's TLSA records
 */
record Destination(TestZone zone, String domain, String host, String address, String tlsaOwner) {

    String rcpt() {
        return "alice@" + domain;
    }
}
