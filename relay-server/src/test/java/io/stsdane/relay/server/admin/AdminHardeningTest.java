package io.stsdane.relay.server.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.server.FakeQueueAdmin;
import io.stsdane.relay.server.config.AdminToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin API against clients that stall, browsers turned against it, and requests without the token. */
class AdminHardeningTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    private final FakeQueueAdmin queue = new FakeQueueAdmin();
    private final List<Socket> sockets = new ArrayList<>();
    private AdminServer server;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void clientsThatSendHalfARequestCannotStarveHealthChecks() throws Exception {
        start(Optional.empty(), Duration.ofMillis(500));
        for (int i = 0; i < AdminServer.WORKERS + 4; i++) {
            connect().getOutputStream().write("GET /queue HTTP/1.1\r\nHost: 127".getBytes(StandardCharsets.US_ASCII));
        }
        HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.address().getPort() + "/health"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void aHalfSentRequestIsClosedAtTheDeadline() throws Exception {
        start(Optional.empty(), Duration.ofMillis(300));
        Socket s = connect();
        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1".getBytes(StandardCharsets.US_ASCII));
        assertThat(closedByServer(s)).isTrue();
    }

    @Test
    void changesNeedTheServersOwnAddressAsHost() throws Exception {
        start(Optional.empty(), AdminServer.REQUEST_DEADLINE);
        assertThat(status("POST", "/queue/abc123/retry", "evil.example:" + port())).isEqualTo(403);
        assertThat(status("POST", "/queue/abc123/retry", "127.0.0.2:" + port())).isEqualTo(403);
        assertThat(status("POST", "/queue/abc123/retry", "127.0.0.1:1")).isEqualTo(403);
        assertThat(queue.calls).isEmpty();
        assertThat(status("POST", "/queue/abc123/retry", "127.0.0.1:" + port())).isEqualTo(200);
        assertThat(status("DELETE", "/queue/abc123", "localhost:" + port())).isEqualTo(200);
        assertThat(queue.calls).hasSize(2);
        // Reading stays open (as before); only changes are guarded.
        assertThat(status("GET", "/health", "evil.example")).isEqualTo(200);
    }

    @Test
    void crossOriginAndFormRequestsAreRefused() throws Exception {
        start(Optional.empty(), AdminServer.REQUEST_DEADLINE);
        String host = "127.0.0.1:" + port();
        assertThat(status("POST", "/queue/abc123/bounce", host, "Origin: http://evil.example")).isEqualTo(403);
        assertThat(status("POST", "/queue/abc123/bounce", host, "Origin: null")).isEqualTo(403);
        assertThat(status("POST", "/queue/abc123/bounce", host,
                "Content-Type: application/x-www-form-urlencoded")).isEqualTo(415);
        assertThat(status("POST", "/queue/abc123/bounce", host, "Content-Type: text/plain; charset=utf-8"))
                .isEqualTo(415);
        assertThat(queue.calls).isEmpty();
        assertThat(status("POST", "/queue/abc123/bounce", host, "Origin: http://" + host)).isEqualTo(200);
    }

    @Test
    void withATokenChangesNeedIt() throws Exception {
        AdminToken token = AdminToken.read(Files.writeString(dir.resolve("token"), TOKEN + "\n"));
        start(Optional.of(token), AdminServer.REQUEST_DEADLINE);
        String host = "127.0.0.1:" + port();
        assertThat(status("POST", "/queue/abc123/hold", host)).isEqualTo(401);
        assertThat(status("POST", "/queue/abc123/hold", host, "Authorization: Bearer wrong")).isEqualTo(401);
        assertThat(queue.calls).isEmpty();
        assertThat(status("POST", "/queue/abc123/hold", host, "Authorization: Bearer " + TOKEN)).isEqualTo(200);
        assertThat(status("GET", "/queue", host)).isEqualTo(200);
    }

    private void start(Optional<AdminToken> token, Duration deadline) throws IOException {
        server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), List.of(), Optional.of(queue), token, deadline);
    }

    private int port() {
        return server.address().getPort();
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port());
        s.setSoTimeout(20_000);
        sockets.add(s);
        return s;
    }

    /** One request over a raw socket (the JDK client will not send a Host of our choosing); the status code. */
    private int status(String method, String path, String host, String... headers) throws IOException {
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
        for (String h : headers) {
            request.append(h).append("\r\n");
        }
        request.append("Content-Length: 0\r\nConnection: close\r\n\r\n");
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.toString().getBytes(StandardCharsets.US_ASCII));
            String statusLine = firstLine(s.getInputStream());
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    private static String firstLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            line.write(c);
        }
        return line.toString(StandardCharsets.US_ASCII).strip();
    }

    private static boolean closedByServer(Socket s) {
        try {
            return s.getInputStream().read() < 0;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
