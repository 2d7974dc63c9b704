package io.stsdane.relay.server.cli;

import picocli.CommandLine.Command;

/** The top-level {@code relay} command; the work is in its subcommands. */
@Command(name = "relay", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Outbound SMTP relay that enforces DANE and MTA-STS.",
        synopsisSubcommandLabel = "COMMAND",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:failure (see the message)", "2:invalid command line"})
public final class RelayCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command (run, check, queue or dkim)");
    }
}
