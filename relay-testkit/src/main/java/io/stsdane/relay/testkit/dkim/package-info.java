/** An independent DKIM verifier for tests, written from RFC 6376 and RFC 8463 on Bouncy Castle. */
package io.stsdane.relay.testkit.dkim;
