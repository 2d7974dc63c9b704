/**
 * Delivery parts, not API. {@code RoutePlanner} (MX list or smart host) and {@code RouteDatabase} (recently
 * failed routes go last); {@code DeliveryRun} (one request, host by host, address by address, each host's policy
 * from the public {@code HostPolicyResolver}); {@code SmtpConnector}, {@code SmtpConnection}, {@code MailTransaction}
 * (the Netty SMTP client: {@code ReplyDecoder} and {@code ReplyHandler} in, Netty's {@code SmtpRequestEncoder}
 * and {@code DotStuffingInput} out); {@code ConnectionPool} and {@code ConcurrencyLimits}; {@code AttemptLog}
 * (log line written by {@code JsonLine}, metrics kept by {@code AttemptMeters}, TLS reporting).
 */
package io.stsdane.relay.smtp.outbound.internal;
