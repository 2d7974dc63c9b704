package io.stsdane.relay.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.MxRecord;
import io.stsdane.relay.core.testing.InMemoryDnsResolver;
import io.stsdane.relay.server.config.ConfigLoader;
import io.stsdane.relay.server.config.RelayConfig;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayApplicationTest {

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<String> events = new ArrayList<>();

    @TempDir
    Path dir;

    @Test
    void startsAdminAndServicesInOrderAndStopsThemInReverse() throws Exception {
        RelayConfig config = config();
        PrometheusMeterRegistry registry = RelayApplication.newRegistry();
        InMemoryDnsResolver dns = new InMemoryDnsResolver().mx("example.com", DnsSecurity.SECURE, new MxRecord(0, ""));
        RelayComponents.Assembly base = new StandaloneComponents(o -> dns).assemble(config, registry);
        RelayComponents.Assembly assembly = new RelayComponents.Assembly(
                List.of(service("queue", false), service("listener", false)), base.readiness(), base.queueAdmin());

        try (RelayApplication app = new RelayApplication(config, registry, assembly)) {
            app.start();
            String admin = "http://127.0.0.1:" + app.adminAddress().getPort();

            assertThat(Files.isDirectory(config.spool().dir())).isTrue();
            assertThat(get(admin + "/health/ready").statusCode()).isEqualTo(200);
            HttpResponse<String> metrics = get(admin + "/metrics");
            assertThat(metrics.body()).contains("jvm_memory_used_bytes");
            assertThat(events).containsExactly("start queue", "start listener");
        }
        assertThat(events).containsExactly("start queue", "start listener", "stop listener", "stop queue");
    }

    @Test
    void aFailedStartStopsWhatHadStartedAndFreesTheAdminPort() throws Exception {
        RelayConfig config = config();
        RelayComponents.Assembly assembly = new RelayComponents.Assembly(
                List.of(service("queue", false), service("listener", true)), List.of(), new FakeQueueAdmin());
        RelayApplication app = new RelayApplication(config, RelayApplication.newRegistry(), assembly);

        assertThatThrownBy(app::start).hasMessage("listener cannot bind");

        assertThat(events).containsExactly("start queue", "start listener", "stop queue");
        try (ServerSocket again = new ServerSocket(config.admin().listen().port(), 1,
                config.admin().listen().toResolved().getAddress())) {
            assertThat(again.isBound()).isTrue();
        }
    }

    private RelayConfig config() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return ConfigLoader.load(Optional.empty(), Map.of(
                "RELAY_ADMIN__LISTEN", "127.0.0.1:" + port,
                "RELAY_SPOOL__DIR", dir.resolve("spool").toString(),
                "RELAY_SPOOL__MIN_FREE_DISK", "1")).config();
    }

    private ManagedService service(String name, boolean failToStart) {
        return new ManagedService() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void start() {
                events.add("start " + name);
                if (failToStart) {
                    throw new IllegalStateException(name + " cannot bind");
                }
            }

            @Override
            public void stop() {
                events.add("stop " + name);
            }
        };
    }

    private HttpResponse<String> get(String uri) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
    }
}
