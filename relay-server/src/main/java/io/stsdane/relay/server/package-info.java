/**
 * The runnable relay: {@link io.stsdane.relay.server.Main} (the CLI entry point),
 * {@link io.stsdane.relay.server.RelayApplication} (starts and stops the parts) and
 * {@link io.stsdane.relay.server.RelayComponents} (the one seam where the other modules are wired in).
 *
 * <ul>
 *   <li>{@code config}: the YAML contract, loaded into validated immutable records.</li>
 *   <li>{@code cli}: the {@code run}, {@code check} and {@code queue} commands.</li>
 *   <li>{@code admin}: the admin HTTP API (metrics, health, queue).</li>
 *   <li>{@code logging}: the console appender that writes lines a batch at a time, and its stop at exit.</li>
 * </ul>
 */
package io.stsdane.relay.server;
