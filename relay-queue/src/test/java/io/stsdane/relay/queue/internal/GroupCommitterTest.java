package io.stsdane.relay.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class GroupCommitterTest {

    private final AtomicInteger commits = new AtomicInteger();

    @Test
    void aLazyRequestRidesAlongWithTheNextCommitSomebodyWaitsFor() throws IOException {
        try (GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, Duration.ofHours(1))) {
            committer.request();
            committer.request();
            committer.awaitDurable();

            assertThat(committer.syncCount()).isEqualTo(1);
        }
        assertThat(commits).hasValue(1);
    }

    @Test
    void aLazyRequestNobodyWaitsForIsCommittedAfterTheDelay() {
        try (GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, Duration.ofMillis(20))) {
            committer.request();

            await().atMost(Duration.ofSeconds(30)).until(() -> commits.get() == 1);
        }
    }

    @Test
    void closingCommitsALazyRequestStillPending() {
        GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, Duration.ofHours(1));
        committer.request();
        committer.close();

        assertThat(commits).hasValue(1);
    }

    @Test
    void closingWithNothingPendingCommitsNothing() {
        new GroupCommitter("test", commits::incrementAndGet, Duration.ofHours(1)).close();

        assertThat(commits).hasValue(0);
    }
}
