package io.stsdane.relay.server.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import io.stsdane.relay.testkit.sts.StsPolicyServer;
import io.stsdane.relay.testkit.world.TestInternet;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Everything a secure-delivery test needs around one running relay: the signed-zone DNS fixture with a secure
 * {@code test.} TLD, MX hosts as {@link TestSmtpServer}s on distinct loopback addresses sharing the relay's
 * {@code delivery.port}, an HTTPS MTA-STS policy host ({@link StsPolicyServer}) whose certificate, like every "good" MX
 * certificate, comes from {@link #webRoot}, trusted by the relay through {@code tls.ca-file}, and a DANE-secured
 * collector MX for {@code sender.test} that receives the relay's DSNs. One per test class; each test uses its own domains.
 *
 * <p>Not thread-safe: drive it from the test thread.
 */
final class RelayWorld implements AutoCloseable {

    static final String SENDER = "app@sender.test";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final TestInternet internet;
    final TestCertificate webRoot;
    final DnsTestServer dns;
    final TestZone tld;

    private final Path dir;
    private final TestSmtpServer bounces;
    private final HttpClient http = HttpClient.newHttpClient();
    private final String serverYaml;
    private final String relayYaml;
    private final String spoolYaml;
    private RunningRelay relay;

    /**
     * @param stsDomains the domains whose {@code mta-sts.<domain>} the policy host serves (its certificate names)
     * @param extraYaml further relay configuration, for example a {@code policies:} section
     */
    RelayWorld(Path dir, List<String> stsDomains, String extraYaml) throws Exception {
        this(dir, stsDomains, "", extraYaml);
    }

    /** @param deliveryYaml further keys of the {@code delivery:} section, indented by two spaces */
    RelayWorld(Path dir, List<String> stsDomains, String deliveryYaml, String extraYaml) throws Exception {
        this(dir, stsDomains, deliveryYaml, extraYaml, "");
    }

    /** @param spoolYaml keys of the {@code spool:} section (for example the PostgreSQL backend), indented by two */
    RelayWorld(Path dir, List<String> stsDomains, String deliveryYaml, String extraYaml, String spoolYaml)
            throws Exception {
        this.dir = dir;
        this.spoolYaml = spoolYaml;
        internet = TestInternet.start(stsDomains);
        webRoot = internet.webRoot();
        dns = internet.dns();
        tld = dns.root().child("test");
        // DSNs about REQUIRETLS messages require verified TLS themselves (RFC 8689 §5): the sender's MX is DANE.
        TestCertificate senderMx = selfSigned("mx.sender.test");
        bounces = internet.mx("127.0.0.2", startTls(senderMx).toBuilder().requireTls(true).build());
        tld.child("sender.test").mx("sender.test", 10, "mx.sender.test").a("mx.sender.test", "127.0.0.2")
                .tlsa("_" + deliveryPort() + "._tcp.mx.sender.test", daneEe(senderMx));
        Path[] inbound = TestCertificate.builder().dnsNames("relay.test").build().writePem(dir, "inbound");
        serverYaml = """
                  tls:
                    cert: %s
                    key: %s
                """.formatted(inbound[0], inbound[1]);
        relayYaml = internet.relayYaml(dir)
                .key("delivery", "retry-schedule", "[500ms]")
                .key("delivery", "delay-warning", "500ms")
                .key("delivery", "connect-timeout", "2s")
                .lines("delivery", """
                          timeouts:
                            greeting: 5s
                            mail: 5s
                            rcpt: 5s
                            data-init: 5s
                            data-block: 5s
                            data-done: 5s
                        """)
                .lines("delivery", deliveryYaml)
                .text() + extraYaml;
        relay = RunningRelay.start(dir, serverYaml, spoolYaml, relayYaml);
    }

    /** Stops the relay and starts a new one over the same spool and configuration (a process restart). */
    void restartRelay() throws Exception {
        relay.close();
        relay = RunningRelay.start(dir, serverYaml, spoolYaml, relayYaml);
    }

    /**
     * Stops the relay and starts another node in a directory of its own ({@code spool.dir}, nothing cached
     * locally) with the same configuration: with a shared spool, a node that never saw what the first did.
     */
    void replaceRelayWithNewNode(String name) throws Exception {
        relay.close();
        relay = RunningRelay.start(Files.createDirectories(dir.resolve(name)), serverYaml, spoolYaml, relayYaml);
    }

    /** The port of every MX host; DANE looks up TLSA at {@code _<port>._tcp.<host>} (RFC 6698 §3). */
    int deliveryPort() {
        return internet.deliveryPort();
    }

    /** A fresh loopback address for one MX host; nothing listens on it until {@link #mx} is called. */
    String nextAddress() {
        return internet.nextAddress();
    }

    /** A secure zone {@code <label>.test} whose domain has one MX host {@code mx.<label>.test}. */
    Destination secureDestination(String label) {
        return destination(tld.child(label + ".test"), label + ".test");
    }

    /** Publishes one MX host {@code mx.<zone>} for {@code domain} on a fresh loopback address. */
    Destination destination(TestZone zone, String domain) {
        String host = "mx." + zone.name();
        String address = nextAddress();
        zone.mx(domain, 10, host).a(host, address);
        return new Destination(zone, domain, host, address, "_" + deliveryPort() + "._tcp." + host);
    }

    /** Starts an SMTP server at {@code address} on the relay's delivery port. */
    TestSmtpServer mx(String address, SmtpBehavior behavior) {
        return internet.mx(address, behavior);
    }

    /**
     * Publishes the MTA-STS TXT record of {@code domain} in {@code zone} and serves {@code policy} for it.
     * The domain must have been listed when this world was built.
     */
    void stsPolicy(TestZone zone, String domain, String id, String policy) {
        internet.stsPolicy(zone, domain, id, policy);
    }

    /** The policy host answers 503 for {@code domain} from now on. */
    void stsPolicyHostDown(String domain) {
        internet.policies().unavailable(domain);
    }

    /** How many policy requests for {@code domain} reached the policy host. */
    int policyRequests(String domain) {
        return internet.policies().requests(domain);
    }

    static String policy(String mode, String... mx) {
        return StsPolicyServer.policy(mode, mx);
    }

    /** A leaf certificate for {@code names} that chains to {@link #webRoot}. */
    TestCertificate webPkiCertificate(String... names) {
        return internet.webPkiCertificate(names);
    }

    static TestCertificate selfSigned(String... names) {
        return TestCertificate.builder().dnsNames(names).build();
    }

    static SmtpBehavior startTls(TestCertificate cert) {
        return SmtpBehavior.builder().startTls(cert.serverContext()).build();
    }

    /** TLSA {@code 3 1 1}: DANE-EE, the SHA-256 of the certificate's public key. */
    static String daneEe(TestCertificate cert) {
        return cert.tlsaDaneEe();
    }

    /** TLSA {@code 2 0 1}: DANE-TA, the SHA-256 of the whole trust-anchor certificate. */
    static String daneTa(TestCertificate anchor) {
        return anchor.tlsaDaneTa();
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Submits one message to {@code rcpt} and returns its queue id. */
    String submit(String rcpt) throws IOException {
        return submit(rcpt, "");
    }

    String submit(String rcpt, String mailParams) throws IOException {
        return submit(List.of(rcpt), mailParams);
    }

    String submit(List<String> rcpts, String mailParams) throws IOException {
        return submit(rcpts, mailParams, "");
    }

    /** Submits over STARTTLS (REQUIRETLS is only accepted over TLS, RFC 8689 §4.1). */
    String submit(List<String> rcpts, String mailParams, String rcptParams) throws IOException {
        String to = String.join(", ", rcpts);
        String message = "From: " + SENDER + "\r\nTo: " + to + "\r\nSubject: e2e\r\n\r\nbody for " + to + "\r\n";
        String reply = SmtpSubmission.send(relay.smtpPort(), SENDER, rcpts, message, mailParams, rcptParams, true);
        assertThat(reply).as("submission of a message to %s", to).startsWith("250");
        return reply.substring(reply.lastIndexOf(' ') + 1);
    }

    /** Waits until {@code server} completed one transaction and returns it. */
    static ReceivedTransaction awaitDelivery(TestSmtpServer server) {
        await().atMost(PATIENCE).until(() -> !server.transactions().isEmpty());
        return server.transactions().get(0);
    }

    /**
     * Asserts that {@code id} is deferred: the relay tried it, it is still queued, and the sender got an
     * {@code Action: delayed} DSN (sent once it waited {@code delivery.delay-warning}) whose status contains
     * {@code status}. Then deletes it so it stops retrying. Returns the DSN.
     */
    String awaitDeferred(String id, String rcpt, String status) throws Exception {
        awaitTriedAndQueued(id, rcpt);
        String dsn = awaitDsn(rcpt, "delayed");
        assertThat(dsn).contains("Status: " + status);
        http.send(HttpRequest.newBuilder(adminUri("/queue/" + id)).DELETE().build(),
                HttpResponse.BodyHandlers.discarding());
        return dsn;
    }

    /** The policy verdict: deferred with 4.7.5 and {@code mx} never saw a MAIL command, in clear or not. */
    void awaitPolicyDeferral(String id, String rcpt, TestSmtpServer mx) throws Exception {
        awaitDeferred(id, rcpt, "4.7.5");
        assertThat(mx.received("MAIL")).as("MAIL sent to the MX at %s", mx.address()).isFalse();
    }

    /** Waits until the relay tried {@code id} for {@code rcpt}, asserts it is still pending, returns the diagnostic. */
    String awaitTriedAndQueued(String id, String rcpt) throws Exception {
        await().atMost(PATIENCE).until(() -> queuedRecipient(id, rcpt)
                .filter(r -> r.path("attempts").asInt() >= 1 && r.hasNonNull("lastResult")).isPresent());
        JsonNode r = queuedRecipient(id, rcpt).orElseThrow(() -> new AssertionError(id + " left the queue"));
        assertThat(r.path("state").asText()).as("state of %s in %s", rcpt, id).isEqualTo("pending");
        return r.path("lastResult").asText();
    }

    /** Waits for the bounce ({@code Action: failed} DSN) about {@code rcpt} at the sender's MX; returns it. */
    String awaitBounce(String rcpt, String status) {
        String dsn = awaitDsn(rcpt, "failed");
        assertThat(dsn).contains("Status: " + status);
        return dsn;
    }

    private String awaitDsn(String rcpt, String action) {
        String[] dsn = new String[1];
        await().atMost(PATIENCE).until(() -> {
            for (ReceivedTransaction t : bounces.transactions()) {
                String body = new String(t.data(), StandardCharsets.UTF_8);
                if (t.mailFrom().startsWith("FROM:<>") && body.contains("Final-Recipient: rfc822; " + rcpt + "\r\n")
                        && body.contains("Action: " + action)) {
                    dsn[0] = body;
                    return true;
                }
            }
            return false;
        });
        return dsn[0];
    }

    /** Waits until the relay's queue holds nothing, DSNs included, so every DSN owed so far was delivered. */
    void awaitEmptyQueue() {
        await().atMost(PATIENCE).until(() -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(adminUri("/queue")).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && JSON.readTree(r.body()).isEmpty();
        });
    }

    /** Every DSN (a message from {@code <>}) the sender's MX received so far, as text. */
    List<String> dsns() {
        return bounces.transactions().stream().filter(t -> t.mailFrom().startsWith("FROM:<>"))
                .map(t -> new String(t.data(), StandardCharsets.UTF_8)).toList();
    }

    /** Whether the queue still holds {@code id}. */
    boolean queued(String id) throws Exception {
        return queueJson(id).isPresent();
    }

    private Optional<JsonNode> queuedRecipient(String id, String rcpt) throws Exception {
        Optional<JsonNode> message = queueJson(id);
        if (message.isEmpty()) {
            return Optional.empty();
        }
        for (JsonNode r : message.get().path("recipients")) {
            if (r.path("address").asText().equalsIgnoreCase(rcpt)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    private Optional<JsonNode> queueJson(String id) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(adminUri("/queue/" + id)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        return r.statusCode() == 200 ? Optional.of(JSON.readTree(r.body())) : Optional.empty();
    }

    private URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + relay.adminPort() + path);
    }

    @Override
    public void close() {
        if (relay != null) {
            relay.close();
        }
        internet.close();
    }
}
