package io.stsdane.relay.tlsrpt;

import static io.stsdane.relay.tlsrpt.testing.Sessions.failed;
import static io.stsdane.relay.tlsrpt.testing.Sessions.ok;
import static io.stsdane.relay.tlsrpt.testing.Sessions.sts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.testkit.time.MutableClock;
import io.stsdane.relay.core.testing.HttpClients;
import io.stsdane.relay.tlsrpt.testing.Rfc8460Report;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsRptPersistenceTest {

    private static final Instant DAY = Instant.parse("2026-11-27T00:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(DAY.plus(Duration.ofHours(8)));
    private final CapturingIntake intake = new CapturingIntake();
    private final InMemoryDnsResolver dns = new InMemoryDnsResolver()
            .txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tlsrpt@example.com");

    private TlsRpt open() {
        return TlsRpt.builder().directory(dir).resolver(dns).httpClient(HttpClients.resolvingThrough(dns)).intake(intake).organization("Relay Operator")
                .contact("postmaster@relay.example.net").submitterDomain("relay.example.net").clock(clock).build();
    }

    @Test
    void countsSurviveARestart() throws Exception {
        try (TlsRpt first = open()) {
            first.reporter().record(ok(sts("example.com"), "mx1.example.com"));
            first.reporter().record(failed(sts("example.com"), "mx1.example.com", TlsFailure.VALIDATION_FAILURE));
        }
        try (TlsRpt second = open()) {
            second.reporter().record(ok(sts("example.com"), "mx1.example.com"));
            clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofHours(1)));

            assertThat(second.runDailyReports().reportsBuilt()).isEqualTo(1);
        }

        JsonNode policy = Rfc8460Report.policy(reportOf(intake.accepted().get(0)), "sts", null);
        assertThat(policy.path("summary").path("total-successful-session-count").asLong()).isEqualTo(2);
        assertThat(policy.path("summary").path("total-failure-session-count").asLong()).isEqualTo(1);
        assertThat(policy.path("failure-details").path(0).path("failure-reason-code").asText())
                .isEqualTo("validation-failure at mx1.example.com");
    }

    @Test
    void anUndeliveredReportSurvivesARestartAndIsSentOnce() throws Exception {
        intake.full(true);
        try (TlsRpt first = open()) {
            first.reporter().record(ok(sts("example.com"), "mx1.example.com"));
            clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofHours(1)));
            assertThat(first.runDailyReports()).isEqualTo(new RunSummary(1, 0, 1, 1));
        }
        intake.full(false);
        try (TlsRpt second = open()) {
            assertThat(second.runDailyReports()).isEqualTo(new RunSummary(0, 1, 0, 0));
            assertThat(second.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));
        }
        assertThat(intake.accepted()).hasSize(1);
    }

    @Test
    void aCrashAfterStoringAReportDoesNotReportTheDayTwice() throws Exception {
        try (TlsRpt first = open()) {
            first.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        }
        Path stale = Files.copy(dir.resolve("counters.json"), dir.resolve("counters.stale"));
        intake.full(true);
        clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofHours(1)));
        try (TlsRpt second = open()) {
            assertThat(second.runDailyReports().pending()).isEqualTo(1);
        }
        // As if the process died after storing the report but before saving the counters without that day.
        Files.move(stale, dir.resolve("counters.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        intake.full(false);
        try (TlsRpt third = open()) {
            assertThat(third.runDailyReports()).isEqualTo(new RunSummary(0, 1, 0, 0));
        }
        assertThat(intake.accepted()).hasSize(1);
    }

    @Test
    void aCounterFileFromBeforeMxHostWasAListStillReads() throws Exception {
        Files.writeString(dir.resolve("counters.json"), """
                {"version":1,"days":{"2026-11-27":[{"key":{"domain":"example.com","type":"tlsa",
                 "policyString":["dane: 3 1 1 ab"],"mxHost":"mx1.example.com"},"success":3,"failure":0,"failures":[]},
                 {"key":{"domain":"example.com","type":"no-policy-found","policyString":[],"mxHost":null},
                 "success":1,"failure":0,"failures":[]}]}}
                """);
        try (TlsRpt relay = open()) {
            clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofHours(1)));
            assertThat(relay.runDailyReports().reportsBuilt()).isEqualTo(1);
        }

        JsonNode report = reportOf(intake.accepted().get(0));
        JsonNode tlsa = Rfc8460Report.policy(report, "tlsa", "mx1.example.com");
        assertThat(tlsa.path("summary").path("total-successful-session-count").asLong()).isEqualTo(3);
        assertThat(Rfc8460Report.policy(report, "no-policy-found", null).path("policy").has("mx-host")).isFalse();
    }

    @Test
    void aCorruptCounterFileIsMovedAsideAndTheRelayStillStarts() throws Exception {
        Files.writeString(dir.resolve("counters.json"), "{ not json");

        try (TlsRpt tlsRpt = open()) {
            tlsRpt.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        }

        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .anyMatch(n -> n.startsWith("counters.json.corrupt-"))
                    .contains("counters.json");
        }
    }

    private static JsonNode reportOf(CapturingIntake.Accepted mail) {
        return Rfc8460Report.attachedTo(Rfc8460Report.mail(mail));
    }
}
