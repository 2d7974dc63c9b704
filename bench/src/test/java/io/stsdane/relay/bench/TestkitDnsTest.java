package io.stsdane.relay.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

class TestkitDnsTest {

    @TempDir
    Path dir;

    @Test
    void aSignedBenchZoneValidatesFromTheTrustAnchorItHandsOut() throws Exception {
        BenchZone zone = new BenchZone("bench.test", true, List.of(
                new BenchZone.Entry("bench.test", "MX", "10 mx.bench.test."),
                new BenchZone.Entry("mx.bench.test", "A", "127.0.0.1")));
        try (TestkitDns dns = new TestkitDns()) {
            BenchDns.Served served = dns.serve(zone, dir);

            Message answer = validatingResolver(served).send(
                    Message.newQuery(Record.newRecord(Name.fromString("bench.test."), Type.MX, DClass.IN)));

            assertThat(answer.getRcode()).isEqualTo(Rcode.NOERROR);
            assertThat(answer.getHeader().getFlag(Flags.AD)).as("DNSSEC-validated (AD)").isTrue();
            assertThat(answer.getSection(Section.ANSWER)).extracting(r -> r.rdataToString())
                    .contains("10 mx.bench.test.");
        }
    }

    private static ValidatingResolver validatingResolver(BenchDns.Served served) throws Exception {
        SimpleResolver head = new SimpleResolver(served.address());
        head.setTCP(true);
        ValidatingResolver v = new ValidatingResolver(head);
        try (InputStream anchors = Files.newInputStream(served.trustAnchors())) {
            v.loadTrustAnchors(anchors);
        }
        return v;
    }
}
