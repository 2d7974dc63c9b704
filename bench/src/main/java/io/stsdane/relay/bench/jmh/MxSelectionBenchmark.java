package io.stsdane.relay.bench.jmh;

import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.MxRecord;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * MX selection (RFC 5321 §5.1): from a domain's MX RRset (four hosts, two preferences, so equal preferences are
 * shuffled) and their addresses to the ordered candidates, with DNS answered from memory. NEEDS THE MERGE:
 * {@link MergedComponents#mxSelection}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class MxSelectionBenchmark {

    private Function<String, CompletionStage<?>> select;

    @Setup
    public void setUp() throws UnknownHostException {
        Map<String, List<InetAddress>> addresses = new HashMap<>();
        List<MxRecord> mx = List.of(new MxRecord(10, "mx1.bench.test"), new MxRecord(10, "mx2.bench.test"),
                new MxRecord(20, "mx3.bench.test"), new MxRecord(20, "mx4.bench.test"));
        int i = 1;
        for (MxRecord r : mx) {
            addresses.put(r.host(), List.of(InetAddress.getByName("127.0.0." + i++)));
        }
        select = MergedComponents.mxSelection(new FixedDnsResolver(DnsSecurity.SECURE,
                Map.of("bench.test", mx), addresses, Map.of(), Map.of()));
    }

    @Benchmark
    public Object select() {
        return select.apply("bench.test").toCompletableFuture().join();
    }
}
