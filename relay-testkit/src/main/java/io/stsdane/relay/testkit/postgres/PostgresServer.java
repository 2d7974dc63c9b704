package io.stsdane.relay.testkit.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private PostgreSQL server for tests that must stop and start the database itself, which the shared test
 * database must never be made to do. It runs Debian's binaries ({@code /usr/lib/postgresql/<newest>/bin}, or
 * the directory in {@code RELAY_TEST_POSTGRES_BINDIR}) on a data directory of its own in a temporary directory,
 * listening on a free loopback TCP port only (no Unix socket), with superuser {@value #USER} and trust
 * authentication: any password, or none, is accepted. Connect to {@link #jdbcUrl()}.
 *
 * <pre>{@code
 * assumeTrue(PostgresServer.available(), PostgresServer.unavailableReason());
 * try (PostgresServer pg = PostgresServer.create()) {
 *     ... jdbc:postgresql://127.0.0.1:<pg.port()>/postgres as relay_test ...
 *     pg.stop();    // as after a crash: no shutdown checkpoint, clients cut off at once
 *     pg.start();   // crash recovery, same port and data
 * }
 * }</pre>
 *
 * <p>PostgreSQL refuses to run as root: when the tests run as root (a CI container) every command runs as the
 * {@code postgres} system user through {@code runuser}, and the temporary directory is given to that user.
 *
 * <p>Not thread-safe: one test thread starts and stops it. Stopping and starting are synchronous (they return
 * when the server is down, or ready for connections).
 */
public final class PostgresServer implements AutoCloseable {

    /** The superuser initdb creates; also the only role. */
    public static final String USER = "relay_test";
    private static final String BINDIR_VAR = "RELAY_TEST_POSTGRES_BINDIR";
    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    private static final String SYSTEM_USER = "postgres";
    private static final long COMMAND_TIMEOUT_SECONDS = 120;

    private final Path bin;
    private final Path base;
    private final Path data;
    private final int port;
    /** Stops the server if the test JVM exits without {@link #close()}, so no orphan keeps the port. */
    private final Thread orphanGuard = new Thread(this::stopQuietly, "postgres-server-stop");
    private boolean running;

    private PostgresServer(Path bin, Path base, int port) {
        this.bin = bin;
        this.base = base;
        this.data = base.resolve("data");
        this.port = port;
    }

    /** Whether the binaries are there (and, as root, the {@code postgres} user to run them). */
    public static boolean available() {
        return unavailableReason().isEmpty();
    }

    /** Why {@link #available()} is false, for a test's assumption message; empty when it is true. */
    public static String unavailableReason() {
        Optional<Path> bin = binDir();
        if (bin.isEmpty()) {
            return "no PostgreSQL server binaries: install Debian's postgresql package or set " + BINDIR_VAR
                    + " to the directory holding initdb and pg_ctl";
        }
        if (isRoot() && systemUser().isEmpty()) {
            return "running as root and there is no '" + SYSTEM_USER + "' user to run PostgreSQL as";
        }
        return "";
    }

    /**
     * Creates a cluster in a new temporary directory and starts it on a free loopback port.
     *
     * @throws IllegalStateException when {@link #available()} is false
     * @throws IOException when initdb or the start fails (the message holds their output and the server log)
     */
    public static PostgresServer create() throws IOException {
        if (!available()) {
            throw new IllegalStateException(unavailableReason());
        }
        Path base = Files.createTempDirectory("relay-postgres-");
        PostgresServer server = new PostgresServer(binDir().orElseThrow(), base, freePort());
        try {
            server.init();
            server.start();
            Runtime.getRuntime().addShutdownHook(server.orphanGuard);
            return server;
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void init() throws IOException {
        if (isRoot()) {
            Files.setOwner(base, systemUser().orElseThrow());
        }
        run(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=trust", "-E", "UTF8",
                "--locale=C", "--no-sync");
        // Settings of this server only; fsync and the rest stay at their defaults, so a stop is a real crash.
        Files.writeString(data.resolve("postgresql.conf"), """

                listen_addresses = '127.0.0.1'
                port = %d
                unix_socket_directories = ''
                max_connections = 100
                """.formatted(port), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    /** The loopback port the server listens on, the same across {@link #stop()} and {@link #start()}. */
    public int port() {
        return port;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /** The temporary directory holding the data directory and {@code server.log}; deleted by {@link #close()}. */
    public Path directory() {
        return base;
    }

    public boolean running() {
        return running;
    }

    /** Starts the server again on the same port and data directory, after crash recovery if it was stopped. */
    public void start() throws IOException {
        run(bin.resolve("pg_ctl").toString(), "start", "-D", data.toString(), "-l",
                base.resolve("server.log").toString(), "-w", "-t", "60");
        running = true;
    }

    /**
     * Stops the server the way a crash does ({@code pg_ctl stop -m immediate}): every connection is cut at once,
     * nothing is checkpointed, the next {@link #start()} replays the WAL.
     */
    public void stop() throws IOException {
        run(bin.resolve("pg_ctl").toString(), "stop", "-D", data.toString(), "-m", "immediate", "-w", "-t", "60");
        running = false;
    }

    /** Stops the server if it runs and deletes its directory. */
    @Override
    public void close() throws IOException {
        try {
            if (running) {
                stop();
            }
        } finally {
            deleteTree(base);
            try {
                Runtime.getRuntime().removeShutdownHook(orphanGuard);
            } catch (IllegalStateException | IllegalArgumentException notRegisteredOrExiting) {
                // nothing to undo
            }
        }
    }

    private void stopQuietly() {
        try {
            if (running) {
                stop();
            }
        } catch (IOException e) {
            System.err.println("could not stop the test PostgreSQL in " + data + ": " + e.getMessage());
        }
    }

    private void run(String... command) throws IOException {
        List<String> argv = new ArrayList<>();
        if (isRoot()) {
            argv.addAll(List.of("runuser", "-u", SYSTEM_USER, "--"));
        }
        argv.addAll(List.of(command));
        // The server's output goes to its log file (-l), so the pipe ends when the command does.
        Process p = new ProcessBuilder(argv).directory(base.toFile()).redirectErrorStream(true).start();
        String output;
        try {
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", argv) + " did not finish in " + COMMAND_TIMEOUT_SECONDS + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while running " + String.join(" ", argv), e);
        }
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", argv) + " failed with exit code " + p.exitValue() + ":\n"
                    + output + serverLog());
        }
    }

    private String serverLog() {
        Path log = base.resolve("server.log");
        try {
            return Files.exists(log) ? "server log:\n" + Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "server log unreadable: " + e;
        }
    }

    /** The directory in {@code RELAY_TEST_POSTGRES_BINDIR}, else the newest major version under Debian's root. */
    private static Optional<Path> binDir() {
        String configured = System.getenv(BINDIR_VAR);
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(PostgresServer::hasServer);
        }
        if (!Files.isDirectory(DEBIAN_ROOT)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                    .max(Comparator.comparingDouble(v -> Double.parseDouble(v.getFileName().toString())))
                    .map(v -> v.resolve("bin"))
                    .filter(PostgresServer::hasServer);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean hasServer(Path bin) {
        return Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"))
                && Files.isExecutable(bin.resolve("postgres"));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static Optional<UserPrincipal> systemUser() {
        try {
            return Optional.of(FileSystems.getDefault().getUserPrincipalLookupService()
                    .lookupPrincipalByName(SYSTEM_USER));
        } catch (IOException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
