package io.stsdane.relay.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.core.util.Cidr;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValueSyntaxTest {

    @ParameterizedTest(name = "{0} contains {1}: {2}")
    @CsvSource({
        "10.0.0.0/8, 10.255.255.255, true",
        "10.0.0.0/8, 11.0.0.0, false",
        "172.16.0.0/12, 172.31.1.1, true",
        "172.16.0.0/12, 172.32.0.1, false",
        "192.0.2.7, 192.0.2.7, true",
        "192.0.2.7, 192.0.2.8, false",
        "0.0.0.0/0, 203.0.113.9, true",
        "2001:db8::/32, 2001:db8:ffff::1, true",
        "2001:db8::/33, 2001:db8:8000::1, false",
        "::1/128, ::1, true",
        "::/0, 127.0.0.1, false",
        "127.0.0.0/8, ::1, false",
    })
    void networksContainExactlyTheirAddresses(String cidr, String address, boolean expected) throws Exception {
        assertThat(Cidr.parse(cidr).contains(InetAddress.getByName(address))).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"30s, PT30S", "5m, PT5M", "1h, PT1H", "5d, PT120H", "250ms, PT0.25S"})
    void durations(String text, String iso) {
        assertThat(Units.parseDuration(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @CsvSource({"35MiB, 36700160", "1GiB, 1073741824", "1000, 1000", "2kB, 2000", "10 MB, 10000000"})
    void sizes(String text, long bytes) {
        assertThat(Units.parseSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "mx.example.net:25 | mx.example.net | 25",
        "[2001:db8::1]:587 | 2001:db8::1 | 587",
        "mx.example.net | mx.example.net | 2525",
    })
    void hostPorts(String text, String host, int port) {
        assertThat(HostPort.parse(text, 2525)).isEqualTo(new HostPort(host, port));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "2001:db8::1:25 | write IPv6 addresses in brackets",
        "[mx.example]:25 | brackets are only for IPv6 literals",
        "mx.example:  | port '' is not a number",
    })
    void malformedAddressesAreExplained(String text, String message) {
        assertThatThrownBy(() -> HostPort.parse(text, 25))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message);
    }

    @Test
    void hugeSizesOverflowClearly() {
        assertThatThrownBy(() -> Units.parseSize("99999999999TiB")).hasMessageContaining("too large");
    }
}
