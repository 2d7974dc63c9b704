/**
 * Outbound delivery: {@link io.stsdane.relay.smtp.outbound.DeliveryEngine} (the
 * {@link io.stsdane.relay.core.delivery.DeliveryAgent}), its {@link io.stsdane.relay.smtp.outbound.DeliveryOptions},
 * and {@link io.stsdane.relay.smtp.outbound.OverridePolicySource} for the local {@code policies:} section. The
 * machinery (route planning, policy resolution, the Netty SMTP client, pooling) lives in {@code internal}.
 */
package io.stsdane.relay.smtp.outbound;
