/**
 * Misbehaving SMTP servers for tests: {@link io.stsdane.relay.testkit.smtp.TestSmtpServer} configured by an
 * {@link io.stsdane.relay.testkit.smtp.SmtpBehavior} (STARTTLS or not, injection after STARTTLS, 421 greeting,
 * per-recipient replies, stalls, PIPELINING...), recording {@link io.stsdane.relay.testkit.smtp.ReceivedTransaction}s.
 */
package io.stsdane.relay.testkit.smtp;
