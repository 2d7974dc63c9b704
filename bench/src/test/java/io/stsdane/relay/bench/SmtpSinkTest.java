package io.stsdane.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.testkit.pki.TestCertificate;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SmtpSinkTest {

    private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
    private SmtpSink sink;

    @AfterEach
    void stop() {
        if (sink != null) {
            sink.close();
        }
    }

    @Test
    void loadGeneratorSeesEveryMessageArriveExactlyOnce() throws Exception {
        sink = SmtpSink.start(ANY, ANY, null);
        LoadGenerator.Settings s = new LoadGenerator.Settings(new InetSocketAddress("127.0.0.1", sink.port()), 4, 200,
                4096, "a@bench.invalid", "b@bench.test", "t1", new SinkClient(sink.controlUrl()),
                Duration.ofSeconds(30));

        Map<String, Object> r = new LoadGenerator(s).run();

        assertThat(r).containsEntry("accepted", 200).containsEntry("errors", 0).containsEntry("rejected", 0)
                .containsEntry("delivered", 200).containsEntry("duplicates", 0L);
        assertThat(sink.log().distinct("t1")).isEqualTo(200);
        assertThat(sink.log().connections()).isEqualTo(4);
    }

    @Test
    void pipelinedCommandsAndAnEndOfDataSplitAcrossWritesAreHandled() throws Exception {
        sink = SmtpSink.start(ANY, ANY, null);
        try (Socket s = new Socket("127.0.0.1", sink.port())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            assertThat(in.readLine()).startsWith("220");
            write(out, "EHLO c\r\nMAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n");
            assertThat(reply(in)).startsWith("250 ");
            assertThat(in.readLine()).startsWith("250");
            assertThat(in.readLine()).startsWith("250");
            assertThat(in.readLine()).startsWith("354");
            write(out, "Received: from relay\r\nX-Bench-Id: p-7\r\n\r\nbody\r\n.. not the end\r");
            Thread.sleep(50);
            write(out, "\n.");
            Thread.sleep(50);
            write(out, "\r\nQUIT\r\n");
            assertThat(in.readLine()).startsWith("250 2.0.0");
            assertThat(in.readLine()).startsWith("221");
        }
        assertThat(sink.log().arrivals("p")).containsOnlyKeys(7);
    }

    @Test
    void startTlsUpgradesTheConnectionAndIsNoLongerOffered() throws Exception {
        TestCertificate cert = TestCertificate.builder().dnsNames("mx.bench.test").build();
        sink = SmtpSink.start(ANY, ANY, cert.serverContext());
        try (Socket plain = new Socket("127.0.0.1", sink.port())) {
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).startsWith("220");
            write(plain.getOutputStream(), "EHLO c\r\n");
            assertThat(replyLines(in)).contains("250-STARTTLS");
            write(plain.getOutputStream(), "STARTTLS\r\n");
            assertThat(in.readLine()).startsWith("220 2.0.0");

            SSLSocket tls = (SSLSocket) cert.clientContextTrustingThis().getSocketFactory()
                    .createSocket(plain, "mx.bench.test", sink.port(), true);
            tls.startHandshake();
            BufferedReader tin = new BufferedReader(new InputStreamReader(tls.getInputStream(), StandardCharsets.US_ASCII));
            write(tls.getOutputStream(), "EHLO c\r\n");
            assertThat(replyLines(tin)).doesNotContain("STARTTLS");
            write(tls.getOutputStream(), "MAIL FROM:<a@x>\r\nRCPT TO:<b@y>\r\nDATA\r\n");
            tin.readLine();
            tin.readLine();
            assertThat(tin.readLine()).startsWith("354");
            write(tls.getOutputStream(), "X-Bench-Id: tls-1\r\n\r\nhi\r\n.\r\n");
            assertThat(tin.readLine()).startsWith("250 2.0.0");
        }
        assertThat(sink.log().distinct("tls")).isEqualTo(1);
        assertThat(sink.log().tlsSessions()).isEqualTo(1);
    }

    private static void write(OutputStream out, String s) throws Exception {
        out.write(s.getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String reply(BufferedReader in) throws Exception {
        String line;
        do {
            line = in.readLine();
        } while (line.charAt(3) == '-');
        return line;
    }

    private static String replyLines(BufferedReader in) throws Exception {
        StringBuilder sb = new StringBuilder();
        String line;
        do {
            line = in.readLine();
            sb.append(line).append('\n');
        } while (line.charAt(3) == '-');
        return sb.toString();
    }
}
