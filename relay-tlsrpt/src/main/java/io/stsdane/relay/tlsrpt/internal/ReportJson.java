package io.stsdane.relay.tlsrpt.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.stsdane.relay.tlsrpt.PolicyCounts;
import io.stsdane.relay.tlsrpt.PolicyKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Renders the RFC 8460 §4 aggregate report JSON and compresses it. Stateless. */
final class ReportJson {

    private ReportJson() {
    }

    /**
     * @param organization {@code organization-name}
     * @param contact {@code contact-info}
     * @param reportId {@code report-id}
     * @param start {@code date-range.start-datetime}
     * @param end {@code date-range.end-datetime}
     */
    record Header(String organization, String contact, String reportId, Instant start, Instant end) {
    }

    static byte[] gzipped(ObjectMapper json, Header header, List<PolicyCounts> policies) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
                gz.write(json.writeValueAsBytes(render(json, header, policies)));
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compress a report in memory", e);
        }
    }

    static ObjectNode render(ObjectMapper json, Header header, List<PolicyCounts> policies) {
        ObjectNode root = json.createObjectNode();
        root.put("organization-name", header.organization());
        ObjectNode range = root.putObject("date-range");
        range.put("start-datetime", header.start().toString());
        range.put("end-datetime", header.end().toString());
        root.put("contact-info", header.contact());
        root.put("report-id", header.reportId());
        ArrayNode array = root.putArray("policies");
        policies.stream()
                .sorted(Comparator.comparing((PolicyCounts p) -> p.key().type())
                        .thenComparing(p -> String.join(",", p.key().mxHosts())))
                .forEach(p -> policy(array.addObject(), p));
        return root;
    }

    private static void policy(ObjectNode node, PolicyCounts counts) {
        PolicyKey key = counts.key();
        ObjectNode policy = node.putObject("policy");
        policy.put("policy-type", key.type());
        if (!key.policyString().isEmpty()) {
            ArrayNode strings = policy.putArray("policy-string");
            key.policyString().forEach(strings::add);
        }
        policy.put("policy-domain", key.domain());
        if (!key.mxHosts().isEmpty()) {
            ArrayNode hosts = policy.putArray("mx-host");
            key.mxHosts().forEach(hosts::add);
        }
        ObjectNode summary = node.putObject("summary");
        summary.put("total-successful-session-count", counts.success());
        summary.put("total-failure-session-count", counts.failure());
        if (!counts.failures().isEmpty()) {
            ArrayNode details = node.putArray("failure-details");
            counts.failures().stream()
                    .sorted(Comparator.comparing((PolicyCounts.FailureCount f) -> f.key().resultType())
                            .thenComparing(f -> f.key().receivingMxHostname()))
                    .forEach(f -> failure(details.addObject(), f));
        }
    }

    private static void failure(ObjectNode node, PolicyCounts.FailureCount f) {
        node.put("result-type", f.key().resultType());
        putIfPresent(node, "sending-mta-ip", f.key().sendingMtaIp());
        node.put("receiving-mx-hostname", f.key().receivingMxHostname());
        putIfPresent(node, "receiving-ip", f.key().receivingIp());
        node.put("failed-session-count", f.count());
        putIfPresent(node, "failure-reason-code", f.reason());
    }

    private static void putIfPresent(ObjectNode node, String field, String value) {
        if (value != null && !value.isEmpty()) {
            node.put(field, value);
        }
    }
}
