package io.stsdane.relay.dkim.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.dkim.DkimVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * RFC 8463 Appendix A: the test verifier passes both published signatures (so it is a verifier worth trusting
 * for the relay's own), and the relay's body hash of the example body is the one the RFC printed.
 */
class Rfc8463VectorTest {

    static final String HEADERS = """
            From: Joe SixPack <joe@football.example.com>\r
            To: Suzie Q <suzie@shopping.example.net>\r
            Subject: Is dinner ready?\r
            Date: Fri, 11 Jul 2003 21:00:37 -0700 (PDT)\r
            Message-ID: <20030712040037.46341.5F8J@football.example.com>\r
            """;
    static final String BODY = "Hi.\r\n\r\nWe lost the game.  Are you hungry yet?\r\n\r\nJoe.\r\n";
    static final String SIGNED = """
            DKIM-Signature: v=1; a=ed25519-sha256; c=relaxed/relaxed;\r
             d=football.example.com; i=@football.example.com;\r
             q=dns/txt; s=brisbane; t=1528637909; h=from : to :\r
             subject : date : message-id : from : subject : date;\r
             bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r
             b=/gCrinpcQOoIfuHNQIbq4pgh9kyIK3AQUdt9OdqQehSwhEIug4D11Bus\r
             Fa3bT3FY5OsU7ZbnKELq+eXdp1Q1Dw==\r
            DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\r
             d=football.example.com; i=@football.example.com;\r
             q=dns/txt; s=test; t=1528637909; h=from : to : subject :\r
             date : message-id : from : subject : date;\r
             bh=2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=;\r
             b=F45dVWDfMbQDGHJFlXUNB2HKfbCeLRyhDXgFpEL8GwpsRe0IeIixNTe3\r
             DhCVlUrSjV4BwcVcOF6+FF3Zo9Rpo1tFOeS9mPYQTnGdaSGsgeefOsk2Jz\r
             dA+L10TeYt9BgDfQNZtKdN1WO//KgIqXP7OdEFE4LjFYNcUxZQ4FADY+8=\r
            """ + HEADERS + "\r\n" + BODY;
    static final Map<String, String> RECORDS = Map.of(
            "brisbane._domainkey.football.example.com",
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=",
            "test._domainkey.football.example.com",
            "v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQi"
                    + "Y/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2"
                    + "EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB");

    private final DkimVerifier verifier = new DkimVerifier(name -> Optional.ofNullable(RECORDS.get(name)),
            Instant.ofEpochSecond(1528637909));

    @Test
    void testVerifierPassesBothSignaturesOfTheRfc() {
        List<DkimVerifier.Result> results = verifier.verify(SIGNED.getBytes(StandardCharsets.US_ASCII));

        assertThat(results).extracting(DkimVerifier.Result::algorithm).containsExactly("ed25519-sha256", "rsa-sha256");
        assertThat(results).allSatisfy(r -> assertThat(r.failure()).isEmpty());
    }

    @Test
    void testVerifierFailsBothWhenTheBodyChanges() {
        byte[] changed = SIGNED.replace("hungry", "thirsty").getBytes(StandardCharsets.US_ASCII);

        assertThat(verifier.verify(changed)).allSatisfy(r -> assertThat(r.failure()).hasValue("body hash does not match"));
    }

    @Test
    void testVerifierFailsBothWhenASignedHeaderChanges() {
        byte[] changed = SIGNED.replace("Is dinner ready?", "Is lunch ready?").getBytes(StandardCharsets.US_ASCII);

        assertThat(verifier.verify(changed)).allSatisfy(r -> assertThat(r.failure()).hasValue("signature does not verify"));
    }

    @Test
    void relaxedBodyHashOfTheExampleIsTheRfcs() {
        BodyHasher hasher = new BodyHasher(true);
        // Streamed in two pieces that split a CRLF and a run of spaces.
        byte[] body = BODY.getBytes(StandardCharsets.US_ASCII);
        hasher.write(body, 0, 24);
        hasher.write(body, 24, body.length - 24);

        assertThat(Base64.getEncoder().encodeToString(hasher.digest()))
                .isEqualTo("2jUSOH9NhtVGCQWNr9BrIAPreKQjO6Sn7XIkfJVOzv8=");
    }
}
