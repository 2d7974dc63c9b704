package io.stsdane.relay.tlsrpt.internal;

import io.stsdane.relay.core.queue.MessageIntake;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/** The sender for each supported {@code rua} scheme. Thread-safe. */
public final class ReportSenders {

    private final MailReportSender mail;
    private final HttpsReportSender https;

    private ReportSenders(MailReportSender mail, HttpsReportSender https) {
        this.mail = mail;
        this.https = https;
    }

    /** @param http the relay's base HTTP client, from which the HTTPS sender derives its own */
    public static ReportSenders create(MessageIntake intake, String from, String submitter, OkHttpClient http,
            X509TrustManager trustManager, Duration httpTimeout, Clock clock) {
        return new ReportSenders(new MailReportSender(intake, from, submitter, clock),
                new HttpsReportSender(http, trustManager, httpTimeout));
    }

    /** Keyed by lower-case URI scheme. */
    Map<String, ReportSender> byScheme() {
        return Map.of("mailto", mail, "https", https);
    }
}
