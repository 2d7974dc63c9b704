package io.stsdane.relay.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.dkim.Canonicalization;
import io.stsdane.relay.dkim.DkimSettings;
import io.stsdane.relay.testkit.dkim.DkimTestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code dkim:} section: keys read at start-up, one-line errors that name the key. */
class DkimConfigTest {

    @TempDir
    Path dir;

    private RelayConfig load(String yaml) throws Exception {
        return ConfigLoader.load(Optional.of(Files.writeString(dir.resolve("relay.yaml"), yaml)), Map.of()).config();
    }

    private String error(String yaml) {
        return assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class).actual().getMessage();
    }

    @Test
    void defaultsSignNothingRelaxed() {
        DkimSettings d = ConfigLoader.defaults().dkim();

        assertThat(d.isEmpty()).isTrue();
        assertThat(d.canonicalization()).isEqualTo(Canonicalization.RELAXED);
        assertThat(d.headers()).isEqualTo(DkimSettings.DEFAULT_HEADERS);
        assertThat(d.expiration()).isEmpty();
    }

    @Test
    void domainWithTwoSelectorsAndUsers() throws Exception {
        Path rsa = DkimTestKeys.rsa(dir, "a", 2048);
        Path ed = DkimTestKeys.ed25519(dir, "b");

        RelayConfig c = load("""
                dkim:
                  domains:
                    Example.COM.:
                      selectors:
                        - {name: a, key-file: %s}
                        - {name: b, key-file: %s}
                      users: [app]
                """.formatted(rsa, ed));

        assertThat(c.dkim().domains()).containsOnlyKeys("example.com");
        assertThat(c.dkim().domains().get("example.com").keys()).extracting(k -> k.algorithm().tag())
                .containsExactly("rsa-sha256", "ed25519-sha256");
    }

    @Test
    void shortRsaKeyStopsStartUpNamingTheKey() {
        Path weak = DkimTestKeys.rsa(dir, "weak", 1024);

        assertThat(error("dkim: {domains: {example.com: {selectors: [{name: s1, key-file: %s}]}}}".formatted(weak)))
                .startsWith("dkim.domains.example.com.selectors[0].key-file: ")
                .contains("RSA key of 1024 bits is too short").doesNotContain("\\n");
    }

    @Test
    void unparsableKeyStopsStartUpNamingTheKey() throws Exception {
        Path bad = Files.writeString(dir.resolve("bad.pem"), "not a key\\n");

        assertThat(error("dkim: {domains: {example.com: {selectors: [{name: s1, key-file: %s}]}}}".formatted(bad)))
                .startsWith("dkim.domains.example.com.selectors[0].key-file: ")
                .contains("is not a PEM PKCS#8 private key");
    }

    @Test
    void otherMistakesNameTheirKey() {
        Path ed = DkimTestKeys.ed25519(dir, "k");
        assertThat(error("dkim: {domains: {example.com: {}}}"))
                .startsWith("dkim.domains.example.com.selectors: needs at least one selector");
        assertThat(error("dkim: {domains: {example.com: {selectors: [{name: s1}]}}}"))
                .startsWith("dkim.domains.example.com.selectors[0].key-file: needs");
        assertThat(error("dkim: {domains: {example.com: {selectors: [{name: s1, key-file: %s, x: 1}]}}}"
                .formatted(ed))).startsWith("dkim.domains.example.com.selectors[0].x: unknown key");
        assertThat(error("dkim: {domains: {example.com: {selectors: [{name: s1, key-file: %s}, {name: s1, key-file: %s}]}}}"
                .formatted(ed, ed))).startsWith("dkim.domains.example.com.selectors[1].name: selector s1 is listed twice");
        assertThat(error("dkim: {domains: {'exa mple': {selectors: [{name: s1, key-file: %s}]}}}".formatted(ed)))
                .startsWith("dkim.domains.exa mple: ");
        assertThat(error("dkim: {canonicalization: loose}")).startsWith("dkim.canonicalization: 'loose'");
        assertThat(error("dkim: {expiration: 0s}")).startsWith("dkim.expiration: ");
        assertThat(error("dkim: {headers: ['bad:name']}")).startsWith("dkim.headers[0]: ");
        assertThat(error("dkim: {domains: [a]}")).startsWith("dkim.domains: must be a mapping");
    }
}
