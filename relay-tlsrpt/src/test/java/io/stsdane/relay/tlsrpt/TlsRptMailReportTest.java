package io.stsdane.relay.tlsrpt;

import static io.stsdane.relay.tlsrpt.testing.Sessions.dane;
import static io.stsdane.relay.tlsrpt.testing.Sessions.failed;
import static io.stsdane.relay.tlsrpt.testing.Sessions.ok;
import static io.stsdane.relay.tlsrpt.testing.Sessions.sts;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.TlsReporter;
import io.stsdane.relay.testkit.time.MutableClock;
import io.stsdane.relay.core.testing.HttpClients;
import io.stsdane.relay.tlsrpt.testing.Rfc8460Report;
import io.stsdane.relay.tlsrpt.testing.Sessions;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsRptMailReportTest {

    private static final Instant DAY = Instant.parse("2026-11-27T00:00:00Z");

    @TempDir
    Path dir;

    private final MutableClock clock = new MutableClock(DAY.plus(Duration.ofHours(10)));
    private final CapturingIntake intake = new CapturingIntake();
    private final InMemoryDnsResolver dns = new InMemoryDnsResolver()
            .txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:tlsrpt@reports.example.com");
    private TlsRpt tlsRpt;

    @BeforeEach
    void setUp() {
        tlsRpt = TlsRpt.builder().directory(dir).resolver(dns).httpClient(HttpClients.resolvingThrough(dns)).intake(intake)
                .organization("Relay Operator").contact("mailto:postmaster@relay.example.net")
                .submitterDomain("relay.example.net").from("tlsrpt@relay.example.net")
                .sendingMtaIp("198.51.100.7").clock(clock).build();
    }

    @AfterEach
    void tearDown() {
        tlsRpt.close();
    }

    @Test
    void dailyReportArrivesAsRfc8460MultipartReportThroughTheQueue() throws Exception {
        TlsReporter reporter = tlsRpt.reporter();
        TlsPolicy sts = sts("example.com");
        for (int i = 0; i < 5; i++) {
            reporter.record(ok(sts, "mx1.example.com"));
        }
        reporter.record(failed(sts, "mx2.example.com", TlsFailure.CERTIFICATE_EXPIRED));
        reporter.record(failed(sts, "mx2.example.com", TlsFailure.CERTIFICATE_EXPIRED));
        reporter.record(ok(dane("example.com", "mx3.example.com"), "mx3.example.com"));

        clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(10)));
        RunSummary run = tlsRpt.runDailyReports();

        assertThat(run).isEqualTo(new RunSummary(1, 1, 0, 0));
        CapturingIntake.Accepted mail = intake.accepted().get(0);
        assertThat(mail.envelope().sender()).isEqualTo("tlsrpt@relay.example.net");
        assertThat(mail.envelope().recipients()).extracting(Recipient::address)
                .containsExactly("tlsrpt@reports.example.com");
        // RFC 8460 §5.3.1: marked so the delivery engine does not honour MTA-STS or DANE failures for it.
        assertThat(mail.envelope().tlsReport()).isTrue();
        assertThat(mail.envelope().requireTls()).isFalse();

        MimeMessage message = new MimeMessage(Session.getInstance(new Properties()),
                new ByteArrayInputStream(mail.content()));
        assertThat(message.getSubject()).matches(
                "Report Domain: example\\.com Submitter: relay\\.example\\.net Report-ID: <20261127[0-9a-f]{16}@relay\\.example\\.net>");
        assertThat(message.getHeader("TLS-Report-Domain", null)).isEqualTo("example.com");
        assertThat(message.getHeader("TLS-Report-Submitter", null)).isEqualTo("relay.example.net");
        assertThat(message.getHeader("TLS-Required", null)).isEqualTo("No");
        assertThat(message.getFrom()[0].toString()).isEqualTo("tlsrpt@relay.example.net");
        assertThat(message.getContentType()).startsWith("multipart/report").contains("report-type=\"tlsrpt\"");

        MimeMultipart parts = (MimeMultipart) message.getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(0).getContentType()).startsWith("text/plain");
        Part report = parts.getBodyPart(1);
        assertThat(report.getContentType()).isEqualTo("application/tlsrpt+gzip");
        assertThat(report.getDisposition()).isEqualTo(Part.ATTACHMENT);
        long start = DAY.getEpochSecond();
        assertThat(report.getFileName()).matches("relay\\.example\\.net!example\\.com!" + start + "!"
                + (start + 86_399) + "!20261127[0-9a-f]{16}\\.json\\.gz");

        JsonNode json = Rfc8460Report.parseValid(report.getInputStream().readAllBytes());
        assertThat(json.path("organization-name").asText()).isEqualTo("Relay Operator");
        assertThat(json.path("contact-info").asText()).isEqualTo("mailto:postmaster@relay.example.net");
        assertThat(json.path("date-range").path("start-datetime").asText()).isEqualTo("2026-11-27T00:00:00Z");
        assertThat(json.path("date-range").path("end-datetime").asText()).isEqualTo("2026-11-27T23:59:59Z");
        assertThat(message.getSubject()).contains("<" + json.path("report-id").asText() + ">");

        JsonNode stsPolicy = Rfc8460Report.policy(json, "sts", null);
        assertThat(stsPolicy.path("policy").path("policy-domain").asText()).isEqualTo("example.com");
        assertThat(texts(stsPolicy.path("policy").path("policy-string")))
                .as("RFC 8460 §4.4: the MTA-STS policy, one line per element")
                .containsExactlyElementsOf(Sessions.stsLines("example.com"));
        assertThat(texts(stsPolicy.path("policy").path("mx-host"))).as("mx-host: the policy's mx patterns")
                .containsExactly("mx1.example.com", "*.backup.example.com");
        assertThat(stsPolicy.path("summary").path("total-successful-session-count").asLong()).isEqualTo(5);
        assertThat(stsPolicy.path("summary").path("total-failure-session-count").asLong()).isEqualTo(2);
        JsonNode failure = stsPolicy.path("failure-details").path(0);
        assertThat(failure.path("result-type").asText()).isEqualTo("certificate-expired");
        assertThat(failure.path("sending-mta-ip").asText()).isEqualTo("198.51.100.7");
        assertThat(failure.path("receiving-mx-hostname").asText()).isEqualTo("mx2.example.com");
        assertThat(failure.path("receiving-ip").asText()).isEqualTo("192.0.2.20");
        assertThat(failure.path("failed-session-count").asLong()).isEqualTo(2);

        JsonNode tlsaPolicy = Rfc8460Report.policy(json, "tlsa", "mx3.example.com");
        assertThat(texts(tlsaPolicy.path("policy").path("policy-string"))).as("the TLSA records")
                .containsExactly(Sessions.TLSA);
        assertThat(texts(tlsaPolicy.path("policy").path("mx-host"))).containsExactly("mx3.example.com");
        assertThat(tlsaPolicy.path("summary").path("total-successful-session-count").asLong()).isEqualTo(1);
        assertThat(tlsaPolicy.has("failure-details")).isFalse();
    }

    @Test
    void noReportBeforeTheDayIsClosedAndNoneTwice() {
        tlsRpt.reporter().record(ok(sts("example.com"), "mx1.example.com"));

        clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(1)));
        assertThat(tlsRpt.runDailyReports().reportsBuilt()).as("within the grace period after midnight").isZero();
        assertThat(intake.accepted()).isEmpty();

        clock.advance(Duration.ofHours(1));
        assertThat(tlsRpt.runDailyReports().reportsBuilt()).isEqualTo(1);
        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(intake.accepted()).hasSize(1);
    }

    @Test
    void domainsWithoutARecordGetNothingAndTheirCountsAreDropped() {
        tlsRpt.reporter().record(ok(sts("no-rpt.example"), "mx1.no-rpt.example"));

        clock.set(DAY.plus(Duration.ofDays(2)));
        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));

        dns.txt("_smtp._tls.no-rpt.example", "v=TLSRPTv1; rua=mailto:r@no-rpt.example");
        assertThat(tlsRpt.runDailyReports().reportsBuilt()).as("counts were forgotten").isZero();
        assertThat(intake.accepted()).isEmpty();
    }

    @Test
    void aFullQueueKeepsTheReportForTheNextRun() {
        tlsRpt.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofHours(1)));
        intake.full(true);

        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(1, 0, 1, 1));

        intake.full(false);
        clock.advance(Duration.ofHours(1));
        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(0, 1, 0, 0));
        assertThat(intake.accepted()).hasSize(1);
    }

    @Test
    void aFailingDestinationWaitsLongerAfterEachFailure() {
        tlsRpt.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        Instant firstFailure = DAY.plus(Duration.ofDays(1)).plus(Duration.ofHours(1));
        clock.set(firstFailure);
        intake.full(true);
        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(1, 0, 1, 1));

        clock.set(firstFailure.plus(Duration.ofMinutes(29)));
        assertThat(tlsRpt.runDailyReports()).as("not due yet: not tried").isEqualTo(new RunSummary(0, 0, 0, 0));
        Instant secondFailure = firstFailure.plus(Duration.ofMinutes(30));
        clock.set(secondFailure);
        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(0, 0, 1, 1));

        intake.full(false);
        clock.set(secondFailure.plus(Duration.ofMinutes(59)));
        assertThat(tlsRpt.runDailyReports()).as("twice as long now").isEqualTo(new RunSummary(0, 0, 0, 0));
        clock.set(secondFailure.plus(Duration.ofHours(1)));
        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(0, 1, 0, 0));
        assertThat(intake.accepted()).hasSize(1);
    }

    @Test
    void dnsTroubleKeepsTheCountsUntilTheLookupWorks() {
        tlsRpt.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        dns.failing("_smtp._tls.example.com", "SERVFAIL");
        clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofHours(1)));

        assertThat(tlsRpt.runDailyReports().reportsBuilt()).isZero();

        dns.healed("_smtp._tls.example.com");
        assertThat(tlsRpt.runDailyReports().reportsBuilt()).isEqualTo(1);
        assertThat(intake.accepted()).hasSize(1);
    }

    @Test
    void aMalformedMailtoAddressIsDroppedNotRetriedForever() {
        dns.txt("_smtp._tls.example.com", "v=TLSRPTv1; rua=mailto:no-at-sign.example.com");
        tlsRpt.reporter().record(ok(sts("example.com"), "mx1.example.com"));
        clock.set(DAY.plus(Duration.ofDays(1)).plus(Duration.ofHours(1)));

        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(1, 0, 1, 0));
        assertThat(tlsRpt.runDailyReports()).isEqualTo(new RunSummary(0, 0, 0, 0));
        assertThat(intake.accepted()).isEmpty();
    }

    private static List<String> texts(JsonNode array) {
        assertThat(array.isArray()).isTrue();
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
