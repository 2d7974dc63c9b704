package io.stsdane.relay.tlsrpt;

import static io.stsdane.relay.tlsrpt.testing.Sessions.ok;
import static io.stsdane.relay.tlsrpt.testing.Sessions.sts;
import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.testkit.time.MutableClock;
import io.stsdane.relay.core.testing.HttpClients;
import io.stsdane.relay.tlsrpt.testing.Rfc8460Report;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The RFC 8460 {@code report-id} is not random: a report built or sent again carries the same id (and Message-ID),
 * so that the receiver can discard the copy, while reports of other reporters, days or domains never share it.
 */
class TlsRptReportIdTest {

    private static final Instant DAY = Instant.parse("2026-11-27T00:00:00Z");

    @TempDir
    Path dir;

    private final InMemoryDnsResolver dns = new InMemoryDnsResolver()
            .txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tlsrpt@reports.example.com")
            .txt("_smtp._tls.example.org", "v=TLSRPTv1; rua=mailto:tlsrpt@reports.example.org");
    private int relays;

    /** Who reports, on what, and how many sessions it counted. */
    private record Reporter(String organization, String submitter, String domain, Instant day, int sessions) {
        Reporter with(String organization, String submitter, String domain, Instant day) {
            return new Reporter(organization, submitter, domain, day, sessions);
        }
    }

    @Test
    void theReportIdDependsOnWhoReportsOnWhichDayAndDomainOnly() throws Exception {
        Reporter base = new Reporter("Relay Operator", "relay.example.net", "example.com", DAY, 1);
        String id = reportId(base);

        assertThat(reportId(new Reporter("Relay Operator", "relay.example.net", "example.com", DAY, 5)))
                .as("other counts: the same report built again").isEqualTo(id);
        assertThat(List.of(
                reportId(base.with("Other Operator", "relay.example.net", "example.com", DAY)),
                reportId(base.with("Relay Operator", "relay2.example.net", "example.com", DAY)),
                reportId(base.with("Relay Operator", "relay.example.net", "example.org", DAY)),
                reportId(base.with("Relay Operator", "relay.example.net", "example.com", DAY.plus(Duration.ofDays(1))))))
                .as("another organization, another relay reporting on its own, another domain, another day")
                .doesNotContain(id)
                .doesNotHaveDuplicates();
    }

    @Test
    void aReportSentAgainAfterACrashBeforeItsDeliveryWasRecordedCarriesTheSameIds() throws Exception {
        MutableClock clock = new MutableClock(DAY.plus(Duration.ofHours(10)));
        CapturingIntake intake = new CapturingIntake();
        Path pending = dir.resolve("pending/2026-11-27_example.com.json");
        try (TlsRpt relay = relay(dir, "Relay Operator", "relay.example.net", clock, intake)) {
            relay.reporter().record(ok(sts("example.com"), "mx1.example.com"));
            clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(10)));
            intake.full(true);
            assertThat(relay.runDailyReports().pending()).isEqualTo(1);
            Path copy = Files.copy(pending, dir.resolve("pending.copy"));
            intake.full(false);
            clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(40))); // the first retry is due
            assertThat(relay.runDailyReports().deliveries()).isEqualTo(1);
            assertThat(pending).doesNotExist();
            // As if the process died after the queue took the report but before the file was updated.
            Files.move(copy, pending, StandardCopyOption.REPLACE_EXISTING);
            assertThat(relay.runDailyReports().deliveries()).isEqualTo(1);
        }

        MimeMessage first = Rfc8460Report.mail(intake.accepted().get(0));
        MimeMessage again = Rfc8460Report.mail(intake.accepted().get(1));
        assertThat(Rfc8460Report.attachedTo(again).path("report-id"))
                .isEqualTo(Rfc8460Report.attachedTo(first).path("report-id"));
        assertThat(again.getMessageID()).isEqualTo(first.getMessageID());
    }

    /** The report-id of the report a fresh relay of {@code r} sends for its sessions. */
    private String reportId(Reporter r) throws Exception {
        MutableClock clock = new MutableClock(r.day().plus(Duration.ofHours(10)));
        CapturingIntake intake = new CapturingIntake();
        try (TlsRpt relay = relay(dir.resolve("relay" + relays++), r.organization(), r.submitter(), clock, intake)) {
            for (int i = 0; i < r.sessions(); i++) {
                relay.reporter().record(ok(sts(r.domain()), "mx1." + r.domain()));
            }
            clock.set(r.day().plus(Duration.ofDays(1)).plus(Duration.ofMinutes(10)));
            assertThat(relay.runDailyReports().deliveries()).isEqualTo(1);
        }
        return Rfc8460Report.attachedTo(Rfc8460Report.mail(intake.accepted().get(0))).path("report-id").asText();
    }

    private TlsRpt relay(Path directory, String organization, String submitter, MutableClock clock,
            CapturingIntake intake) {
        return TlsRpt.builder().directory(directory).resolver(dns).httpClient(HttpClients.resolvingThrough(dns))
                .intake(intake).organization(organization)
                .contact("mailto:postmaster@relay.example.net").submitterDomain(submitter).clock(clock).build();
    }
}
