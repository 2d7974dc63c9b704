package io.stsdane.relay.tlsrpt.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.core.tls.TlsFailure;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Arrays;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

/** Gunzips a report and checks it against the fields RFC 8460 §4.4 requires, with their JSON types. */
public final class Rfc8460Report {

    private static final Set<String> POLICY_TYPES = Set.of("sts", "tlsa", "no-policy-found");
    private static final Set<String> RESULT_TYPES =
            Arrays.stream(TlsFailure.values()).map(TlsFailure::resultType).collect(Collectors.toSet());

    private Rfc8460Report() {
    }

    /** The parsed report, after checking every required field and the counts' consistency. */
    public static JsonNode parseValid(byte[] gzip) {
        JsonNode root;
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip))) {
            root = new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("report is not gzip-compressed JSON", e);
        }
        assertThat(root.path("organization-name").isTextual()).as("organization-name").isTrue();
        assertThat(root.path("contact-info").isTextual()).as("contact-info").isTrue();
        assertThat(root.path("report-id").isTextual()).as("report-id").isTrue();
        Instant start = Instant.parse(root.path("date-range").path("start-datetime").asText());
        Instant end = Instant.parse(root.path("date-range").path("end-datetime").asText());
        assertThat(end).as("date-range").isAfter(start);
        assertThat(root.path("policies").isArray()).as("policies").isTrue();
        assertThat(root.path("policies")).as("policies").isNotEmpty();
        for (JsonNode p : root.path("policies")) {
            checkPolicy(p);
        }
        return root;
    }

    private static void checkPolicy(JsonNode p) {
        JsonNode policy = p.path("policy");
        assertThat(policy.path("policy-type").asText()).isIn(POLICY_TYPES);
        assertThat(policy.path("policy-domain").isTextual()).as("policy-domain").isTrue();
        for (String list : new String[] {"policy-string", "mx-host"}) {
            if (policy.has(list)) {
                assertThat(policy.path(list).isArray()).as(list).isTrue();
                policy.path(list).forEach(s -> assertThat(s.isTextual()).as(list).isTrue());
            }
        }
        JsonNode summary = p.path("summary");
        assertThat(summary.path("total-successful-session-count").canConvertToLong()
                && summary.path("total-successful-session-count").isIntegralNumber()).isTrue();
        assertThat(summary.path("total-failure-session-count").isIntegralNumber()).isTrue();
        long detailed = 0;
        for (JsonNode f : p.path("failure-details")) {
            assertThat(f.path("result-type").asText()).isIn(RESULT_TYPES);
            assertThat(f.path("receiving-mx-hostname").isTextual()).as("receiving-mx-hostname").isTrue();
            assertThat(f.path("failed-session-count").isIntegralNumber()).as("failed-session-count").isTrue();
            detailed += f.path("failed-session-count").asLong();
        }
        assertThat(detailed).as("failure details within the failure total")
                .isLessThanOrEqualTo(summary.path("total-failure-session-count").asLong());
    }

    /** The report mail as the queue took it. */
    public static MimeMessage mail(CapturingIntake.Accepted accepted) {
        try {
            return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(accepted.content()));
        } catch (MessagingException e) {
            throw new AssertionError("not a mail: " + e, e);
        }
    }

    /** The report attached to a report mail, checked as {@link #parseValid} does. */
    public static JsonNode attachedTo(MimeMessage mail) {
        try {
            return parseValid(((MimeMultipart) mail.getContent()).getBodyPart(1).getInputStream().readAllBytes());
        } catch (MessagingException | IOException e) {
            throw new AssertionError("no report attached: " + e, e);
        }
    }

    /** The policy entry of the given type (and MX host for tlsa). */
    public static JsonNode policy(JsonNode report, String type, String mxHost) {
        for (JsonNode p : report.path("policies")) {
            JsonNode policy = p.path("policy");
            if (policy.path("policy-type").asText().equals(type)
                    && (mxHost == null || policy.path("mx-host").path(0).asText().equals(mxHost))) {
                return p;
            }
        }
        throw new AssertionError("no " + type + " policy for " + mxHost + " in " + report);
    }
}
