package io.stsdane.relay.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.queue.DkimSignature;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.IntakeException;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.queue.Recipient;
import io.stsdane.relay.core.queue.Submitter;
import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.testkit.dkim.DkimVerifier;
import io.stsdane.relay.testkit.dkim.DkimTestKeys;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The signing intake in front of a queue, its output checked by the independent test verifier. */
class SigningIntakeTest {

    private static final Instant NOW = Instant.parse("2026-12-07T09:00:00Z");
    private static final Submitter NETWORK = new Submitter(Optional.empty(), true);
    private static final String MESSAGE = "From: App <app@example.com>\r\n"
            + "To: someone@example.net\r\n"
            + "Subject:  Your   order\r\n"
            + "\tshipped\r\n"
            + "Date: Mon, 7 Dec 2026 09:00:00 +0000\r\n"
            + "Message-ID: <1@example.com>\r\n"
            + "X-Not-Signed: 1\r\n"
            + "\r\n"
            + "Hello  there, \r\n"
            + "\r\n"
            + ".leading dot stays unstuffed\r\n"
            + "\r\n\r\n";

    /** RSA keys take a while to make: once for the class. */
    @TempDir
    static Path keys;

    private static DkimKey rsa;
    private static DkimKey next;
    private static DkimKey ed;

    @TempDir
    Path dir;

    private final Map<String, String> dns = new HashMap<>();
    private final CapturingIntake queue = new CapturingIntake();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void makeKeys() {
        rsa = DkimKey.load("rsa2026", DkimTestKeys.rsa(keys, "rsa2026", 2048));
        next = DkimKey.load("rsa2027", DkimTestKeys.rsa(keys, "rsa2027", 2048));
        ed = DkimKey.load("ed2026", DkimTestKeys.ed25519(keys, "ed2026"));
    }

    @BeforeEach
    void publishKeys() {
        List.of(rsa, next, ed).forEach(k -> publish("example.com", k));
    }

    private void publish(String domain, DkimKey key) {
        dns.put(DkimRecord.name(key.selector(), domain), key.record());
    }

    private MessageIntake signing(DkimSettings settings) {
        return DkimSigning.intake(queue, settings, dir.resolve("spill"), Clock.fixed(NOW, ZoneOffset.UTC),
                registry);
    }

    private static DkimSettings settings(DkimDomain... domains) {
        Map<String, DkimDomain> map = new HashMap<>();
        for (DkimDomain d : domains) {
            map.put(d.domain(), d);
        }
        return new DkimSettings(map, DkimSettings.DEFAULT_HEADERS, Canonicalization.RELAXED, Optional.empty());
    }

    private void submit(MessageIntake intake, Submitter who, String message) throws IntakeException {
        intake.accept(intake.nextId(), envelope(), who, new ByteArrayInputStream(message.getBytes(
                StandardCharsets.ISO_8859_1)));
    }

    private static Envelope envelope() {
        return new Envelope("bounces@example.com", List.of(Recipient.of("someone@example.net")), null, null, false,
                false, false, NOW, "[192.0.2.1] app");
    }

    private List<DkimVerifier.Result> verify(byte[] message) {
        return new DkimVerifier(name -> Optional.ofNullable(dns.get(name)), NOW).verify(message);
    }

    private double signedCount(String algorithm) {
        return registry.get("relay.dkim.signed").tag("domain", "example.com").tag("algorithm", algorithm).counter()
                .count();
    }

    @Test
    void rsaAndEd25519KeysBothSignAndBothVerify() throws Exception {
        submit(signing(settings(new DkimDomain("example.com", List.of(rsa, ed), Set.of()))), NETWORK, MESSAGE);

        CapturingIntake.Accepted stored = queue.only();
        List<DkimVerifier.Result> results = verify(stored.content());
        assertThat(results).extracting(DkimVerifier.Result::algorithm).containsExactly("rsa-sha256", "ed25519-sha256");
        assertThat(results).allSatisfy(r -> {
            assertThat(r.failure()).isEmpty();
            assertThat(r.domain()).isEqualTo("example.com");
            assertThat(r.tags()).containsEntry("c", "relaxed/relaxed").containsEntry("t", "" + NOW.getEpochSecond())
                    .doesNotContainKey("x");
            // From over-signed; present fields signed; fields outside the list not.
            assertThat(r.signedHeaders()).containsExactly("from", "from", "subject", "date", "to", "message-id");
        });
        assertThat(stored.text()).startsWith("DKIM-Signature: v=1; a=rsa-sha256;").endsWith(MESSAGE);
        assertThat(stored.text().lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(78));
        assertThat(stored.envelope().dkimSignatures()).containsExactly(
                new DkimSignature("example.com", "rsa2026", "rsa-sha256"),
                new DkimSignature("example.com", "ed2026", "ed25519-sha256"));
        assertThat(signedCount("rsa-sha256")).isEqualTo(1);
        assertThat(signedCount("ed25519-sha256")).isEqualTo(1);
    }

    @Test
    void keyRotationSignsWithBothSelectorsThenOnlyTheNewOne() throws Exception {
        submit(signing(settings(new DkimDomain("example.com", List.of(rsa, next), Set.of()))), NETWORK, MESSAGE);
        submit(signing(settings(new DkimDomain("example.com", List.of(next), Set.of()))), NETWORK, MESSAGE);

        List<DkimVerifier.Result> during = verify(queue.accepted().get(0).content());
        assertThat(during).extracting(DkimVerifier.Result::selector).containsExactly("rsa2026", "rsa2027");
        assertThat(during).allSatisfy(r -> assertThat(r.failure()).isEmpty());
        List<DkimVerifier.Result> after = verify(queue.accepted().get(1).content());
        assertThat(after).extracting(DkimVerifier.Result::selector).containsExactly("rsa2027");
        assertThat(after).allSatisfy(r -> assertThat(r.failure()).isEmpty());
    }

    @Test
    void unconfiguredDomainPassesUnchanged() throws Exception {
        submit(signing(settings(new DkimDomain("example.com", List.of(rsa), Set.of()))), NETWORK,
                MESSAGE.replace("app@example.com", "app@example.org"));

        assertThat(queue.only().text()).isEqualTo(MESSAGE.replace("app@example.com", "app@example.org"));
        assertThat(queue.only().envelope().dkimSignatures()).isEmpty();
    }

    @Test
    void subdomainAuthorIsSignedByTheConfiguredParent() throws Exception {
        submit(signing(settings(new DkimDomain("example.com", List.of(ed), Set.of()))), NETWORK,
                MESSAGE.replace("app@example.com", "app@news.example.com"));

        assertThat(verify(queue.only().content())).singleElement()
                .satisfies(r -> assertThat(r.failure()).isEmpty())
                .satisfies(r -> assertThat(r.domain()).isEqualTo("example.com"));
    }

    @Test
    void authenticatedUserIsSignedOnlyForItsOwnDomains() throws Exception {
        MessageIntake intake = signing(settings(new DkimDomain("example.com", List.of(ed), Set.of("app1"))));

        submit(intake, new Submitter(Optional.of("app1"), false), MESSAGE);
        submit(intake, new Submitter(Optional.of("ops@example.com"), false), MESSAGE);
        submit(intake, new Submitter(Optional.of("other@example.org"), false), MESSAGE);

        assertThat(queue.accepted()).extracting(a -> a.envelope().dkimSignatures().size()).containsExactly(1, 1, 0);
        assertThat(queue.accepted().get(2).text()).isEqualTo(MESSAGE);
        assertThat(registry.get("relay.dkim.failures").tag("domain", "example.com")
                .tag("reason", "sender-not-allowed").counter().count()).isEqualTo(1);
    }

    @Test
    void aHeaderBlockTooLongToHoldOrNotMadeOfFieldsPassesUnchanged() throws Exception {
        MessageIntake intake = signing(settings(new DkimDomain("example.com", List.of(ed), Set.of())));
        String huge = "X-Filler: " + "a".repeat(900) + "\r\n";
        String tooLong = huge.repeat(300) + MESSAGE;
        String garbage = "this is not a header field\r\n" + MESSAGE;

        submit(intake, NETWORK, tooLong);
        submit(intake, NETWORK, garbage);

        assertThat(queue.accepted()).extracting(CapturingIntake.Accepted::text).containsExactly(tooLong, garbage);
    }

    @Test
    void mailTheRelayMakesItselfIsNotSigned() throws Exception {
        MessageIntake intake = signing(settings(new DkimDomain("example.com", List.of(ed), Set.of())));

        intake.accept(intake.nextId(), envelope(), new ByteArrayInputStream(MESSAGE.getBytes(StandardCharsets.US_ASCII)));

        assertThat(queue.only().text()).isEqualTo(MESSAGE);
    }

    @Test
    void addingAFromAfterSigningBreaksTheSignature() throws Exception {
        submit(signing(settings(new DkimDomain("example.com", List.of(ed), Set.of()))), NETWORK, MESSAGE);
        String text = queue.only().text();
        int at = text.indexOf("From: App");
        String forged = text.substring(0, at) + "From: ceo@example.com\r\n" + text.substring(at);

        assertThat(verify(forged.getBytes(StandardCharsets.ISO_8859_1))).singleElement()
                .satisfies(r -> assertThat(r.failure()).hasValue("signature does not verify"));
    }

    @Test
    void simpleCanonicalizationAndExpiryAreHonoured() throws Exception {
        DkimSettings simple = new DkimSettings(Map.of("example.com",
                new DkimDomain("example.com", List.of(rsa, ed), Set.of())), List.of("to", "subject"),
                Canonicalization.parse("simple/simple"), Optional.of(Duration.ofDays(7)));

        submit(signing(simple), NETWORK, MESSAGE);

        assertThat(verify(queue.only().content())).hasSize(2).allSatisfy(r -> {
            assertThat(r.failure()).isEmpty();
            assertThat(r.tags()).containsEntry("c", "simple/simple")
                    .containsEntry("x", "" + NOW.plus(Duration.ofDays(7)).getEpochSecond());
            assertThat(r.signedHeaders()).containsExactly("from", "from", "to", "subject");
        });
    }

    @Test
    void clientStreamFailingMidBodyKeepsNothing() throws Exception {
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream(MESSAGE.getBytes(
                StandardCharsets.US_ASCII)), new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("message refused: bare-line-ending");
                    }
                });
        MessageIntake intake = signing(settings(new DkimDomain("example.com", List.of(ed), Set.of())));

        assertThatThrownBy(() -> intake.accept(intake.nextId(), envelope(), NETWORK, failing))
                .isInstanceOf(IntakeException.class).hasMessageContaining("bare-line-ending");
        assertThat(queue.accepted()).isEmpty();
        try (var files = Files.list(dir.resolve("spill"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void metricsOfConfiguredDomainsExistBeforeAnyMail() {
        signing(settings(new DkimDomain("example.com", List.of(rsa, ed), Set.of())));

        assertThat(signedCount("rsa-sha256")).isZero();
        assertThat(signedCount("ed25519-sha256")).isZero();
        assertThat(registry.get("relay.dkim.failures").tag("reason", "error").counter().count()).isZero();
    }

    @Test
    void aSpillFileLeftByACrashIsRemovedAtStartUp() throws Exception {
        // A crash between creating a spill file and unlinking it leaves an empty file of that name.
        Path spill = Files.createDirectories(dir.resolve("spill"));
        Files.createFile(spill.resolve("body-" + UUID.randomUUID()));
        Path unrelated = Files.createFile(spill.resolve("notes.txt"));

        signing(settings(new DkimDomain("example.com", List.of(ed), Set.of())));

        try (var files = Files.list(spill)) {
            assertThat(files).containsExactly(unrelated);
        }
    }
}
