package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostsFileTest {

    @Test
    void namesAndAliasesMapToTheirAddressesAndCommentsAndOddLinesAreIgnored() {
        HostsFile h = HostsFile.parse("# comment\n10.0.0.5 relay.corp  relay # the smart host\n"
                + "2001:db8::5\tRelay.Corp\nnot-an-address name\n10.0.0.6\n");

        assertThat(h.lookup("relay.corp.")).hasValueSatisfying(a -> assertThat(a).containsExactly(
                EngineFixture.addr("10.0.0.5"), EngineFixture.addr("2001:db8::5")));
        assertThat(h.lookup("RELAY")).hasValue(java.util.List.of(EngineFixture.addr("10.0.0.5")));
        assertThat(h.lookup("name")).isEmpty();
    }

    @Test
    void localhostIsLoopbackUnlessTheFileSaysOtherwise(@TempDir Path dir) {
        assertThat(HostsFile.read(dir.resolve("missing")).lookup("localhost")).hasValueSatisfying(a -> assertThat(a)
                .allMatch(java.net.InetAddress::isLoopbackAddress).hasSize(2));
        assertThat(HostsFile.parse("127.0.0.1 localhost\n").lookup("localhost"))
                .hasValue(java.util.List.of(EngineFixture.addr("127.0.0.1")));
    }
}
