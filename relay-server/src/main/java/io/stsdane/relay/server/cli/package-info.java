/**
 * The picocli commands: {@code relay run}, {@code relay check DOMAIN}, {@code relay queue ...} (a client of the
 * admin API), {@code relay queue migrate} (a stopped node's file spool into PostgreSQL). Exit codes: 0 success,
 * 1 failure, 2 invalid command line.
 */
package io.stsdane.relay.server.cli;
