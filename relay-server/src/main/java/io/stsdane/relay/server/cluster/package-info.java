/**
 * What several relay nodes share in the queue's PostgreSQL database besides the queue itself
 * ({@code spool.backend: postgres}, docs/cluster.md): {@link io.stsdane.relay.server.cluster.PostgresPolicyStore},
 * the MTA-STS policy cache, so that a policy fetched by one node is enforced by every node.
 */
package io.stsdane.relay.server.cluster;
