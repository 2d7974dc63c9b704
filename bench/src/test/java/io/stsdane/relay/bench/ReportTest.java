package io.stsdane.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    @TempDir
    Path dir;

    @Test
    void tablesShowMediansRatiosAndWhatIsNotMeasured() throws Exception {
        Files.writeString(dir.resolve("postfix-plaintext.jsonl"), run(300) + run(100) + run(200));
        Files.writeString(dir.resolve("upper-bound.jsonl"), run(4000));

        String md = new Report(dir).render();

        assertThat(md).contains("| Postfix relay, plaintext delivery | **200** |")
                .contains("| Postfix plaintext / upper bound | 0.05x (200 / 4000 msg/s)")
                .contains("| sts-dane-relay, DANE-verified STARTTLS (TLSA 3 1 1) | not yet measured |")
                .contains("| plaintext: relay / Postfix | not yet measured |");
    }

    @Test
    void cpuPerMessageIsShownWhereARunRecordedIt() throws Exception {
        Files.writeString(dir.resolve("postfix-plaintext.jsonl"), withCpu(run(300), 6.0) + withCpu(run(200), 5.0));
        Files.writeString(dir.resolve("upper-bound.jsonl"), run(4000));

        String md = new Report(dir).render();

        assertThat(md).containsPattern("\\| Postfix relay, plaintext delivery \\| \\*\\*250\\*\\* \\|.* \\| n/a \\| 5\\.50 \\|\n")
                .containsPattern("\\| load generator straight into the sink[^\n]* \\| n/a \\| n/a \\|\n");
    }

    private static String withCpu(String run, double cpu) {
        return run.replace("}\n", ",\"cpu_ms_per_msg\":" + cpu + "}\n");
    }

    @Test
    void theDiskProbeIsShownWithTheMachine() throws Exception {
        Files.writeString(dir.resolve("machine.env"),
                "DISK_THREADS='20'\nDISK_FSYNC_PER_S='900'\nDISK_FDATASYNC_PER_S='5000'\n");

        assertThat(new Report(dir).render()).contains("| Disk: durable message-size file writes (write, fsync, "
                + "rename), 20 threads | 900 files/s (with fdatasync instead: 5000 files/s) |");
    }

    @Test
    void theRelaysDeliveryLogSummaryShowsHowEachVariantsMailLeft() throws Exception {
        Files.writeString(dir.resolve("relay-dane.security"), "12000 policy=dane/dane tls=TLSv1.3/X verify=passed\n");

        String md = new Report(dir).render();

        assertThat(md).contains("| sts-dane-relay, DANE-verified STARTTLS (TLSA 3 1 1) | 12000 | "
                + "`policy=dane/dane tls=TLSv1.3/X verify=passed` |");
    }

    @Test
    void onlyTheGeneratedSectionIsReplaced() throws Exception {
        Path doc = Files.writeString(dir.resolve("p.md"), "# Title\n" + Report.BEGIN + "\nold\n" + Report.END + "\ntail\n");

        Report.writeInto(doc, "new figures\n");

        assertThat(Files.readString(doc)).isEqualTo("# Title\n" + Report.BEGIN + "\n\nnew figures\n\n" + Report.END
                + "\ntail\n");
    }

    @Test
    void aDocumentWithoutMarkersIsRefused() throws Exception {
        Path doc = Files.writeString(dir.resolve("p.md"), "# Title\n");
        assertThatThrownBy(() -> Report.writeInto(doc, "x")).hasMessageContaining("lacks the markers");
    }

    private static String run(int e2e) {
        return "{\"messages\":10000,\"size\":4096,\"sessions\":20,\"accepted\":10000,\"accept_msgs_per_s\":500.0,"
                + "\"accept_p50_ms\":10.0,\"accept_p99_ms\":70.0,\"delivered\":10000,\"e2e_msgs_per_s\":" + e2e
                + ".0,\"delivery_p50_ms\":1000.0,\"delivery_p99_ms\":2000.0}\n";
    }
}
