package io.stsdane.relay.tlsrpt.internal;

import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.tlsrpt.PendingReport;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Sends a report to a {@code mailto:} destination by putting a message into the relay's own queue; the queue
 * then delivers it like any other mail, except that its envelope is marked as a TLS-RPT report so the delivery
 * engine does not honour MTA-STS or DANE failures for it (RFC 8460 §5.3.1): the domain with broken TLS is the
 * one that needs the report. "Delivered" here means durably queued. Thread-safe when the intake is.
 */
final class MailReportSender implements ReportSender {

    /** dot-atom local part (RFC 5322 §3.2.3); quoted local parts and UTF-8 are not worth supporting here. */
    private static final Pattern LOCAL_PART =
            Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");

    private final MessageIntake intake;
    private final String from;
    private final String submitter;
    private final Clock clock;

    MailReportSender(MessageIntake intake, String from, String submitter, Clock clock) {
        this.intake = intake;
        this.from = from;
        this.submitter = submitter;
        this.clock = clock;
    }

    @Override
    public SendResult send(PendingReport report, URI destination) {
        List<String> recipients;
        try {
            recipients = addresses(destination);
        } catch (IllegalArgumentException e) {
            return new SendResult.Rejected(e.getMessage());
        }
        Instant now = clock.instant();
        // The node that built the report is its submitter, whichever node sends it; files from before the
        // submitter was stored were built here.
        String builtBy = report.submitter() != null ? report.submitter() : submitter;
        byte[] message = ReportMail.render(from, String.join(", ", recipients), builtBy, report, now);
        Envelope envelope = new Envelope(from, recipients.stream().map(Recipient::of).toList(), null, null,
                false, false, false, now, "tls-reporting", true);
        try {
            intake.accept(intake.nextId(), envelope, new ByteArrayInputStream(message));
            return new SendResult.Delivered();
        } catch (IntakeException e) {
            return new SendResult.Retry("queue refused the report: " + e.code() + " " + e.enhancedStatus()
                    + " " + e.getMessage());
        }
    }

    /** The addresses of a mailto URI (RFC 6068): percent-decoded, several may be comma-separated, no query. */
    static List<String> addresses(URI mailto) {
        String part = mailto.getSchemeSpecificPart();
        int query = part.indexOf('?');
        String to = query < 0 ? part : part.substring(0, query);
        List<String> result = new ArrayList<>();
        for (String address : to.split(",")) {
            result.add(address(address.strip(), mailto));
        }
        return result;
    }

    private static String address(String address, URI mailto) {
        int at = address.lastIndexOf('@');
        if (at <= 0 || !LOCAL_PART.matcher(address.substring(0, at)).matches()) {
            throw new IllegalArgumentException("not a usable mail address in " + mailto + ": '" + address + "'");
        }
        return address.substring(0, at) + "@" + DomainNames.domainOf(address);
    }
}
