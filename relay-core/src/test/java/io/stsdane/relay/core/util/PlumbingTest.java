package io.stsdane.relay.core.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class PlumbingTest {

    @Test
    void aChunkStreamsOneOctetReadGoesThroughItsChunkReadAndKeepsOctetsAbove127() throws IOException {
        byte[] data = {0, 0x7f, (byte) 0x80, (byte) 0xff};
        ChunkInputStream in = new ChunkInputStream() {
            private int at;

            @Override
            public int read(byte[] b, int off, int len) {
                if (at == data.length) {
                    return -1;
                }
                b[off] = data[at++];
                return 1;
            }
        };

        assertThat(new int[] {in.read(), in.read(), in.read(), in.read(), in.read()})
                .containsExactly(0, 0x7f, 0x80, 0xff, -1);
    }

    @Test
    void positiveValuesPassAndOthersNameTheParameter() {
        assertThat(Require.positive(Duration.ofMillis(1), "timeout")).isEqualTo(Duration.ofMillis(1));
        assertThat(Require.positive(3, "poolSize")).isEqualTo(3);
        assertThatThrownBy(() -> Require.positive(Duration.ZERO, "leaseDuration"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("leaseDuration must be positive, was PT0S");
        assertThatThrownBy(() -> Require.positive(Duration.ofSeconds(-1), "leaseDuration"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Require.positive((Duration) null, "connectTimeout"))
                .isInstanceOf(NullPointerException.class).hasMessage("connectTimeout");
        assertThatThrownBy(() -> Require.positive(0L, "dataMinRate"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("dataMinRate must be positive, was 0");
    }

    @Test
    void unwrappingFindsTheFailureInsideTheWrappers() {
        IOException io = new IOException("connection refused");
        Throwable wrapped = new CompletionException(new ExecutionException(new RuntimeException(io)));
        assertThat(Throwables.unwrap(wrapped)).isSameAs(io);
        assertThat(Throwables.rootMessage(wrapped)).isEqualTo("connection refused");
        assertThat(Throwables.rootMessage(new CompletionException(new IllegalStateException())))
                .isEqualTo("java.lang.IllegalStateException");
        IllegalStateException meaningful = new IllegalStateException("bad state", io);
        assertThat(Throwables.unwrap(meaningful)).isSameAs(meaningful);
    }

    @Test
    void awaitGivesTheResultOrSaysWhyNot() throws Exception {
        assertThat(Futures.await(CompletableFuture.completedFuture("ok"), Duration.ofSeconds(1))).isEqualTo("ok");
        assertThatThrownBy(() -> Futures.await(new CompletableFuture<String>(), Duration.ofMillis(10)))
                .isInstanceOf(TimeoutException.class).hasMessage("no answer within 10 ms");
        IOException io = new IOException("refused");
        assertThatThrownBy(() -> Futures.await(CompletableFuture.failedFuture(io), Duration.ofSeconds(1)))
                .isInstanceOf(CompletionException.class).hasCause(io);
    }

    @Test
    void anInterruptedWaitEndsAndKeepsTheFlag() {
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> Futures.await(new CompletableFuture<String>(), Duration.ofMinutes(1)))
                    .isInstanceOf(TimeoutException.class).hasMessage("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }
}
