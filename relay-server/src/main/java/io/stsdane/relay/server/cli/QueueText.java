package io.stsdane.relay.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The human-readable forms of the admin API's queue answers (the JSON is what {@code --json} prints). */
final class QueueText {

    /** A reason longer than this is cut in listings; {@code queue show} prints it whole. */
    private static final int REASON_WIDTH = 100;

    private QueueText() {
    }

    /** {@code relay queue list}: one aligned row per message, then the suspended destinations. */
    static void list(PrintWriter out, JsonNode messages, JsonNode suspensions, Instant now) {
        TextTable t = new TextTable("ID", "STATE", "AGE", "NEXT", "SIZE", "SENDER", "RECIPIENTS", "REASON");
        for (JsonNode m : messages) {
            List<String> pending = new ArrayList<>();
            for (JsonNode r : m.path("recipients")) {
                if (!r.path("nextAttempt").isNull() && !r.path("nextAttempt").isMissingNode()) {
                    pending.add(r.path("address").asText());
                }
            }
            int total = m.path("recipients").size();
            String rcpts = String.join(",", pending) + (pending.size() < total
                    ? " (+" + (total - pending.size()) + " done)" : "");
            t.row(m.path("id").asText(), m.path("state").asText(),
                    Times.span(Duration.between(instant(m.path("received")), now)),
                    Times.until(instant(m.path("nextAttempt")), now),
                    String.valueOf(m.path("sizeBytes").asLong()),
                    "<" + m.path("sender").asText() + ">", rcpts, cut(reason(m)));
        }
        t.print(out);
        out.printf("%d message(s)%n", messages.size());
        for (JsonNode s : suspensions) {
            out.printf("Suspended: %s until %s%n", s.path("domain").asText(), s.path("until").isNull()
                    ? "resumed" : Times.at(instant(s.path("until"))));
        }
    }

    /** The reason column: what postpones the message besides its retry schedule first, then the last deferral. */
    private static String reason(JsonNode m) {
        String reason = m.path("reason").isTextual() ? m.path("reason").asText() : "";
        if (m.hasNonNull("quarantine")) {
            reason = "quarantined: " + m.path("quarantine").path("reason").asText();
        }
        if (m.hasNonNull("delayedBy")) {
            reason = m.path("delayedBy").asText() + (reason.isEmpty() ? "" : "; " + reason);
        }
        return reason.isEmpty() ? "-" : reason;
    }

    private static String cut(String s) {
        return s.length() <= REASON_WIDTH ? s : s.substring(0, REASON_WIDTH - 3) + "...";
    }

    /** {@code relay queue show ID}: envelope, recipients with their last status, then the attempt history. */
    static void show(PrintWriter out, JsonNode m, Instant now) {
        Instant received = instant(m.path("received"));
        out.printf("Message %s (%s)%n", m.path("id").asText(), m.path("state").asText());
        out.printf("  Sender:       <%s>%n", m.path("sender").asText());
        out.printf("  Received:     %s (%s ago)%n", Times.at(received), Times.span(Duration.between(received, now)));
        out.printf("  Size:         %d bytes%n", m.path("sizeBytes").asLong());
        out.printf("  Next attempt: %s%n", m.path("held").asBoolean() ? "none while held"
                : Times.at(instant(m.path("nextAttempt"))));
        if (m.hasNonNull("delayedBy")) {
            out.printf("  Delayed by:   %s%n", m.path("delayedBy").asText());
        }
        if (m.hasNonNull("quarantine")) {
            out.printf("  Quarantined:  since %s: %s%n", Times.at(instant(m.path("quarantine").path("since"))),
                    m.path("quarantine").path("reason").asText());
        }
        out.println();
        TextTable rcpts = new TextTable("RECIPIENT", "STATE", "ATTEMPTS", "NEXT", "LAST MX", "LAST STATUS");
        TextTable history = new TextTable("TIME", "RECIPIENT", "OUTCOME", "STATUS", "MX HOST", "POLICY", "TLS",
                "REPLY");
        int attempts = 0;
        for (JsonNode r : m.path("recipients")) {
            String last = r.path("lastResult").isTextual()
                    ? r.path("lastStatus").asText("") + " " + r.path("lastResult").asText() : "-";
            rcpts.row(r.path("address").asText(), r.path("state").asText(), r.path("attempts").asText(),
                    Times.at(instant(r.path("nextAttempt"))), text(r.path("remoteMta")), last.strip());
            for (JsonNode a : r.path("history")) {
                attempts++;
                history.row(Times.at(instant(a.path("at"))), r.path("address").asText(), a.path("outcome").asText(),
                        text(a.path("status")), text(a.path("mxHost")), text(a.path("policy")), tls(a),
                        text(a.path("reply")));
            }
        }
        rcpts.print(out);
        out.println();
        if (attempts == 0) {
            out.println("No delivery attempt yet.");
        } else {
            out.println("Attempts (most recent last):");
            history.print(out);
        }
    }

    /** {@code relay queue summary}: pending recipients by domain and age, then by deferral reason. */
    static void summary(PrintWriter out, JsonNode s) {
        List<String> header = new ArrayList<>(List.of("DOMAIN", "TOTAL"));
        long previous = 0;
        for (JsonNode b : s.path("buckets")) {
            header.add(b.asLong() < 0 ? previous + "m+" : "<" + b.asLong() + "m");
            previous = b.asLong() < 0 ? previous : b.asLong();
        }
        TextTable t = new TextTable(header.toArray(String[]::new));
        long[] totals = new long[header.size() - 1];
        for (JsonNode d : s.path("domains")) {
            List<String> row = new ArrayList<>(List.of(d.path("domain").asText(), d.path("total").asText()));
            totals[0] += d.path("total").asLong();
            int i = 1;
            for (JsonNode c : d.path("counts")) {
                row.add(c.asText());
                totals[i++] += c.asLong();
            }
            t.row(row.toArray(String[]::new));
        }
        List<String> total = new ArrayList<>(List.of("TOTAL"));
        for (long n : totals) {
            total.add(String.valueOf(n));
        }
        t.row(total.toArray(String[]::new));
        out.println("Pending recipients by destination and age (minutes since received):");
        t.print(out);
        out.println();
        out.println("Pending recipients by last deferral reason:");
        TextTable reasons = new TextTable("RECIPIENTS", "REASON");
        for (JsonNode r : s.path("reasons")) {
            reasons.row(r.path("recipients").asText(), r.path("reason").asText());
        }
        reasons.print(out);
    }

    /**
     * An attempt's TLS: version and cipher with the certificate verdict ({@code TLSv1.3 TLS_AES_256_GCM_SHA384
     * verified}), {@code no TLS} under a recorded policy without a TLS session, {@code -} when not recorded.
     */
    private static String tls(JsonNode a) {
        if (a.path("tlsProtocol").isTextual()) {
            return a.path("tlsProtocol").asText() + " " + a.path("tlsCipher").asText("")
                    + (a.path("verified").asBoolean() ? " verified" : " not verified");
        }
        return a.path("policy").isTextual() ? "no TLS" : "-";
    }

    private static String text(JsonNode n) {
        return n.isTextual() && !n.asText().isEmpty() ? n.asText() : "-";
    }

    private static Instant instant(JsonNode n) {
        return n.isTextual() ? Instant.parse(n.asText()) : null;
    }
}
