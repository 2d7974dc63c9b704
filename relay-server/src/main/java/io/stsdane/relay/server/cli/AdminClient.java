package io.stsdane.relay.server.cli;

import io.stsdane.relay.server.config.AdminToken;
import io.stsdane.relay.core.net.HostPort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** A client of a running relay's admin API. Thread-safe (the JDK client is). */
final class AdminClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final URI base;
    private final Optional<AdminToken> token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * @param admin where the admin API listens; a wildcard address means this machine's loopback
     * @param token sent with every request ({@code admin.token-file}), if configured
     */
    AdminClient(HostPort admin, Optional<AdminToken> token) {
        this.token = token;
        String host = switch (admin.host()) {
            case "0.0.0.0" -> "127.0.0.1";
            case "::", "0:0:0:0:0:0:0:0" -> "::1";
            default -> admin.host();
        };
        this.base = URI.create("http://" + new HostPort(host, admin.port()) + "/");
    }

    /** Where the requests go, for telling the operator. */
    URI base() {
        return base;
    }

    /** One answer: the HTTP status and the body. */
    record Response(int status, byte[] bytes) {
        boolean ok() {
            return status / 100 == 2;
        }

        String body() {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * @throws AdminUnreachableException when no relay answers at the address
     */
    Response send(String method, String path) throws AdminUnreachableException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(TIMEOUT)
                .method(method, HttpRequest.BodyPublishers.noBody());
        token.ifPresent(t -> request.header("Authorization", t.authorization()));
        try {
            HttpResponse<byte[]> r = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new AdminUnreachableException("cannot reach the relay's admin API at " + base + " (" + e
                    + "). Is the relay running? Use --admin HOST:PORT or the admin.listen of --config.");
        }
    }

    static final class AdminUnreachableException extends CommandFailure {
        AdminUnreachableException(String message) {
            super(message);
        }
    }
}
