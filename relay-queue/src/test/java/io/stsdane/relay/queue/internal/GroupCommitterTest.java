package io.stsdane.relay.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class GroupCommitterTest {

    /** Longer than any test runs: a commit that waited for it would hang the test into its timeout. */
    private static final Duration FOREVER = Duration.ofHours(1);

    private final AtomicInteger commits = new AtomicInteger();
    private final ExecutorService intakes = Executors.newCachedThreadPool();

    @AfterEach
    void stopIntakes() {
        intakes.shutdownNow();
    }

    /** An intake on a thread of its own: it has begun when this returns, and joins once {@code mayJoin} opens. */
    private Future<?> intakeOnItsWay(CommitDelay delay, GroupCommitter committer, CountDownLatch mayJoin)
            throws InterruptedException {
        CountDownLatch begun = new CountDownLatch(1);
        Future<?> intake = intakes.submit(() -> {
            delay.begin();
            begun.countDown();
            mayJoin.await();
            committer.awaitDurable();
            return null;
        });
        begun.await();
        return intake;
    }

    @Test
    @Timeout(60)
    void aLoneIntakeIsCommittedWithoutWaitingForTheDelay() throws IOException {
        CommitDelay delay = new CommitDelay(FOREVER);
        try (GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, delay)) {
            delay.begin();
            committer.awaitDurable();
            delay.end();

            assertThat(commits).hasValue(1);
            assertThat(committer.delaying()).isFalse();
        }
    }

    @Test
    @Timeout(60)
    void aWriterThatIsNoIntakeIsCommittedWithoutWaitingWhenNoIntakeIsOnItsWay() throws IOException {
        CommitDelay delay = new CommitDelay(FOREVER);
        try (GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, delay)) {
            committer.awaitDurable();

            assertThat(commits).hasValue(1);
        }
    }

    @Test
    @Timeout(60)
    void anIntakeThatEndedWithoutJoiningHoldsNoCommitBack() throws Exception {
        CommitDelay delay = new CommitDelay(FOREVER);
        try (GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, delay)) {
            intakes.submit(() -> {
                delay.begin();
                delay.end(); // refused before it appended anything
            }).get();

            committer.awaitDurable();

            assertThat(commits).hasValue(1);
        }
    }

    @Test
    @Timeout(60)
    void concurrentIntakesShareOneCommitWhenTheCommitWaitsForTheOneOnItsWay() throws Exception {
        CommitDelay delay = new CommitDelay(FOREVER);
        try (GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, delay)) {
            twoIntakesShareACommit(delay, committer);

            assertThat(commits).hasValue(1);
        }
    }

    /** Two intakes on their way; the commit the first one joins waits for the second. */
    private void twoIntakesShareACommit(CommitDelay delay, GroupCommitter committer) throws Exception {
        CountDownLatch secondMayJoin = new CountDownLatch(1);
        Future<?> second = intakeOnItsWay(delay, committer, secondMayJoin);
        Future<?> first = intakeOnItsWay(delay, committer, new CountDownLatch(0));
        await().atMost(Duration.ofSeconds(30)).until(committer::delaying);
        assertThat(first).isNotDone();
        secondMayJoin.countDown();
        first.get();
        second.get();
    }

    /**
     * Under steady load the writers of one commit come back together: a commit that has fewer than the last one
     * waits for more (here for ever, the bound) instead of starting with the first.
     */
    @Test
    @Timeout(60)
    void aCommitWithFewerWritersThanTheLastOneWaitsForMore() throws Exception {
        CommitDelay delay = new CommitDelay(FOREVER);
        try (GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, delay)) {
            twoIntakesShareACommit(delay, committer);
            assertThat(commits).hasValue(1);

            Future<?> third = intakes.submit(() -> {
                committer.awaitDurable();
                return null;
            });
            await().atMost(Duration.ofSeconds(30)).until(committer::delaying);
            assertThat(third).isNotDone();
            committer.awaitDurable();
            third.get();

            assertThat(commits).hasValue(2);
        }
    }

    @Test
    @Timeout(60)
    void theWaitForAnIntakeThatNeverJoinsIsBounded() throws Exception {
        CommitDelay delay = new CommitDelay(Duration.ofMillis(5));
        try (GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, delay)) {
            intakeOnItsWay(delay, committer, new CountDownLatch(1)); // still reading its DATA, for good

            committer.awaitDurable();

            assertThat(commits).hasValue(1);
        }
    }

    @Test
    @Timeout(60)
    void closingDuringTheWaitCommitsForEveryWriterThatJoinedAndRefusesLaterOnes() throws Exception {
        CommitDelay delay = new CommitDelay(FOREVER);
        GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, delay);
        CountDownLatch lateMayJoin = new CountDownLatch(1);
        Future<?> late = intakeOnItsWay(delay, committer, lateMayJoin);
        Future<?> joined = intakeOnItsWay(delay, committer, new CountDownLatch(0));
        await().atMost(Duration.ofSeconds(30)).until(committer::delaying);

        committer.close();
        joined.get();
        assertThat(commits).hasValue(1);
        lateMayJoin.countDown();

        assertThatThrownBy(late::get).hasCauseInstanceOf(IOException.class).hasMessageContaining("spool is closed");
        assertThat(commits).hasValue(1);
    }

    @Test
    @Timeout(60)
    void aFailedCommitAfterTheWaitFailsEveryWriterInIt() throws Exception {
        CommitDelay delay = new CommitDelay(FOREVER);
        try (GroupCommitter committer = new GroupCommitter("test", () -> {
            throw new IOException("disk gone");
        }, delay)) {
            CountDownLatch secondMayJoin = new CountDownLatch(1);
            Future<?> second = intakeOnItsWay(delay, committer, secondMayJoin);
            Future<?> first = intakeOnItsWay(delay, committer, new CountDownLatch(0));
            await().atMost(Duration.ofSeconds(30)).until(committer::delaying);
            secondMayJoin.countDown();

            assertThatThrownBy(first::get).hasRootCauseMessage("disk gone");
            assertThatThrownBy(second::get).hasRootCauseMessage("disk gone");
        }
    }

    @Test
    void aLazyRequestRidesAlongWithTheNextCommitSomebodyWaitsFor() throws IOException {
        try (GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, CommitDelay.none(), Duration.ofHours(1))) {
            committer.request();
            committer.request();
            committer.awaitDurable();

            assertThat(committer.syncCount()).isEqualTo(1);
        }
        assertThat(commits).hasValue(1);
    }

    @Test
    void aLazyRequestNobodyWaitsForIsCommittedAfterTheDelay() {
        try (GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, CommitDelay.none(), Duration.ofMillis(20))) {
            committer.request();

            await().atMost(Duration.ofSeconds(30)).until(() -> commits.get() == 1);
        }
    }

    @Test
    void closingCommitsALazyRequestStillPending() {
        GroupCommitter committer = new GroupCommitter("test", commits::incrementAndGet, CommitDelay.none(), Duration.ofHours(1));
        committer.request();
        committer.close();

        assertThat(commits).hasValue(1);
    }

    @Test
    void closingWithNothingPendingCommitsNothing() {
        new GroupCommitter("test", commits::incrementAndGet, CommitDelay.none(), Duration.ofHours(1)).close();

        assertThat(commits).hasValue(0);
    }
}
