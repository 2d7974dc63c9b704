package io.stsdane.relay.bench;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * Serves one MTA-STS policy at {@code /.well-known/mta-sts.txt} over HTTPS on loopback (RFC 8461 §3.3), as
 * {@code text/plain}. The relay is pointed at its port with {@code mta-sts.https-port}. Thread-safe.
 */
public final class PolicyServer implements AutoCloseable {

    private final HttpsServer server;

    private PolicyServer(HttpsServer server) {
        this.server = server;
    }

    /** Serves {@code policy} with {@code tls} (a certificate for {@code mta-sts.<domain>}) on any free port. */
    public static PolicyServer start(String policy, SSLContext tls) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        s.setHttpsConfigurator(new HttpsConfigurator(tls));
        byte[] body = policy.getBytes(StandardCharsets.US_ASCII);
        s.createContext("/.well-known/mta-sts.txt", ex -> {
            ex.getResponseHeaders().set("Content-Type", "text/plain");
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(body);
            }
        });
        s.setExecutor(Executors.newSingleThreadExecutor(r -> new Thread(r, "mta-sts-policy")));
        s.start();
        return new PolicyServer(s);
    }

    public int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
