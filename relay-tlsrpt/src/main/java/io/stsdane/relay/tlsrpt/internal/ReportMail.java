package io.stsdane.relay.tlsrpt.internal;

import io.stsdane.relay.tlsrpt.PendingReport;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;

/**
 * Renders a report as the mail RFC 8460 §5.3 asks for: a {@code multipart/report; report-type="tlsrpt"}
 * message with a human-readable part and the gzip report as an {@code application/tlsrpt+gzip} attachment.
 * Stateless; CRLF line endings, 7-bit only, as {@code MessageIntake} expects.
 */
final class ReportMail {

    private static final String CRLF = "\r\n";
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.ROOT).withZone(ZoneOffset.UTC);

    private ReportMail() {
    }

    /** The attachment name of RFC 8460 §5.1: {@code submitter!policy-domain!begin!end!unique-id.json.gz}. */
    static String fileName(String submitter, PendingReport report) {
        return submitter + "!" + report.policyDomain() + "!" + report.start().getEpochSecond() + "!"
                + report.end().getEpochSecond() + "!" + report.uniqueId() + ".json.gz";
    }

    static byte[] render(String from, String to, String submitter, PendingReport report, Instant now) {
        String boundary = "tlsrpt-" + report.uniqueId();
        StringBuilder m = new StringBuilder(report.gzip().length * 4 / 3 + 2048);
        header(m, "From", from);
        header(m, "To", to);
        header(m, "Date", DATE.format(now));
        // RFC 8460 §5.3: the Subject names the domain, the submitter and the report id; long, so folded.
        header(m, "Subject", "Report Domain: " + report.policyDomain() + CRLF + " Submitter: " + submitter
                + CRLF + " Report-ID: <" + report.reportId() + ">");
        header(m, "TLS-Report-Domain", report.policyDomain());
        header(m, "TLS-Report-Submitter", submitter);
        // RFC 8460 §5.3.1 wants reports delivered despite TLS failures at the receiver; RFC 8689 §5 is how a
        // message asks later hops for that. This relay does not trust the header (client mail never downgrades):
        // MailReportSender marks the envelope instead.
        header(m, "TLS-Required", "No");
        header(m, "Message-ID", "<" + report.uniqueId() + ".tlsrpt@" + submitter + ">");
        header(m, "Auto-Submitted", "auto-generated");
        header(m, "MIME-Version", "1.0");
        header(m, "Content-Type", "multipart/report; report-type=\"tlsrpt\";" + CRLF + " boundary=\"" + boundary + "\"");
        m.append(CRLF);
        m.append("This is a multipart message in MIME format.").append(CRLF).append(CRLF);
        m.append("--").append(boundary).append(CRLF);
        header(m, "Content-Type", "text/plain; charset=us-ascii");
        header(m, "Content-Transfer-Encoding", "7bit");
        m.append(CRLF);
        m.append("This is an aggregate TLS report (RFC 8460) from ").append(submitter).append(CRLF);
        m.append("about mail sent to ").append(report.policyDomain()).append(" between ").append(report.start())
                .append(" and ").append(report.end()).append('.').append(CRLF);
        m.append("The report is attached as gzip-compressed JSON.").append(CRLF).append(CRLF);
        m.append("--").append(boundary).append(CRLF);
        header(m, "Content-Type", "application/tlsrpt+gzip");
        header(m, "Content-Transfer-Encoding", "base64");
        header(m, "Content-Disposition", "attachment;" + CRLF + " filename=\"" + fileName(submitter, report) + "\"");
        m.append(CRLF);
        m.append(Base64.getMimeEncoder(76, CRLF.getBytes(StandardCharsets.US_ASCII)).encodeToString(report.gzip()));
        m.append(CRLF);
        m.append("--").append(boundary).append("--").append(CRLF);
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static void header(StringBuilder m, String name, String value) {
        m.append(name).append(": ").append(value).append(CRLF);
    }
}
