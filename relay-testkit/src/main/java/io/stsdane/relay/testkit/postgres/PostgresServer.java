package io.stsdane.relay.testkit.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the tests' own: the one {@link TestDatabase} shares in a JVM, and private ones for tests
 * that must stop and start the database itself, which the shared one must never be made to do. It runs the
 * binaries of a Maven artifact ({@link PostgresBinaries}; no system package) on a data directory of its own in a
 * temporary directory, listening on a free loopback TCP port only (no Unix socket), with superuser
 * {@value #USER} and trust authentication: any password, or none, is accepted. Connect to {@link #jdbcUrl()}.
 *
 * <pre>{@code
 * try (PostgresServer pg = PostgresServer.create()) {
 *     ... jdbc:postgresql://127.0.0.1:<pg.port()>/postgres as relay_test ...
 *     pg.stop();    // as after a crash: no shutdown checkpoint, clients cut off at once
 *     pg.start();   // crash recovery, same port and data
 * }
 * }</pre>
 *
 * <p>PostgreSQL refuses to run as root: when the tests run as root (a CI container) every command runs as the
 * unprivileged {@value #UNPRIVILEGED} user through {@code runuser}, and the temporary directory is given to that
 * user.
 *
 * <p>Not thread-safe: one test thread starts and stops it. Stopping and starting are synchronous (they return
 * when the server is down, or ready for connections).
 */
public final class PostgresServer implements AutoCloseable {

    /** The superuser initdb creates; also the only role. */
    public static final String USER = "relay_test";
    private static final String UNPRIVILEGED = "nobody";
    private static final long COMMAND_TIMEOUT_SECONDS = 120;

    private final Path bin;
    private final Path base;
    private final Path data;
    private final int port;
    private final boolean asRoot;
    /** Stops the server and deletes its directory if the JVM exits without {@link #close()}. */
    private final Thread orphanGuard = new Thread(this::closeQuietly, "postgres-server-close");
    private boolean running;

    private PostgresServer(Path bin, Path base, int port, boolean asRoot) {
        this.bin = bin;
        this.base = base;
        this.data = base.resolve("data");
        this.port = port;
        this.asRoot = asRoot;
    }

    /**
     * Creates a cluster in a new temporary directory and starts it on a free loopback port. Unpacks the binaries
     * first if this is the first server of the machine.
     *
     * @throws IOException when the binaries cannot be had, or initdb or the start fails (the message holds their
     *     output and the server log)
     */
    public static PostgresServer create() throws IOException {
        Path bin = PostgresBinaries.directory().resolve("bin");
        Path base = Files.createTempDirectory("relay-postgres-");
        PostgresServer server = new PostgresServer(bin, base, freePort(), PostgresBinaries.uid() == 0);
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
        if (asRoot) {
            Files.setOwner(base, base.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(UNPRIVILEGED));
        }
        run(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "--auth=trust", "-E", "UTF8",
                "--locale=C", "--no-sync");
        // Settings of this server only. Without fsync a commit still reaches the kernel before it is acknowledged,
        // so what a test commits survives the server's crash (stop()), only not the machine's; synchronous_commit
        // stays on for that reason.
        Files.writeString(data.resolve("postgresql.conf"), """

                listen_addresses = '127.0.0.1'
                port = %d
                unix_socket_directories = ''
                max_connections = 200
                fsync = off
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

    private void closeQuietly() {
        try {
            close();
        } catch (IOException | RuntimeException e) {
            System.err.println("could not stop the test PostgreSQL in " + data + ": " + e.getMessage());
        }
    }

    private void run(String... command) throws IOException {
        List<String> argv = new ArrayList<>();
        if (asRoot) {
            argv.addAll(List.of("runuser", "-u", UNPRIVILEGED, "--"));
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

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static void deleteTree(Path root) throws IOException {
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
