package io.stsdane.relay.bench;

/** Placeholder replaced below. */
final class Report {
    static void main(String[] args) {
    }
}
