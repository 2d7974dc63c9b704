package io.stsdane.relay.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bad configuration stops start-up with a message that says what to change. */
class InboundOptionsTest extends InboundTestBase {

    @Test
    void misconfigurationsAreNamed() {
        assertThatThrownBy(() -> options().hostname(" ").build()).hasMessageContaining("server.hostname");
        assertThatThrownBy(() -> options().allowedNetworks(List.of("10.0.0.0/8", "lan")).build())
                .hasMessageContaining("server.allowed-networks").hasMessageContaining("'lan'");
        assertThatThrownBy(() -> options().maxMessageSize(0).build()).hasMessageContaining("server.max-message-size");
        assertThatThrownBy(() -> options().tls(tmp.resolve("a.crt"), null).build())
                .hasMessageContaining("server.tls.cert and server.tls.key");
        assertThatThrownBy(() -> options().spfCheck(SpfMode.REJECT, null).build())
                .hasMessageContaining("server.spf-check.egress-ip");
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
                .hasMessageContaining("server.tls.key").hasMessageContaining("openssl pkcs8");
    }
}
