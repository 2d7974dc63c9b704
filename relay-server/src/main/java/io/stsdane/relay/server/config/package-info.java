/**
 * The configuration contract ({@code relay.yaml}): {@link io.stsdane.relay.server.config.ConfigLoader} merges
 * the embedded defaults, the operator's file and {@code RELAY_*} environment overrides, and validates the result
 * into {@link io.stsdane.relay.server.config.RelayConfig}, one immutable record per section. The key names are
 * fixed: tools outside the repository depend on them. Every key is documented in {@code docs/configuration.md}.
 */
package io.stsdane.relay.server.config;
