/** DKIM for tests: key files as operators make them, and an independent verifier written from RFC 6376 and RFC 8463 on Bouncy Castle. */
package io.stsdane.relay.testkit.dkim;
