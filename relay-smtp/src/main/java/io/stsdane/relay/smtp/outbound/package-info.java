/**
 * Outbound delivery: {@link io.stsdane.relay.smtp.outbound.DeliveryEngine} (the
 * {@link io.stsdane.relay.core.delivery.DeliveryAgent}), its {@link io.stsdane.relay.smtp.outbound.DeliveryOptions},
 * {@link io.stsdane.relay.smtp.outbound.OverridePolicySource} for the local {@code policies:} section, and
 * {@link io.stsdane.relay.smtp.outbound.HostPolicyResolver}, the engine's own policy resolution for one host, for
 * diagnostics that must show exactly what delivery would do (with
 * {@link io.stsdane.relay.smtp.outbound.SmartHost#policyRequest} for the smart host route). The
 * parts (route planning, policy resolution, the Netty SMTP client, pooling) lives in {@code internal}.
 */
package io.stsdane.relay.smtp.outbound;
