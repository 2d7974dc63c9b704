package io.stsdane.relay.tlsrpt;

import static io.stsdane.relay.tlsrpt.testing.Sessions.ok;
import static io.stsdane.relay.tlsrpt.testing.Sessions.sts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.testkit.time.MutableClock;
import io.stsdane.relay.core.testing.HttpClients;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsRptLifecycleTest {

    @TempDir
    Path dir;

    private TlsRpt.Builder builder() {
        return TlsRpt.builder().directory(dir.resolve("tlsrpt")).resolver(new InMemoryDnsResolver())
                .httpClient(HttpClients.resolvingThrough(new InMemoryDnsResolver()))
                .intake(new CapturingIntake()).organization("Relay Operator").contact("postmaster@example.net")
                .submitterDomain("relay.example.net").clock(new MutableClock(Instant.parse("2026-11-27T10:00:00Z")));
    }

    @Test
    void startSchedulesTheJobsAndCloseCancelsThemAndSavesTheCounters() {
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
        scheduler.setRemoveOnCancelPolicy(true);
        try {
            TlsRpt tlsRpt = builder().build();
            tlsRpt.start(scheduler);
            assertThat(scheduler.getQueue()).hasSize(2);
            assertThatThrownBy(() -> tlsRpt.start(scheduler)).isInstanceOf(IllegalStateException.class);
            tlsRpt.reporter().record(ok(sts("example.com"), "mx1.example.com"));

            tlsRpt.close();

            assertThat(scheduler.getQueue()).isEmpty();
            assertThat(dir.resolve("tlsrpt/counters.json")).exists();
        } finally {
            scheduler.shutdownNow();
        }
    }

    @Test
    void theBuilderSaysWhatIsMissingOrWrong() {
        assertThatThrownBy(() -> TlsRpt.builder().directory(dir).build())
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("resolver");
        assertThatThrownBy(() -> builder().from("Reports <r@example.net>").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("from");
        assertThatThrownBy(() -> builder().organization("Evil\r\nBcc: x@example.org"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theDirectoryIsCreated() {
        builder().build().close();

        assertThat(Files.isDirectory(dir.resolve("tlsrpt/pending"))).isTrue();
    }
}
