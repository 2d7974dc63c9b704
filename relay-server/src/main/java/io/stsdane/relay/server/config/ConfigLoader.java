package io.stsdane.relay.server.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.stsdane.relay.core.dns.DnsOptions;
import io.stsdane.relay.core.dns.DnssecMode;
import io.stsdane.relay.core.net.Cidr;
import io.stsdane.relay.core.net.HostPort;
import io.stsdane.relay.core.net.IpLiterals;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.util.DomainNames;
import io.stsdane.relay.dkim.DkimSettings;
import io.stsdane.relay.smtp.inbound.SpfMode;
import io.stsdane.relay.smtp.outbound.SmtpTimeouts;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Loads {@code relay.yaml}: the embedded defaults, with the operator's file merged over them, then the
 * environment overrides ({@link EnvOverrides}), validated into a {@link RelayConfig}. The first problem found
 * stops loading with a {@link ConfigException} that names the key. Stateless and thread-safe.
 */
public final class ConfigLoader {

    static final String DEFAULTS_RESOURCE = "defaults.yaml";

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();

    private ConfigLoader() {
    }

    /**
     * @param file the operator's configuration; empty means the embedded defaults alone
     * @param env the environment (normally {@link System#getenv()})
     */
    public static LoadedConfig load(Optional<Path> file, Map<String, String> env) throws ConfigException {
        Map<String, String> origins = new HashMap<>();
        ObjectNode tree = tree(file, env, origins);
        RelayConfig config = bind(new ConfigNode(tree, "", origins));
        try {
            return new LoadedConfig(config, YAML.writeValueAsString(Secrets.masked(tree)),
                    EnvOverrides.unmatched(tree, env));
        } catch (JacksonException e) {
            throw new IllegalStateException("a tree that was just read can always be written", e);
        }
    }

    /**
     * Only the {@code admin} section of the configuration (listen address and token): for the commands that talk
     * to a running relay, which need nothing else of it (and whose user may not be allowed to read the key and
     * password files it names).
     */
    public static AdminConfig adminOnly(Optional<Path> file, Map<String, String> env) throws ConfigException {
        Map<String, String> origins = new HashMap<>();
        return admin(new ConfigNode(tree(file, env, origins), "", origins).section("admin"));
    }

    /** The embedded defaults, the file merged over them, then the environment overrides. */
    private static ObjectNode tree(Optional<Path> file, Map<String, String> env, Map<String, String> origins)
            throws ConfigException {
        ObjectNode tree = defaultsTree();
        if (file.isPresent()) {
            merge(tree, readFile(file.get()));
        }
        EnvOverrides.apply(tree, env, origins);
        return tree;
    }

    /** The embedded defaults: what the relay runs with when there is no file and no environment override. */
    public static RelayConfig defaults() {
        try {
            return load(Optional.empty(), Map.of()).config();
        } catch (ConfigException e) {
            throw new IllegalStateException("the embedded defaults are invalid: " + e.getMessage(), e);
        }
    }

    private static ObjectNode defaultsTree() {
        try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + DEFAULTS_RESOURCE + " is missing from the jar");
            }
            return (ObjectNode) YAML.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ObjectNode readFile(Path file) throws ConfigException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new ConfigException("", "configuration file " + file.toAbsolutePath() + " does not exist or is not readable");
        }
        JsonNode node;
        try {
            node = YAML.readTree(file.toFile());
        } catch (JacksonException e) {
            JsonLocation at = e.getLocation();
            throw new ConfigException("", file + (at == null ? "" : " line " + at.getLineNr())
                    + ": not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException("", "cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        if (node == null || node.isMissingNode() || node.isNull()) {
            return YAML.createObjectNode();
        }
        if (!node.isObject()) {
            throw new ConfigException("", file + " must be a mapping of sections (server:, spool:, dns:...)");
        }
        return (ObjectNode) node;
    }

    /** Mappings merge key by key; anything else replaces. A null (empty) value keeps the default. */
    private static void merge(ObjectNode base, ObjectNode over) {
        for (Map.Entry<String, JsonNode> e : over.properties()) {
            JsonNode old = base.get(e.getKey());
            JsonNode value = e.getValue();
            if (value.isNull()) {
                continue;
            }
            if (old != null && old.isObject() && value.isObject()) {
                merge((ObjectNode) old, (ObjectNode) value);
            } else {
                base.set(e.getKey(), value);
            }
        }
    }

    private static RelayConfig bind(ConfigNode root) throws ConfigException {
        ServerConfig server = server(root.section("server"));
        SpoolConfig spool = spool(root.section("spool"));
        DnsOptions dns = dns(root.section("dns"));
        DeliveryConfig delivery = delivery(root.section("delivery"));
        ConfigNode tlsNode = root.section("tls");
        TlsConfig tls = new TlsConfig(tlsNode.file("ca-file"));
        tlsNode.finish();
        ConfigNode stsNode = root.section("mta-sts");
        MtaStsConfig sts = new MtaStsConfig(stsNode.bool("enabled"), stsNode.port("https-port"));
        stsNode.finish();
        Map<String, TlsLevel> policies = policies(root);
        AdminConfig admin = admin(root.section("admin"));
        TlsReportingConfig tlsReporting = tlsReporting(root.section("tls-reporting"));
        DkimSettings dkim = DkimConfig.read(root.section("dkim"));
        root.finish();
        return new RelayConfig(server, spool, dns, delivery, tls, sts, policies, admin, tlsReporting, dkim);
    }

    private static AdminConfig admin(ConfigNode n) throws ConfigException {
        HostPort listen = n.required("listen", s -> HostPort.parse(s, -1));
        Optional<Path> tokenFile = n.file("token-file");
        n.finish();
        if (tokenFile.isEmpty() && !loopback(listen)) {
            throw new ConfigException(n.key("token-file"), "required when admin.listen (" + listen + ") is not a"
                    + " loopback address: anyone who can reach the admin API could delete or bounce mail");
        }
        Optional<AdminToken> token = Optional.empty();
        if (tokenFile.isPresent()) {
            try {
                token = Optional.of(AdminToken.read(tokenFile.get()));
            } catch (IOException e) {
                throw new ConfigException(n.key("token-file"), "cannot read " + tokenFile.get() + ": " + e);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(n.key("token-file"), e.getMessage());
            }
        }
        return new AdminConfig(listen, token);
    }

    /** Whether every address {@code listen} names is loopback (a name that does not resolve is not). */
    private static boolean loopback(HostPort listen) {
        try {
            for (InetAddress a : InetAddress.getAllByName(listen.host())) {
                if (!a.isLoopbackAddress()) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static ServerConfig server(ConfigNode n) throws ConfigException {
        HostPort listen = n.required("listen", s -> HostPort.parse(s, -1));
        Optional<String> hostname = n.optional("hostname", ConfigLoader::domain);
        List<Cidr> networks = n.list("allowed-networks", Cidr::parse);
        long maxSize = n.required("max-message-size", ConfigLoader::messageSize);
        int maxRecipients = n.integer("max-recipients", 1, 100_000);
        Duration drainTimeout = n.required("drain-timeout", ConfigLoader::drainDuration);
        ServerConfig.Limits limits = new ServerConfig.Limits(
                n.integer("max-sessions", 1, 100_000),
                n.integer("max-sessions-per-ip", 1, 100_000),
                n.optionalList("per-ip-limit-exceptions", Cidr::parse).orElse(networks),
                n.required("command-timeout", ConfigLoader::listenerTimeout),
                n.required("data-timeout", ConfigLoader::listenerTimeout),
                n.required("data-min-rate", ConfigLoader::positiveSize));

        ConfigNode tlsNode = n.section("tls");
        Optional<Path> cert = tlsNode.file("cert");
        Optional<Path> key = tlsNode.file("key");
        tlsNode.finish();
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigException(tlsNode.key(cert.isPresent() ? "key" : "cert"),
                    "server.tls needs both cert and key (PEM files), or neither");
        }
        Optional<ServerConfig.InboundTls> tls = cert.map(c -> new ServerConfig.InboundTls(c, key.get()));

        ConfigNode authNode = n.section("auth");
        ServerConfig.Auth auth = new ServerConfig.Auth(authNode.file("users-file"), authNode.bool("require-tls"));
        authNode.finish();
        if (auth.usersFile().isPresent() && auth.requireTls() && tls.isEmpty()) {
            throw new ConfigException(authNode.key("users-file"), "AUTH is only offered after STARTTLS"
                    + " (server.auth.require-tls is true) but server.tls.cert and server.tls.key are not set");
        }

        ConfigNode spfNode = n.section("spf-check");
        SpfMode mode = spfNode.required("mode", s -> switch (s) {
            // YAML 1.1 reads an unquoted off as the boolean false.
            case "off", "false" -> SpfMode.OFF;
            case "warn" -> SpfMode.WARN;
            case "reject" -> SpfMode.REJECT;
            default -> throw new IllegalArgumentException("'" + s + "' is not off, warn or reject");
        });
        ServerConfig.SpfCheck spf = new ServerConfig.SpfCheck(mode, spfNode.optional("egress-ip", IpLiterals::parse));
        spfNode.finish();
        if (mode != SpfMode.OFF && spf.egressIp().isEmpty()) {
            throw new ConfigException(spfNode.key("egress-ip"),
                    "needed when server.spf-check.mode is " + mode.name().toLowerCase(java.util.Locale.ROOT)
                            + ": the public IP address mail leaves from, to look up in the sender's SPF record");
        }
        n.finish();
        return new ServerConfig(listen, hostname, networks, maxSize, maxRecipients, tls, auth, spf, drainTimeout,
                limits);
    }

    private static SpoolConfig spool(ConfigNode n) throws ConfigException {
        SpoolConfig.Backend backend = n.required("backend", s -> switch (s) {
            case "file" -> SpoolConfig.Backend.FILE;
            case "postgres" -> SpoolConfig.Backend.POSTGRES;
            default -> throw new IllegalArgumentException("'" + s + "' is not file or postgres");
        });
        Path dir = n.required("dir", Path::of);
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ConfigException(n.key("dir"), dir.toAbsolutePath() + " exists and is not a directory");
        }
        long minFreeDisk = n.required("min-free-disk", Units::parseSize);
        Duration commitDelay = n.required("commit-delay", ConfigLoader::commitDelay);
        ConfigNode pg = n.section("postgres");
        Optional<String> url = pg.optional("url", ConfigLoader::jdbcUrl);
        String user = pg.required("user", s -> s);
        Optional<Path> passwordFile = pg.file("password-file");
        int poolSize = pg.integer("pool-size", 2, 1000);
        String schema = pg.required("schema", ConfigLoader::sqlIdentifier);
        Duration lease = pg.required("lease", ConfigLoader::leaseDuration);
        Duration connectTimeout = pg.required("connect-timeout", ConfigLoader::positiveDuration);
        pg.finish();
        n.finish();
        Optional<SpoolConfig.Postgres> postgres = Optional.empty();
        if (backend == SpoolConfig.Backend.POSTGRES) {
            postgres = Optional.of(new SpoolConfig.Postgres(url.orElseThrow(() -> new ConfigException(pg.key("url"),
                    "needed when spool.backend is postgres: jdbc:postgresql://host:5432/database")),
                    user, passwordFile, poolSize, schema, lease, connectTimeout));
        }
        return new SpoolConfig(backend, dir, minFreeDisk, commitDelay, postgres);
    }

    /** Zero (never wait) up to 100ms, PostgreSQL's ceiling for its commit_delay: longer only delays every 250. */
    private static Duration commitDelay(String s) {
        Duration d = Units.parseDuration(s);
        if (d.compareTo(Duration.ofMillis(100)) > 0) {
            throw new IllegalArgumentException("'" + s + "' is longer than 100ms");
        }
        return d;
    }

    private static String jdbcUrl(String s) {
        if (!s.startsWith("jdbc:postgresql://")) {
            throw new IllegalArgumentException("'" + s + "' is not a PostgreSQL JDBC URL"
                    + " (jdbc:postgresql://host:5432/database)");
        }
        return s;
    }

    /** Schema names go into SQL text (search_path), so only plain lower-case identifiers. */
    private static String sqlIdentifier(String s) {
        if (!s.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("'" + s + "' is not a lower-case SQL identifier ([a-z_][a-z0-9_]*)");
        }
        return s;
    }

    /**
     * Leases are renewed every third of their duration; under 10 s a short database hiccup would let another
     * node take a message still being delivered (a duplicate), over a day a dead node's mail waits too long.
     */
    private static Duration leaseDuration(String s) {
        Duration d = Units.parseDuration(s);
        if (d.compareTo(Duration.ofSeconds(10)) < 0 || d.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("'" + s + "' is not between 10s and 1d");
        }
        return d;
    }

    private static DnsOptions dns(ConfigNode n) throws ConfigException {
        List<InetSocketAddress> servers = n.list("servers", s -> {
            if (IpLiterals.isLiteral(s)) {
                return new InetSocketAddress(IpLiterals.parse(s), 53);
            }
            HostPort hp = HostPort.parse(s, 53);
            if (!IpLiterals.isLiteral(hp.host())) {
                throw new IllegalArgumentException("'" + s + "': a resolver must be an IP address, not a name");
            }
            return new InetSocketAddress(IpLiterals.parse(hp.host()), hp.port());
        });
        // YAML 1.1 reads an unquoted off as the boolean false.
        DnssecMode mode = n.required("dnssec", v -> DnssecMode.parse("false".equals(v) ? "off" : v));
        Optional<Path> anchors = n.file("trust-anchors");
        boolean allowNonLoopback = n.bool("allow-non-loopback-ad");
        List<String> insecureDomains = n.list("insecure-domains", ConfigLoader::domain);
        n.finish();
        if (anchors.isPresent() && mode != DnssecMode.VALIDATE) {
            throw new ConfigException(n.key("trust-anchors"), "only used with dns.dnssec: validate");
        }
        if (!insecureDomains.isEmpty() && mode == DnssecMode.OFF) {
            throw new ConfigException(n.key("insecure-domains"), "has no effect with dns.dnssec: off, where every"
                    + " answer is already insecure");
        }
        if (mode == DnssecMode.TRUST_AD) {
            if (servers.isEmpty()) {
                throw new ConfigException(n.key("servers"), "dns.dnssec: trust-ad needs the validating resolvers"
                        + " listed here (the AD bit is trusted only from resolvers you name)");
            }
            for (InetSocketAddress s : servers) {
                if (!s.getAddress().isLoopbackAddress() && !allowNonLoopback) {
                    throw new ConfigException(n.key("servers"), s.getAddress().getHostAddress() + " is not a loopback"
                            + " address: an AD bit that crossed a network can be forged. Run the validating resolver"
                            + " on loopback, or set dns.allow-non-loopback-ad: true if the path to it is trusted");
                }
            }
        }
        DnsOptions d = DnsOptions.defaults();
        return new DnsOptions(servers, mode, anchors.orElse(null), allowNonLoopback, d.timeout(), d.retries(),
                d.cacheMaxEntries(), insecureDomains);
    }

    private static DeliveryConfig delivery(ConfigNode n) throws ConfigException {
        int port = n.port("port");
        Optional<String> helo = n.optional("helo", ConfigLoader::domain);
        Optional<HostPort> smarthost = n.optional("smarthost", s -> smartHost(HostPort.parse(s, port)));
        List<Duration> schedule = n.list("retry-schedule", ConfigLoader::positiveDuration);
        if (schedule.isEmpty()) {
            throw new ConfigException(n.key("retry-schedule"), "needs at least one duration");
        }
        Duration lifetime = n.required("max-queue-lifetime", ConfigLoader::positiveDuration);
        Duration connect = n.required("connect-timeout", ConfigLoader::positiveDuration);
        ConfigNode t = n.section("timeouts");
        Function<String, Duration> d = ConfigLoader::positiveDuration;
        Duration greeting = t.required("greeting", d);
        Duration mail = t.required("mail", d);
        Duration rcpt = t.required("rcpt", d);
        Duration dataInit = t.required("data-init", d);
        Duration dataBlock = t.required("data-block", d);
        Duration dataDone = t.required("data-done", d);
        t.finish();
        // EHLO, STARTTLS and QUIT have no RFC 5321 value; they get MAIL's.
        SmtpTimeouts timeouts = n.build("timeouts",
                () -> new SmtpTimeouts(greeting, mail, mail, rcpt, dataInit, dataBlock, dataDone));
        var source = n.optional("source-address", IpLiterals::parse);
        Optional<Duration> delayWarning = n.optional("delay-warning", ConfigLoader::positiveDuration);
        Optional<DeliveryConfig.SmartHostAuth> auth = smarthostAuth(n.section("smarthost-auth"));
        DeliveryConfig.Concurrency concurrency = new DeliveryConfig.Concurrency(
                n.integer("max-connections", 1, 10_000), n.integer("max-per-destination", 1, 10_000),
                n.integer("messages-per-connection", 1, 100_000), n.integer("queue-concurrency", 1, 10_000));
        List<Cidr> denied = n.list("denied-networks", Cidr::parse);
        n.finish();
        if (delayWarning.isPresent() && delayWarning.get().compareTo(lifetime) >= 0) {
            throw new ConfigException(n.key("delay-warning"), "must be shorter than delivery.max-queue-lifetime");
        }
        if (auth.isPresent() && smarthost.isEmpty()) {
            throw new ConfigException(n.key("smarthost-auth"), "only used with delivery.smarthost: MX hosts are"
                    + " never sent credentials");
        }
        if (concurrency.maxPerDestination() > concurrency.maxConnections()) {
            throw new ConfigException(n.key("max-per-destination"), concurrency.maxPerDestination()
                    + " is more than delivery.max-connections (" + concurrency.maxConnections() + ")");
        }
        return new DeliveryConfig(port, helo, smarthost, auth, schedule, lifetime, connect, timeouts, source,
                delayWarning, concurrency, denied);
    }

    /** A smart host is a host to connect to: a name is canonical (as policies compare it), the port not 0. */
    private static HostPort smartHost(HostPort h) {
        if (h.port() == 0) {
            throw new IllegalArgumentException("port 0 is not in 1-65535");
        }
        return h.withCanonicalHost();
    }

    /** Both keys or neither; the password is read now so that a missing or empty file stops start-up. */
    private static Optional<DeliveryConfig.SmartHostAuth> smarthostAuth(ConfigNode n) throws ConfigException {
        Optional<String> username = n.optional("username", ConfigLoader::authUsername);
        Optional<Path> passwordFile = n.file("password-file");
        n.finish();
        if (username.isEmpty() && passwordFile.isEmpty()) {
            return Optional.empty();
        }
        if (username.isEmpty() || passwordFile.isEmpty()) {
            throw new ConfigException(n.key(username.isEmpty() ? "username" : "password-file"),
                    "delivery.smarthost-auth needs both username and password-file");
        }
        String password;
        try {
            password = Files.readString(passwordFile.get()).strip();
        } catch (IOException e) {
            throw new ConfigException(n.key("password-file"), "cannot read " + passwordFile.get().toAbsolutePath()
                    + ": " + e.getMessage());
        }
        if (password.isEmpty() || password.chars().anyMatch(Character::isISOControl)) {
            throw new ConfigException(n.key("password-file"), passwordFile.get().toAbsolutePath()
                    + " must hold the password on one line (surrounding whitespace is ignored)");
        }
        return Optional.of(new DeliveryConfig.SmartHostAuth(username.get(), password));
    }

    /** AUTH PLAIN (RFC 4616) separates its fields with NUL; no control character has a place in a user name. */
    private static String authUsername(String s) {
        if (s.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("must not contain control characters");
        }
        return s;
    }

    private static TlsReportingConfig tlsReporting(ConfigNode n) throws ConfigException {
        TlsReportingConfig c = new TlsReportingConfig(n.bool("enabled"),
                n.optional("organization", ConfigLoader::singleLine),
                n.optional("contact", ConfigLoader::singleLine),
                n.optional("from", ConfigLoader::mailbox),
                n.optional("sending-ip", IpLiterals::parse));
        n.finish();
        return c;
    }

    /** Report fields are JSON strings and mail headers: one line of printable text. */
    private static String singleLine(String s) {
        if (s.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("must be one line without control characters");
        }
        return s;
    }

    /** A bare address {@code local@domain}, as used for an envelope sender; no display name, no brackets. */
    private static String mailbox(String s) {
        int at = s.lastIndexOf('@');
        if (at < 1 || !s.substring(0, at).matches("[^\\s<>@\\p{Cntrl}]+")) {
            throw new IllegalArgumentException("'" + s + "' is not a plain address local@domain");
        }
        return s.substring(0, at) + "@" + domain(s.substring(at + 1));
    }

    private static Map<String, TlsLevel> policies(ConfigNode root) throws ConfigException {
        Map<String, TlsLevel> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : root.map("policies").entrySet()) {
            String key = root.key("policies") + "." + e.getKey();
            String domain;
            TlsLevel level;
            try {
                domain = domain(e.getKey());
                level = TlsLevel.parse(e.getValue());
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(key, ex.getMessage());
            }
            if (out.put(domain, level) != null) {
                throw new ConfigException(key, "domain " + domain + " is listed twice");
            }
        }
        return out;
    }

    static String domain(String s) {
        try {
            return DomainNames.canonical(s);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + s + "' is not a valid domain name");
        }
    }

    static Duration positiveDuration(String s) {
        Duration d = Units.parseDuration(s);
        if (d.isZero()) {
            throw new IllegalArgumentException("'" + s + "' must be greater than zero");
        }
        return d;
    }

    /** Zero is allowed (cut at once); the listener counts in int milliseconds. */
    private static Duration drainDuration(String s) {
        Duration d = Units.parseDuration(s);
        if (d.compareTo(Duration.ofDays(24)) > 0) {
            throw new IllegalArgumentException("'" + s + "' is longer than 24d");
        }
        return d;
    }

    /** Positive; the listener counts in int milliseconds. */
    private static Duration listenerTimeout(String s) {
        Duration d = drainDuration(s);
        if (d.isZero()) {
            throw new IllegalArgumentException("'" + s + "' must be greater than zero");
        }
        return d;
    }

    /** Positive; the listener counts message octets in an int. */
    private static long messageSize(String s) {
        long n = positiveSize(s);
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("'" + s + "' is more than 2147483647 octets (2GiB - 1)");
        }
        return n;
    }

    private static long positiveSize(String s) {
        long n = Units.parseSize(s);
        if (n == 0) {
            throw new IllegalArgumentException("'" + s + "' must be greater than zero");
        }
        return n;
    }
}
