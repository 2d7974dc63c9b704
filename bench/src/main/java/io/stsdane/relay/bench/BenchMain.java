package io.stsdane.relay.bench;

import java.util.Arrays;

/**
 * Entry point of {@code bench/target/relay-bench.jar}: {@code java -jar relay-bench.jar <part> [options]}.
 * Each part is documented on its class's {@code main}.
 */
public final class BenchMain {

    private BenchMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: relay-bench.jar sink|load|world|disk|jmh|report [--option value]...");
            System.exit(2);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "sink" -> SmtpSink.main(rest);
            case "load" -> LoadGenerator.main(rest);
            case "world" -> BenchWorld.main(rest);
            case "disk" -> DiskSyncProbe.main(rest);
            case "jmh" -> io.stsdane.relay.bench.jmh.JmhMain.main(rest);
            case "report" -> Report.main(rest);
            default -> {
                System.err.println("unknown part '" + args[0] + "' (expected sink, load, world, disk, jmh or report)");
                System.exit(2);
            }
        }
    }
}
