/**
 * The relay's logging machinery: the console appender that batches lines, and the stop that writes what it still
 * queues before the process ends.
 */
package io.stsdane.relay.server.logging;
