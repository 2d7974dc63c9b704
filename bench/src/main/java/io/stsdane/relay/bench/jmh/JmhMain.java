package io.stsdane.relay.bench.jmh;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs the hot-path JMH benchmarks through {@link org.openjdk.jmh.Main}.
 *
 * <p>{@code jmh [regex...] [jmh options]}: the leading arguments that are not options select benchmarks;
 * without any it runs every benchmark of this package. Defaults
 * (2 forks, 3 warm-up and 5 measurement iterations of 2 s, results as JSON in {@code jmh-result.json}) suit a
 * 2-core machine; any JMH option given overrides them ({@code -f 1 -wi 1 -i 2} for a quick look, {@code -l}
 * to list).
 */
public final class JmhMain {

    private static final List<String> DEFAULTS =
            List.of("-f", "2", "-wi", "3", "-w", "2s", "-i", "5", "-r", "2s", "-rf", "json", "-rff", "jmh-result.json");

    private JmhMain() {
    }

    public static void main(String[] args) throws Exception {
        List<String> given = List.of(args);
        int firstOption = 0;
        while (firstOption < args.length && !args[firstOption].startsWith("-")) {
            firstOption++;
        }
        List<String> jmh = new ArrayList<>();
        for (int i = 0; i < DEFAULTS.size(); i += 2) {
            if (!given.contains(DEFAULTS.get(i))) {
                jmh.add(DEFAULTS.get(i));
                jmh.add(DEFAULTS.get(i + 1));
            }
        }
        jmh.addAll(given.subList(firstOption, args.length));
        if (firstOption == 0) {
            jmh.add(JmhMain.class.getPackageName() + ".*");
        } else {
            jmh.addAll(given.subList(0, firstOption));
        }
        org.openjdk.jmh.Main.main(jmh.toArray(new String[0]));
    }
}
