package io.stsdane.relay.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.stsdane.relay.core.net.HostPort;
import io.stsdane.relay.core.net.IpLiterals;
import io.stsdane.relay.smtp.inbound.SpfMode;
import io.stsdane.relay.testkit.dkim.DkimTestKeys;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.net.Cidr;
import io.stsdane.relay.smtp.outbound.DeliveryOptions;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    /** The repository's config/ folder; surefire runs with the module directory as working directory. */
    private static final Path CONFIG_DIR = Path.of("..", "config");

    @TempDir
    Path dir;

    @Test
    void embeddedDefaultsAreTheDocumentedOnes() throws Exception {
        RelayConfig c = ConfigLoader.defaults();

        assertThat(c.server().listen()).isEqualTo(new HostPort("127.0.0.1", 2525));
        assertThat(c.server().allowedNetworks()).map(Cidr::toString).containsExactly("127.0.0.0/8", "0:0:0:0:0:0:0:1/128");
        assertThat(c.server().maxMessageSize()).isEqualTo(35L << 20);
        assertThat(c.server().tls()).isEmpty();
        assertThat(c.server().auth().requireTls()).isTrue();
        assertThat(c.server().spfCheck().mode()).isEqualTo(SpfMode.OFF);
        assertThat(c.spool().backend()).isEqualTo(SpoolConfig.Backend.FILE);
        assertThat(c.spool().dir()).isEqualTo(Path.of("./data"));
        assertThat(c.spool().minFreeDisk()).isEqualTo(512L << 20);
        assertThat(c.spool().commitDelay()).isEqualTo(Duration.ofMillis(2));
        assertThat(c.spool().postgres()).isEmpty();
        assertThat(c.dns().servers()).isEmpty();
        assertThat(c.dns().dnssec()).isEqualTo(DnssecMode.VALIDATE);
        assertThat(c.dns().trustAnchors()).isNull();
        assertThat(c.dns().allowNonLoopbackAd()).isFalse();
        assertThat(c.dns().insecureDomains()).isEmpty();
        assertThat(c.delivery().port()).isEqualTo(25);
        assertThat(c.delivery().deniedNetworks()).isEqualTo(DeliveryOptions.DEFAULT_DENIED_NETWORKS);
        assertThat(c.delivery().smarthost()).isEmpty();
        assertThat(c.delivery().retrySchedule()).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(5),
                Duration.ofMinutes(15), Duration.ofMinutes(30), Duration.ofHours(1));
        assertThat(c.delivery().maxQueueLifetime()).isEqualTo(Duration.ofDays(5));
        assertThat(c.delivery().timeouts().dataEnd()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.mtaSts()).isEqualTo(new MtaStsConfig(true, 443));
        assertThat(c.policies()).isEmpty();
        assertThat(c.admin().listen()).isEqualTo(new HostPort("127.0.0.1", 8025));
        assertThat(c.admin().token()).isEmpty();
        assertThat(c.server().drainTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.server().limits()).isEqualTo(new ServerConfig.Limits(500, 50, c.server().allowedNetworks(),
                Duration.ofMinutes(5), Duration.ofMinutes(3), 1024));
        assertThat(c.delivery().smarthostAuth()).isEmpty();
        assertThat(c.delivery().concurrency()).isEqualTo(new DeliveryConfig.Concurrency(100, 20, 100, 100));
        assertThat(c.tlsReporting()).isEqualTo(new TlsReportingConfig(true, Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty()));
    }

    @Test
    void shippedRelayYamlIsExactlyTheEmbeddedDefaults() throws Exception {
        RelayConfig fromFile = ConfigLoader.load(Optional.of(CONFIG_DIR.resolve("relay.yaml")), Map.of()).config();

        assertThat(fromFile).isEqualTo(ConfigLoader.defaults());
    }

    @Test
    void annotatedExampleSetsEveryKey() throws Exception {
        for (String f : List.of("tls/fullchain.pem", "tls/privkey.pem", "users", "ca-bundle.pem",
                "postgres.password", "smarthost.password")) {
            Files.createDirectories(dir.resolve(f).getParent());
            Files.writeString(dir.resolve(f), "x");
        }
        Files.createDirectories(dir.resolve("dkim"));
        DkimTestKeys.rsa(dir.resolve("dkim"), "example.com-rsa2026", 2048);
        DkimTestKeys.ed25519(dir.resolve("dkim"), "example.com-ed2026");
        Files.writeString(dir.resolve("admin.token"), TOKEN + "\n");
        String text = Files.readString(CONFIG_DIR.resolve("relay.example.yaml"))
                .replace("/etc/relay/", dir.toString() + "/")
                .replace("/var/spool/relay", dir.resolve("spool").toString());
        Path example = write(text);

        RelayConfig c = ConfigLoader.load(Optional.of(example), Map.of()).config();

        assertThat(c.server().listen()).isEqualTo(new HostPort("0.0.0.0", 2525));
        assertThat(c.server().hostname()).contains("relay.example.net");
        assertThat(c.server().allowedNetworks()).anyMatch(n -> n.contains(IpLiterals.parse("10.20.3.4")));
        assertThat(c.server().allowedNetworks()).noneMatch(n -> n.contains(IpLiterals.parse("10.21.3.4")));
        assertThat(c.server().tls()).isPresent();
        assertThat(c.server().auth().usersFile()).contains(dir.resolve("users"));
        assertThat(c.server().spfCheck().egressIp()).contains(InetAddress.getByName("203.0.113.25"));
        assertThat(c.spool().minFreeDisk()).isEqualTo(1L << 30);
        assertThat(c.spool().backend()).isEqualTo(SpoolConfig.Backend.FILE);
        assertThat(c.spool().postgres()).isEmpty();
        assertThat(c.dns().dnssec()).isEqualTo(DnssecMode.TRUST_AD);
        assertThat(c.dns().servers()).hasSize(1);
        assertThat(c.delivery().helo()).contains("relay.example.net");
        assertThat(c.delivery().sourceAddress()).isPresent();
        assertThat(c.delivery().delayWarning()).contains(Duration.ofHours(4));
        assertThat(c.delivery().concurrency()).isEqualTo(new DeliveryConfig.Concurrency(100, 20, 100, 100));
        assertThat(c.server().drainTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.server().limits()).isEqualTo(new ServerConfig.Limits(500, 50,
                List.of(Cidr.parse("10.20.0.0/16")), Duration.ofMinutes(5), Duration.ofMinutes(3), 1024));
        assertThat(c.admin().token()).hasValueSatisfying(t -> assertThat(t.accepts("Bearer " + TOKEN)).isTrue());
        assertThat(c.tlsReporting().organization()).contains("Example Corp");
        assertThat(c.tlsReporting().contact()).contains("mailto:postmaster@example.net");
        assertThat(c.tlsReporting().from()).contains("tlsrpt-noreply@relay.example.net");
        assertThat(c.tlsReporting().sendingIp()).contains(InetAddress.getByName("203.0.113.25"));
        assertThat(c.tls().caFile()).contains(dir.resolve("ca-bundle.pem"));
        assertThat(c.policies()).containsExactlyInAnyOrderEntriesOf(
                Map.of("partner.example", TlsLevel.VERIFY, "legacy.example", TlsLevel.MAY));
        assertThat(c.dkim().domains().get("example.com").keys()).extracting(k -> k.selector())
                .containsExactly("rsa2026", "ed2026");
        assertThat(c.dkim().domains().get("example.com").allows("billing-app")).isTrue();
        assertThat(c.dkim().expiration()).contains(Duration.ofDays(30));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            server: {lisen: 1.2.3.4:25}                       | server.lisen: unknown key (expected one of: listen,
            relay: {x: 1}                                     | relay: unknown key
            server: {listen: localhost}                       | server.listen: 'localhost' has no port
            server: {listen: '[::1:25'}                       | server.listen: '[::1:25' has '[' without ']'
            server: {listen: '1.2.3.4:99999'}                 | server.listen: '1.2.3.4:99999': port 99999 is not in 0-65535
            server: {allowed-networks: [10.0.0.1/8]}          | server.allowed-networks[0]: '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?
            server: {allowed-networks: [10.0.0.0/33]}         | server.allowed-networks[0]: '10.0.0.0/33': prefix length must be 0-32
            server: {allowed-networks: [example.com/8]}       | server.allowed-networks[0]: 'example.com' is not an IP address
            server: {max-message-size: 35MB5}                 | server.max-message-size: '35MB5' is not a size
            server: {max-message-size: 0}                     | server.max-message-size: '0' must be greater than zero
            server: {max-message-size: 2GiB}                  | server.max-message-size: '2GiB' is more than 2147483647 octets
            server: {max-recipients: lots}                    | server.max-recipients: 'lots' is not a whole number in 1-100000
            server: {tls: {cert: /nonexistent/cert.pem}}      | server.tls.cert: file /nonexistent/cert.pem does not exist
            server: {spf-check: {mode: maybe}}                | server.spf-check.mode: 'maybe' is not off, warn or reject
            server: {spf-check: {mode: reject}}               | server.spf-check.egress-ip: needed when server.spf-check.mode is reject
            server: {drain-timeout: soon}                     | server.drain-timeout: 'soon' is not a duration
            server: {drain-timeout: 25d}                      | server.drain-timeout: '25d' is longer than 24d
            server: {max-sessions: 0}                         | server.max-sessions: '0' is not a whole number in 1-100000
            server: {max-sessions-per-ip: many}               | server.max-sessions-per-ip: 'many' is not a whole number in 1-100000
            server: {per-ip-limit-exceptions: [10.0.0.1/8]}   | server.per-ip-limit-exceptions[0]: '10.0.0.1/8' has host bits set
            server: {command-timeout: 0s}                     | server.command-timeout: '0s' must be greater than zero
            server: {data-timeout: 25d}                       | server.data-timeout: '25d' is longer than 24d
            server: {data-min-rate: 0}                        | server.data-min-rate: '0' must be greater than zero
            admin: {listen: 0.0.0.0:8025}                     | admin.token-file: required when admin.listen (0.0.0.0:8025) is not a loopback address
            admin: {token-file: /nonexistent/token}           | admin.token-file: file /nonexistent/token does not exist
            server: {listen: [a, b]}                          | server.listen: must be a single value, not a list
            server: 5                                         | server: must be a mapping
            spool: {min-free-disk: lots}                      | spool.min-free-disk: 'lots' is not a size
            spool: {backend: mysql}                           | spool.backend: 'mysql' is not file or postgres
            spool: {commit-delay: soon}                       | spool.commit-delay: 'soon' is not a duration
            spool: {commit-delay: 101ms}                      | spool.commit-delay: '101ms' is longer than 100ms
            spool: {backend: postgres}                        | spool.postgres.url: needed when spool.backend is postgres
            spool: {postgres: {url: 'postgres://db/relay'}}   | spool.postgres.url: 'postgres://db/relay' is not a PostgreSQL JDBC URL
            spool: {postgres: {pool-size: 1}}                 | spool.postgres.pool-size: '1' is not a whole number in 2-1000
            spool: {postgres: {password-file: /nonexistent/pw}} | spool.postgres.password-file: file /nonexistent/pw does not exist
            spool: {postgres: {host: db}}                     | spool.postgres.host: unknown key
            dns: {dnssec: maybe}                              | dns.dnssec: unknown dnssec mode 'maybe'
            dns: {servers: [dns.google]}                      | dns.servers[0]: 'dns.google': a resolver must be an IP address
            dns: {servers: [8.8.8.8], dnssec: trust-ad}       | dns.servers: 8.8.8.8 is not a loopback address
            dns: {dnssec: trust-ad}                           | dns.servers: dns.dnssec: trust-ad needs the validating resolvers
            dns: {trust-anchors: /nonexistent/root.key}       | dns.trust-anchors: file /nonexistent/root.key does not exist
            dns: {insecure-domains: [corp..example]}          | dns.insecure-domains[0]: 'corp..example' is not a valid domain name
            dns: {insecure-domains: ['.']}                    | dns.insecure-domains[0]: '.' is not a valid domain name
            dns: {dnssec: 'off', insecure-domains: [corp]}    | dns.insecure-domains: has no effect with dns.dnssec: off
            delivery: {denied-networks: [10.0.0.1/8]}         | delivery.denied-networks[0]: '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?
            delivery: {denied-networks: [metadata.internal]}  | delivery.denied-networks[0]: 'metadata.internal' is not an IP address
            delivery: {denied-networks: ['::1/129']}          | delivery.denied-networks[0]: '::1/129': prefix length must be 0-128
            delivery: {retry-schedule: [1m, soon]}            | delivery.retry-schedule[1]: 'soon' is not a duration
            delivery: {retry-schedule: []}                    | delivery.retry-schedule: needs at least one duration
            delivery: {max-queue-lifetime: 5}                 | delivery.max-queue-lifetime: '5' is not a duration
            delivery: {timeouts: {data-init: 0s}}             | delivery.timeouts.data-init: '0s' must be greater than zero
            delivery: {timeouts: {dat-init: 2m}}              | delivery.timeouts.dat-init: unknown key
            delivery: {port: 0}                               | delivery.port: '0' is not a whole number in 1-65535
            delivery: {smarthost: 'mx:x'}                     | delivery.smarthost: 'mx:x': port 'x' is not a number
            delivery: {smarthost: 'mx.example:0'}             | delivery.smarthost: port 0 is not in 1-65535
            delivery: {smarthost: 'bad_name!'}                | delivery.smarthost: 'bad_name!' is neither an IP address nor a valid host name
            delivery: {delay-warning: 6d}                     | delivery.delay-warning: must be shorter than delivery.max-queue-lifetime
            delivery: {source-address: 300.1.1.1}             | delivery.source-address: '300.1.1.1' is not an IPv4 address
            delivery: {max-connections: 0}                    | delivery.max-connections: '0' is not a whole number in 1-10000
            delivery: {max-per-destination: many}             | delivery.max-per-destination: 'many' is not a whole number in 1-10000
            delivery: {max-connections: 5}                    | delivery.max-per-destination: 20 is more than delivery.max-connections (5)
            delivery: {messages-per-connection: 0}            | delivery.messages-per-connection: '0' is not a whole number in 1-100000
            delivery: {queue-concurrency: -1}                 | delivery.queue-concurrency: '-1' is not a whole number in 1-10000
            delivery: {smarthost-auth: {username: relay}}     | delivery.smarthost-auth.password-file: delivery.smarthost-auth needs both username and password-file
            delivery: {smarthost-auth: {password-file: /nonexistent/pw}} | delivery.smarthost-auth.password-file: file /nonexistent/pw does not exist
            delivery: {smarthost-auth: {user: relay}}         | delivery.smarthost-auth.user: unknown key
            delivery: {smarthost-auth: relay}                 | delivery.smarthost-auth: must be a mapping
            tls-reporting: {enabled: yes please}              | tls-reporting.enabled: 'yes please' is not true or false
            tls-reporting: {from: 'Relay <tlsrpt@example.net>'} | tls-reporting.from: 'Relay <tlsrpt@example.net>' is not a plain address local@domain
            tls-reporting: {from: tlsrpt@-bad-.example}       | tls-reporting.from: '-bad-.example' is not a valid domain name
            tls-reporting: {from: example.net}                | tls-reporting.from: 'example.net' is not a plain address local@domain
            tls-reporting: {sending-ip: relay.example.net}    | tls-reporting.sending-ip: 'relay.example.net' is not
            tls-reporting: {organization: "Example\\nCorp"}    | tls-reporting.organization: must be one line
            tls-reporting: {submitter: relay.example.net}     | tls-reporting.submitter: unknown key
            tls: {ca-file: /nonexistent/ca.pem}               | tls.ca-file: file /nonexistent/ca.pem does not exist
            mta-sts: {enabled: sometimes}                     | mta-sts.enabled: 'sometimes' is not true or false
            policies: {example.com: strict}                   | policies.example.com: unknown TLS level 'strict'
            policies: {'-bad-.example': verify}               | policies.-bad-.example: '-bad-.example' is not a valid domain name
            policies: {Example.COM: verify, example.com: may} | policies.example.com: domain example.com is listed twice
            admin: {listen: ':8025'}                          | admin.listen: ':8025' has no host
            """)
    void eachInvalidValueIsReportedWithItsKey(String yaml, String expectedMessageStart) throws IOException {
        Path file = write(yaml);

        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(expectedMessageStart.strip());
    }

    @Test
    void deniedNetworksCanBeEmptiedAndInsecureDomainsAreCanonical() throws Exception {
        Path file = write("dns: {insecure-domains: [Corp.Example.]}\ndelivery: {denied-networks: []}\n");

        RelayConfig c = ConfigLoader.load(Optional.of(file), Map.of()).config();

        assertThat(c.dns().insecureDomains()).containsExactly("corp.example");
        assertThat(c.delivery().deniedNetworks()).isEmpty();
    }

    @Test
    void postgresBackendReadsItsSection() throws Exception {
        Files.writeString(dir.resolve("pw"), "s3cret\n");
        Path file = write("spool: {backend: postgres, postgres: {url: 'jdbc:postgresql://db.example.net:5432/relay',"
                + " user: mta, password-file: " + dir.resolve("pw") + ", pool-size: 20, schema: relay_eu, lease: 30s,"
                + " connect-timeout: 2s}}");

        SpoolConfig spool = ConfigLoader.load(Optional.of(file), Map.of()).config().spool();

        assertThat(spool.backend()).isEqualTo(SpoolConfig.Backend.POSTGRES);
        assertThat(spool.postgres()).contains(new SpoolConfig.Postgres("jdbc:postgresql://db.example.net:5432/relay",
                "mta", Optional.of(dir.resolve("pw")), 20, "relay_eu", Duration.ofSeconds(30), Duration.ofSeconds(2)));
    }

    @Test
    void aCommitDelayOfZeroTurnsTheWaitOff() throws Exception {
        SpoolConfig spool = ConfigLoader.load(Optional.empty(), Map.of("RELAY_SPOOL__COMMIT_DELAY", "0ms"))
                .config().spool();

        assertThat(spool.commitDelay()).isZero();
    }

    @Test
    void postgresBackendCanBeChosenFromTheEnvironment() throws Exception {
        SpoolConfig spool = ConfigLoader.load(Optional.empty(), Map.of("RELAY_SPOOL__BACKEND", "postgres",
                "RELAY_SPOOL__POSTGRES__URL", "jdbc:postgresql://127.0.0.1/relay")).config().spool();

        assertThat(spool.postgres()).contains(new SpoolConfig.Postgres("jdbc:postgresql://127.0.0.1/relay", "relay",
                Optional.empty(), 10, "relay", Duration.ofMinutes(2), Duration.ofSeconds(5)));
    }

    @Test
    void postgresSchemaMustBeAPlainIdentifierAndTheLeaseWithinBounds() throws Exception {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(write("spool: {postgres: {schema: 'relay; DROP'}}")),
                Map.of())).isInstanceOf(ConfigException.class).hasMessageContaining("spool.postgres.schema")
                .hasMessageContaining("not a lower-case SQL identifier");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(write("spool: {postgres: {lease: 5s}}")), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("spool.postgres.lease")
                .hasMessageContaining("not between 10s and 1d");
    }

    @Test
    void smarthostAuthReadsAndTrimsThePasswordFile() throws Exception {
        Files.writeString(dir.resolve("pw"), "  s3cret \n");
        Path file = write("delivery: {smarthost: mail.example.net:587, smarthost-auth: {username: relay@example.net,"
                + " password-file: " + dir.resolve("pw") + "}}");

        DeliveryConfig d = ConfigLoader.load(Optional.of(file), Map.of()).config().delivery();

        assertThat(d.smarthostAuth()).contains(new DeliveryConfig.SmartHostAuth("relay@example.net", "s3cret"));
        assertThat(d.smarthostAuth().orElseThrow().toString()).doesNotContain("s3cret");
    }

    @Test
    void smarthostAuthWithoutSmarthostIsRefused() throws IOException {
        Files.writeString(dir.resolve("pw"), "s3cret\n");
        Path file = write("delivery: {smarthost-auth: {username: relay, password-file: " + dir.resolve("pw") + "}}");

        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
                .hasMessageStartingWith("delivery.smarthost-auth: only used with delivery.smarthost");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource({"''", "'   \\n'", "'two\\nlines'"})
    void smarthostPasswordFileMustHoldOneLine(String content) throws IOException {
        Files.writeString(dir.resolve("pw"), content.translateEscapes());
        Path file = write("delivery: {smarthost: mx.example.net, smarthost-auth: {username: relay, password-file: "
                + dir.resolve("pw") + "}}");

        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
                .hasMessageStartingWith("delivery.smarthost-auth.password-file: " + dir.resolve("pw").toAbsolutePath()
                        + " must hold the password on one line");
    }

    @Test
    void newKeysCanBeSetFromTheEnvironment() throws Exception {
        RelayConfig c = ConfigLoader.load(Optional.empty(), Map.of(
                "RELAY_TLS_REPORTING__ENABLED", "false",
                "RELAY_TLS_REPORTING__SENDING_IP", "2001:db8::25",
                "RELAY_SERVER__DRAIN_TIMEOUT", "0s",
                "RELAY_DELIVERY__MAX_CONNECTIONS", "8",
                "RELAY_DELIVERY__MAX_PER_DESTINATION", "8",
                "RELAY_DELIVERY__QUEUE_CONCURRENCY", "4")).config();

        assertThat(c.tlsReporting().enabled()).isFalse();
        assertThat(c.tlsReporting().sendingIp()).contains(InetAddress.getByName("2001:db8::25"));
        assertThat(c.server().drainTimeout()).isZero();
        assertThat(c.delivery().concurrency()).isEqualTo(new DeliveryConfig.Concurrency(8, 8, 100, 4));
    }

    @Test
    void resolversMayOmitThePort() throws Exception {
        Path file = write("dns: {servers: ['::1', '127.0.0.1', '[::1]:5353', '192.0.2.1:53'], dnssec: validate}");

        assertThat(ConfigLoader.load(Optional.of(file), Map.of()).config().dns().servers()).containsExactly(
                new InetSocketAddress("::1", 53), new InetSocketAddress("127.0.0.1", 53),
                new InetSocketAddress("::1", 5353), new InetSocketAddress("192.0.2.1", 53));
    }

    @Test
    void retryScheduleRepeatsItsLastEntry() throws Exception {
        Path file = write("delivery: {retry-schedule: [1m, 10m]}");
        DeliveryConfig d = ConfigLoader.load(Optional.of(file), Map.of()).config().delivery();

        assertThat(d.retryDelay(1)).isEqualTo(Duration.ofMinutes(1));
        assertThat(d.retryDelay(2)).isEqualTo(Duration.ofMinutes(10));
        assertThat(d.retryDelay(7)).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void authWithoutTlsIsRefusedWhenTlsIsRequiredForAuth() throws IOException {
        Files.writeString(dir.resolve("users"), "x");
        Path file = write("server: {auth: {users-file: " + dir.resolve("users") + "}}");

        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
                .hasMessageStartingWith("server.auth.users-file: AUTH is only offered after STARTTLS");
    }

    @Test
    void certWithoutKeyIsRefused() throws IOException {
        Files.writeString(dir.resolve("cert.pem"), "x");
        Path file = write("server: {tls: {cert: " + dir.resolve("cert.pem") + "}}");

        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
                .hasMessageStartingWith("server.tls.key: server.tls needs both cert and key");
    }

    @Test
    void brokenYamlNamesTheLine() throws IOException {
        Path file = write("server:\n  listen: [\n");

        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
                .hasMessageContaining(file + " line ").hasMessageContaining("not valid YAML");
    }

    @Test
    void duplicateKeysAreRefused() throws IOException {
        Path file = write("delivery:\n  port: 25\n  port: 26\n");

        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
                .hasMessageContaining("Duplicate field 'port'");
    }

    @Test
    void missingConfigFileIsReported() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(dir.resolve("nope.yaml")), Map.of()))
                .hasMessageContaining("nope.yaml does not exist");
    }

    @Test
    void fileValuesMergeOverDefaultsKeyByKey() throws Exception {
        Path file = write("delivery:\n  timeouts:\n    greeting: 1m\n  smarthost: smart.example.net\n");

        RelayConfig c = ConfigLoader.load(Optional.of(file), Map.of()).config();

        assertThat(c.delivery().timeouts().greeting()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.delivery().timeouts().mail()).isEqualTo(Duration.ofMinutes(5));
        assertThat(c.delivery().smarthost()).contains(new HostPort("smart.example.net", 25));
        assertThat(c.server()).isEqualTo(ConfigLoader.defaults().server());
    }

    /** Parsed once: the delivery engine and the smart host's credentials policy get the same canonical name. */
    @Test
    void theSmarthostNameIsCanonicalAndALiteralIsKept() throws Exception {
        assertThat(ConfigLoader.load(Optional.of(write("delivery: {smarthost: 'Smart.Example.NET.:587'}\n")), Map.of())
                .config().delivery().smarthost()).contains(new HostPort("smart.example.net", 587));
        assertThat(ConfigLoader.load(Optional.of(write("delivery: {smarthost: '[2001:db8::25]'}\n")), Map.of())
                .config().delivery().smarthost()).contains(new HostPort("2001:db8::25", 25));
    }

    @Test
    void environmentOverridesWinOverTheFile() throws Exception {
        Path file = write("delivery: {smarthost: from-file.example:25}\n");
        Map<String, String> env = Map.of(
                "RELAY_DELIVERY__SMARTHOST", "from-env.example:2525",
                "RELAY_DELIVERY__TIMEOUTS__DATA_INIT", "90s",
                "RELAY_SERVER__ALLOWED_NETWORKS", "10.0.0.0/8, 192.168.0.0/16",
                "RELAY_DNS__SERVERS", "",
                "RELAY_MTA_STS__ENABLED", "false",
                "RELAY_POLICIES", "partner.example=verify,legacy.example=may",
                "RELAY_HOME", "/opt/relay",
                "PATH", "/usr/bin");

        LoadedConfig loaded = ConfigLoader.load(Optional.of(file), env);
        RelayConfig c = loaded.config();

        assertThat(c.delivery().smarthost()).contains(new HostPort("from-env.example", 2525));
        assertThat(c.delivery().timeouts().data()).isEqualTo(Duration.ofSeconds(90));
        assertThat(c.server().allowedNetworks()).map(Cidr::toString).containsExactly("10.0.0.0/8", "192.168.0.0/16");
        assertThat(c.dns().servers()).isEmpty();
        assertThat(c.mtaSts().enabled()).isFalse();
        assertThat(c.policies()).containsEntry("partner.example", TlsLevel.VERIFY).containsEntry("legacy.example", TlsLevel.MAY);
        assertThat(loaded.effectiveYaml()).contains("from-env.example:2525");
    }

    @Test
    void dockerComposeEnvironmentIsAValidConfiguration() throws Exception {
        JsonNode compose = new YAMLMapper().readTree(Path.of("..", "docker-compose.yml").toFile());
        Map<String, String> env = new HashMap<>();
        compose.at("/services/relay/environment").properties()
                .forEach(e -> env.put(e.getKey(), e.getValue().asText()));
        env.put("RELAY_SPOOL__DIR", dir.toString());
        assertThat(env).containsEntry("RELAY_ADMIN__TOKEN_FILE", "/run/secrets/admin_token");
        env.put("RELAY_ADMIN__TOKEN_FILE", Files.writeString(dir.resolve("admin.token"), TOKEN).toString());

        RelayConfig c = ConfigLoader.load(Optional.empty(), env).config();

        assertThat(c.dns().dnssec()).isEqualTo(DnssecMode.TRUST_AD);
        assertThat(c.dns().servers()).allMatch(s -> s.getAddress().isLoopbackAddress());
        assertThat(c.server().allowedNetworks()).anyMatch(n -> n.contains(IpLiterals.parse("172.28.0.1")));
    }

    @Test
    void badEnvironmentValueNamesTheVariable() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("RELAY_DELIVERY__PORT", "smtp")))
                .hasMessage("delivery.port (from environment variable RELAY_DELIVERY__PORT):"
                        + " 'smtp' is not a whole number in 1-65535");
    }

    @Test
    void environmentVariableForUnknownKeyIsRefused() {
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("RELAY_DELIVERY__SMARTHOTS", "x:25")))
                .hasMessageStartingWith("delivery.smarthots (from environment variable RELAY_DELIVERY__SMARTHOTS):"
                        + " unknown key");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("RELAY_DELIVRY__PORT", "25")))
                .hasMessageStartingWith("delivry: unknown section (from environment variable RELAY_DELIVRY__PORT");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.empty(), Map.of("RELAY_delivery__port", "25")))
                .hasMessageContaining("is not RELAY_SECTION__KEY");
    }

    @Test
    void unquotedOffIsTheSpfModeOff() throws Exception {
        Path file = write("server:\n  spf-check:\n    mode: off\n");

        assertThat(ConfigLoader.load(Optional.of(file), Map.of()).config().server().spfCheck().mode())
                .isEqualTo(SpfMode.OFF);
    }

    @Test
    void perIpLimitExceptionsAreTheAllowedNetworksUnlessGiven() throws Exception {
        RelayConfig byDefault = ConfigLoader.load(Optional.of(write("server: {allowed-networks: [10.1.0.0/16]}")),
                Map.of()).config();
        assertThat(byDefault.server().limits().perIpLimitExceptions()).containsExactly(Cidr.parse("10.1.0.0/16"));
        RelayConfig none = ConfigLoader.load(Optional.of(write(
                "server: {allowed-networks: [10.1.0.0/16], per-ip-limit-exceptions: []}")), Map.of()).config();
        assertThat(none.server().limits().perIpLimitExceptions()).isEmpty();
    }

    @Test
    void adminTokenMustBeLongEnough() throws IOException {
        Path token = Files.writeString(dir.resolve("short.token"), "secret\n");
        Path file = write("admin: {token-file: " + token + "}");
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(file), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("admin.token-file: the first line of " + token + " must be a token of at least 16");
    }

    private Path write(String yaml) throws IOException {
        Path file = Files.createTempFile(dir, "relay", ".yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
