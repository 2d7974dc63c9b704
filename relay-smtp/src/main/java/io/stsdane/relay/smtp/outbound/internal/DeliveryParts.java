package io.stsdane.relay.smtp.outbound.internal;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.smtp.outbound.AddressSelection;
import io.stsdane.relay.smtp.outbound.DeliveryOptions;
import io.stsdane.relay.smtp.outbound.HostPolicyResolver;

/** The engine's long-lived parts that every {@link DeliveryRun} uses. Immutable holder; the parts are thread-safe. */
record DeliveryParts(
        DeliveryOptions options,
        DnsResolver dns,
        RoutePlanner planner,
        AddressSelection addresses,
        HostPolicyResolver policies,
        SmtpConnector connector,
        ConnectionPool pool,
        RouteDatabase routes,
        AttemptLog log,
        RequireTlsRule requireTls) {
}
