package io.stsdane.relay.queue;

/**
 * What start-up recovery found in the spool.
 *
 * @param recovered messages back in the queue
 * @param tempFilesDropped incomplete writes from before the crash (never acknowledged), deleted
 * @param quarantined corrupt entries moved to the quarantine folder; with the PostgreSQL queue, the messages of
 *     the whole cluster found unreadable so far and set aside in place (not counted in {@code recovered})
 * @param orphanStatesRemoved state files of messages whose removal a crash interrupted, deleted
 */
public record RecoveryReport(int recovered, int tempFilesDropped, int quarantined, int orphanStatesRemoved) {
}
