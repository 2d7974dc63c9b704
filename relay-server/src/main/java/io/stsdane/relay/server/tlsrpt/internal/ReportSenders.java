package io.stsdane.relay.server.tlsrpt.internal;

import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.queue.MessageIntake;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.X509TrustManager;

/** The sender for each supported {@code rua} scheme, and their shutdown. Thread-safe. */
public final class ReportSenders implements AutoCloseable {

    private final MailReportSender mail;
    private final HttpsReportSender https;

    private ReportSenders(MailReportSender mail, HttpsReportSender https) {
        this.mail = mail;
        this.https = https;
    }

    public static ReportSenders create(MessageIntake intake, String from, String submitter, DnsResolver resolver,
            X509TrustManager trustManager, Duration httpTimeout, Clock clock) {
        return new ReportSenders(new MailReportSender(intake, from, submitter, clock),
                new HttpsReportSender(resolver, trustManager, httpTimeout));
    }

    /** Keyed by lower-case URI scheme. */
    public Map<String, ReportSender> byScheme() {
        return Map.of("mailto", mail, "https", https);
    }

    @Override
    public void close() {
        https.close();
    }
}
