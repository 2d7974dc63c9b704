package io.stsdane.relay.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The options are a plain value (the configuration loader has checked each key); what construction still refuses
 * is named by its Java parameter, and unusable files stop the server with a message that says what to change.
 */
class InboundOptionsTest extends InboundTestBase {

    @Test
    void onlyCombinationsNoSingleFieldCanSayAreRefusedAndNamedAsParameters() {
        assertThatThrownBy(() -> options().tls(tmp.resolve("a.crt"), null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tlsCertificate and tlsKey must be given together");
        assertThatThrownBy(() -> options().spfCheck(SpfMode.REJECT, null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("spfEgressIp is required when spfMode is REJECT");
        assertThatThrownBy(() -> InboundOptions.builder().build())
                .isInstanceOf(NullPointerException.class).hasMessage("hostname");
    }

    @Test
    void unusableFilesStopTheServerFromBeingBuilt() throws Exception {
        Path users = Files.writeString(tmp.resolve("users"), "alice:plaintext\n");
        assertThatThrownBy(() -> new InboundServer(options().usersFile(users).build(), intake))
                .hasMessageContaining("line 1");
        Path[] pem = SERVER.writePem(tmp, "relay");
        Path rsaKey = Files.writeString(tmp.resolve("rsa.key"), "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"
                + "-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> new InboundServer(options().tls(pem[0], rsaKey).build(), intake))
                .hasMessageContaining("tlsKey").hasMessageContaining("openssl pkcs8");
    }
}
