/**
 * The picocli commands: {@code relay run}, {@code relay check DOMAIN}, {@code relay queue ...} (a client of the
 * admin API). Exit codes: 0 success, 1 failure, 2 invalid command line.
 */
package io.stsdane.relay.server.cli;
