/** An HTTPS host of MTA-STS policies for tests ({@link io.stsdane.relay.testkit.sts.StsPolicyServer}). */
package io.stsdane.relay.testkit.sts;
