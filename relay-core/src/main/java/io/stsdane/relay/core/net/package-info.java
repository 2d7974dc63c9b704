/**
 * Network values, parsed once where they enter the relay (the configuration) and passed typed to every module.
 *
 * <ul>
 *   <li>{@link io.stsdane.relay.core.net.IpLiterals}: IPv4 and IPv6 literals, never looked up in DNS.</li>
 *   <li>{@link io.stsdane.relay.core.net.Cidr}: an IP network; host bits must be zero.</li>
 *   <li>{@link io.stsdane.relay.core.net.HostPort}: a host name or IP literal with a port.</li>
 * </ul>
 */
package io.stsdane.relay.core.net;
