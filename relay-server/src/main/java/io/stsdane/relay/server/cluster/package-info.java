/**
 * What several relay nodes share in the queue's PostgreSQL database besides the queue itself
 * ({@code spool.backend: postgres}, docs/cluster.md): {@link io.stsdane.relay.server.cluster.PostgresPolicyStore},
 * the MTA-STS policy cache, so that a policy fetched by one node is enforced by every node, and
 * {@link io.stsdane.relay.server.cluster.PostgresTlsRptCounters}, the TLS-RPT counts and built reports, so that each
 * daily report counts every node's sessions once. Each implements its module's store interface with the module's
 * public types only.
 */
package io.stsdane.relay.server.cluster;
