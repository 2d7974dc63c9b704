package io.stsdane.relay.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.testkit.dkim.DkimTestKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DkimKeyTest {

    /** RFC 8463 Appendix A.1's Ed25519 private key (the RFC 8032 §7.1 test 1 seed) and A.2's record for it. */
    static final String RFC8463_SEED = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=";
    static final String RFC8463_PUBLIC = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=";

    @TempDir
    Path dir;

    /** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410 §7). */
    static byte[] ed25519Pkcs8(byte[] seed) {
        byte[] prefix = HexFormat.of().parseHex("302e020100300506032b657004220420");
        byte[] der = new byte[prefix.length + seed.length];
        System.arraycopy(prefix, 0, der, 0, prefix.length);
        System.arraycopy(seed, 0, der, prefix.length, seed.length);
        return der;
    }

    @Test
    void ed25519KeyPublishesTheRawPublicKeyOfRfc8463() {
        Path file = DkimTestKeys.pem(dir, "brisbane", ed25519Pkcs8(Base64.getDecoder().decode(RFC8463_SEED)));

        DkimKey key = DkimKey.load("brisbane", file);

        assertThat(key.algorithm()).isEqualTo(DkimAlgorithm.ED25519_SHA256);
        assertThat(key.record()).isEqualTo("v=DKIM1; k=ed25519; p=" + RFC8463_PUBLIC);
    }

    @Test
    void rsaKeyPublishesItsSubjectPublicKeyInfo() {
        DkimKey key = DkimKey.load("s1", DkimTestKeys.rsa(dir, "s1", 2048));

        assertThat(key.algorithm()).isEqualTo(DkimAlgorithm.RSA_SHA256);
        assertThat(key.record()).startsWith("v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA");
    }

    @Test
    void rsaKeyShorterThan2048BitsIsRefused() {
        Path file = DkimTestKeys.rsa(dir, "short", 1024);

        assertThatThrownBy(() -> DkimKey.load("short", file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RSA key of 1024 bits is too short");
    }

    @Test
    void pkcs1RsaKeyIsRefusedWithTheConversionCommand() throws Exception {
        Path file = Files.writeString(dir.resolve("old.pem"),
                "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAK\n-----END RSA PRIVATE KEY-----\n");

        assertThatThrownBy(() -> DkimKey.load("old", file)).hasMessageContaining("openssl pkcs8 -topk8 -nocrypt");
    }

    @Test
    void garbageInsidePemIsRefused() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.pem"),
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");

        assertThatThrownBy(() -> DkimKey.load("bad", file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bad.pem");
    }

    @Test
    void selectorMustBeDnsLabels() {
        Path file = DkimTestKeys.ed25519(dir, "k");

        assertThatThrownBy(() -> DkimKey.load("bad selector", file)).hasMessageContaining("selector 'bad selector'");
    }
}
