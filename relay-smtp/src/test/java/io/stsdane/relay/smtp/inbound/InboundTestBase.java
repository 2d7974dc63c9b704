package io.stsdane.relay.smtp.inbound;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.stsdane.relay.core.dns.DnsResolver;
import io.stsdane.relay.core.net.Cidr;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.core.testing.CapturingIntake;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Starts real listeners on 127.0.0.1 with a spool in a temporary directory; stops them after each test. */
abstract class InboundTestBase {

    static final TestCertificate ROOT = TestCertificate.builder().commonName("Test Root").ca().build();
    static final TestCertificate SERVER = TestCertificate.builder().dnsNames("relay.test").issuedBy(ROOT).build();
    static final SSLContext CLIENT_TLS = ROOT.clientContextTrustingThis();

    @TempDir
    Path tmp;
    CapturingIntake intake;
    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final List<InboundServer> servers = new ArrayList<>();

    @BeforeEach
    void spool() throws IOException {
        intake = CapturingIntake.spoolingTo(Files.createDirectory(tmp.resolve("spool")));
    }

    @AfterEach
    void stopServers() {
        servers.forEach(InboundServer::stop);
    }

    /** Defaults: 127.0.0.1 may relay, no TLS, no AUTH. */
    InboundOptions.Builder options() {
        return InboundOptions.builder()
                .listen(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .hostname("relay.test")
                .allowedNetworks(List.of(Cidr.parse("127.0.0.0/8"), Cidr.parse("::1/128")));
    }

    InboundServer start(Consumer<InboundOptions.Builder> customize) {
        return start(intake, customize);
    }

    InboundServer start(MessageIntake queue, Consumer<InboundOptions.Builder> customize) {
        return start(null, queue, customize);
    }

    /** With {@code dns} for the SPF check. */
    InboundServer start(DnsResolver dns, MessageIntake queue, Consumer<InboundOptions.Builder> customize) {
        InboundOptions.Builder b = options();
        customize.accept(b);
        InboundServer server = new InboundServer(b.build(), dns, queue, meters);
        servers.add(server);
        server.start();
        return server;
    }

    InboundServer start() {
        return start(b -> { });
    }

    /** A users file with alice:secret and bob:hunter2 (cost 4 keeps tests fast). */
    Path usersFile() throws IOException {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        String lines = "# test users\n"
                + "alice:" + OpenBSDBCrypt.generate("2y", "secret".toCharArray(), salt, 4) + "\n"
                + "\n"
                + "bob:" + OpenBSDBCrypt.generate("2b", "hunter2".toCharArray(), salt, 4) + "\n";
        return Files.writeString(tmp.resolve("users"), lines, StandardCharsets.UTF_8);
    }

    static String plain(String user, String password) {
        return java.util.Base64.getEncoder().encodeToString(("\0" + user + "\0" + password)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** MAIL, RCPT, DATA with {@code content} (already CRLF and dot-stuffed, without the final dot line). */
    static String send(SmtpClient c, String from, String to, String content) throws IOException {
        String r = c.cmd("MAIL FROM:<" + from + ">");
        if (!r.startsWith("250")) {
            return r;
        }
        r = c.cmd("RCPT TO:<" + to + ">");
        if (!r.startsWith("250")) {
            return r;
        }
        r = c.cmd("DATA");
        if (!r.startsWith("354")) {
            return r;
        }
        c.send(content + ".\r\n");
        return c.reply();
    }
}
