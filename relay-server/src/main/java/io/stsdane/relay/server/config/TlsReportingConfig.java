package io.stsdane.relay.server.config;

import java.net.InetAddress;
import java.util.Optional;

/**
 * The {@code tls-reporting:} section: SMTP TLS reports (RFC 8460) to the domains the relay delivers to.
 * The defaults that depend on the relay's host name are filled in when the relay is wired, because the host
 * name may only be known then.
 *
 * @param enabled whether sessions are counted and daily reports sent
 * @param organization {@code organization-name} of every report; empty means the relay's host name
 * @param contact {@code contact-info} of every report; empty means {@code postmaster@<host name>}
 * @param from From and envelope sender of mail reports ({@code local@domain}); empty means the reporting
 *     module's default
 * @param sendingIp reported as {@code sending-mta-ip}; empty omits it
 */
public record TlsReportingConfig(
        boolean enabled,
        Optional<String> organization,
        Optional<String> contact,
        Optional<String> from,
        Optional<InetAddress> sendingIp) {
}
