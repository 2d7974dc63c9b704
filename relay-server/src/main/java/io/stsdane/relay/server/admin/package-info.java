/**
 * The admin HTTP API on {@code admin.listen}: Prometheus metrics, liveness and readiness
 * ({@link io.stsdane.relay.server.admin.HealthCheck}), and the queue operations behind
 * {@link io.stsdane.relay.server.admin.QueueAdminPort}, which the wiring adapts to the queue module.
 */
package io.stsdane.relay.server.admin;
