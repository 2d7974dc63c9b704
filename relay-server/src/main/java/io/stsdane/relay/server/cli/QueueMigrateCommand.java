package io.stsdane.relay.server.cli;

import io.stsdane.relay.queue.MigrationReport;
import io.stsdane.relay.queue.PostgresSpool;
import io.stsdane.relay.queue.SpoolMigration;
import io.stsdane.relay.server.cluster.PolicyStoreMigration;
import io.stsdane.relay.server.cluster.PostgresPolicyStore;
import io.stsdane.relay.server.config.ConfigException;
import io.stsdane.relay.server.config.ConfigLoader;
import io.stsdane.relay.server.config.SpoolConfig;
import io.stsdane.relay.sts.PolicyStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code relay queue migrate --from SPOOL_DIR}: moves the file spool of a stopped node into the PostgreSQL queue
 * of the configuration ({@link SpoolMigration}, docs/cluster.md). Works on the files and the database directly,
 * not through a running relay's admin API.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Move the file spool of a stopped relay node into the PostgreSQL queue of the configuration"
                + " (spool.backend: postgres). Each message keeps its queue id, recipients' state and content; it"
                + " leaves the file spool only once it is committed in PostgreSQL, so the command can be run again"
                + " after any interruption.",
                "Stop the node that used SPOOL_DIR first: the command refuses a spool a running relay holds locked."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every message of the file spool is in PostgreSQL (with --dry-run: would be)",
                "1:entries were left in the file spool (listed), or the spool or the database cannot be used",
                "2:invalid command line"})
public final class QueueMigrateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @ParentCommand
    QueueCommand parent;


    @Option(names = "--from", required = true, paramLabel = "SPOOL_DIR",
            description = "The spool.dir of the stopped node whose queue moves.")
    Path from;

    @Option(names = "--dry-run", description = "Read and check every message and say what would move; write nothing.")
    boolean dryRun;

    @Override
    public Integer call() throws ConfigException, CommandFailure {
        if (parent.admin != null) {
            // Inherited from "relay queue", where every other command goes through the admin API.
            throw new ParameterException(spec.commandLine(), "--admin does not apply: queue migrate works on the"
                    + " spool directory and the database, not through a running relay");
        }
        if (!Files.isDirectory(from)) {
            throw new ParameterException(spec.commandLine(), "--from: " + from + " is not a directory");
        }
        SpoolConfig spool = ConfigLoader.load(Optional.ofNullable(parent.configFile), parent.env()).config().spool();
        if (spool.backend() != SpoolConfig.Backend.POSTGRES) {
            throw new CommandFailure("queue migrate moves messages into the PostgreSQL queue of the configuration,"
                    + " but its spool.backend is file: pass the configuration of the PostgreSQL nodes (--config)"
                    + " with spool.backend: postgres and spool.postgres.*");
        }
        MigrationReport report;
        try {
            // Before anything touches the database: a wrong --from must leave it as it was.
            SpoolMigration.requireSpool(from);
            PostgresSpool target = parent.components().queueDatabase(spool.postgres().orElseThrow(), "queue-migrate");
            // Policies first: a migrated message may be delivered by a node at once, and must be protected by
            // the MTA-STS policy the old node had learned for its domain.
            if (!dryRun) {
                SpoolMigration.prepare(target);
            }
            migratePolicies(target);
            report = SpoolMigration.migrate(from, target, dryRun);
        } catch (IOException | UncheckedIOException e) {
            throw new CommandFailure("queue migrate: " + e.getMessage());
        }
        print(report);
        return report.complete() ? 0 : 1;
    }

    /** The old node's MTA-STS policy cache ({@code <spool.dir>/mta-sts}) into the shared one. */
    private void migratePolicies(PostgresSpool target) {
        Path dir = from.resolve("mta-sts");
        PrintWriter out = spec.commandLine().getOut();
        if (!Files.isDirectory(dir)) {
            out.println("No MTA-STS policy cache in " + dir);
            return;
        }
        PolicyStore source = PolicyStore.directory(dir);
        Instant now = Instant.now();
        if (dryRun) {
            out.printf("%d unexpired MTA-STS polic(ies) would be copied (unless the database has newer ones)%n",
                    PolicyStoreMigration.unexpired(source, now));
            return;
        }
        try (PostgresPolicyStore shared = new PostgresPolicyStore(target)) {
            PolicyStoreMigration.Result r = PolicyStoreMigration.copy(source, shared, now);
            out.printf("%d MTA-STS polic(ies) copied, %d kept (the database's are as recent), %d expired left"
                    + " behind%n", r.copied(), r.newerInTarget(), r.expired());
            if (r.failed() > 0) {
                throw new UncheckedIOException(new IOException(r.failed() + " MTA-STS polic(ies) could not be"
                        + " stored in PostgreSQL (see the log); nothing of the queue was moved"));
            }
        }
    }

    private void print(MigrationReport r) {
        PrintWriter out = spec.commandLine().getOut();
        String would = r.dryRun() ? "would be " : "";
        if (r.dryRun()) {
            out.println("Dry run: nothing was written.");
        }
        out.printf("%d message(s) %scopied into PostgreSQL (%d bytes)%n", r.migrated(), would, r.bytes());
        out.printf("%d message(s) already in PostgreSQL, %sremoved from the file spool without a copy%n",
                r.alreadyPresent(), would);
        if (r.releasedFromEarlierRun() > 0) {
            out.printf("%d message(s) copied by an interrupted earlier run %shanded to the nodes%n",
                    r.releasedFromEarlierRun(), would);
        }
        if (r.incompleteWrites() > 0) {
            out.printf("%d incomplete write(s) cut from the spool (never acknowledged to a client)%n",
                    r.incompleteWrites());
        }
        if (r.complete()) {
            out.println(r.dryRun() ? "Every message would move." : "Every message is in PostgreSQL now.");
        } else {
            out.printf("%d entr%s left in the file spool:%n", r.leftBehind().size(),
                    r.leftBehind().size() == 1 ? "y" : "ies");
            r.leftBehind().forEach(l -> out.printf("  %s: %s%n", l.entry(), l.reason()));
        }
        out.flush();
    }
}
