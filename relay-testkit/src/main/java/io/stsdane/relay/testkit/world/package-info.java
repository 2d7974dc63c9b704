/**
 * The network a relay under test delivers into ({@link io.stsdane.relay.testkit.world.TestInternet}): signed DNS,
 * a web PKI root, an MTA-STS policy host and MX hosts on loopback, from the other fixtures of this kit.
 */
package io.stsdane.relay.testkit.world;
