package io.stsdane.relay.core.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NetValuesTest {

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
    @CsvSource(delimiter = '|', value = {
        "10.0.0.1/8     | '10.0.0.1/8' has host bits set; did you mean 10.0.0.0/8?",
        "10.0.0.0/33    | prefix length must be 0-32",
        "2001:db8::/129 | prefix length must be 0-128",
        "10.0.0.0/x     | prefix length must be 0-32",
        "example.com    | 'example.com' is not an IP address",
        "lan            | 'lan' is not an IP address",
    })
    void malformedNetworksAreExplained(String text, String message) {
        assertThatThrownBy(() -> Cidr.parse(text)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.0.2.1", "::1", "2001:db8::1", "::ffff:192.0.2.1"})
    void literalsAreRecognised(String text) {
        assertThat(IpLiterals.isLiteral(text)).isTrue();
    }

    /** {@code zz:1} and {@code mx.example:25} would be DNS lookups if handed to InetAddress as they are. */
    @ParameterizedTest
    @ValueSource(strings = {"mx.example", "999.1.1.1", "1.2.3", "zz:1", "mx.example:25", "[::1]", ""})
    void namesAndMalformedLiteralsAreNotLiterals(String text) {
        assertThat(IpLiterals.isLiteral(text)).isFalse();
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

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Mail.Corp.Example.:587 | mail.corp.example | false",
        "192.0.2.7:25 | 192.0.2.7 | true",
        "[2001:DB8::1]:25 | 2001:DB8::1 | true",
    })
    void namesAreMadeCanonicalAndLiteralsKept(String text, String host, boolean literal) {
        HostPort hp = HostPort.parse(text, 25).withCanonicalHost();
        assertThat(hp.host()).isEqualTo(host);
        assertThat(hp.isIpLiteral()).isEqualTo(literal);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bad_name!:25", "a..b:25"})
    void aHostThatIsNeitherNameNorLiteralIsRefused(String text) {
        assertThatThrownBy(() -> HostPort.parse(text, 25).withCanonicalHost())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither an IP address nor");
    }
}
