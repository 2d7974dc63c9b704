package io.stsdane.relay.smtp.inbound.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.net.Cidr;
import java.net.InetAddress;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkAclTest {

    private static final NetworkAcl ACL = new NetworkAcl(Stream.of("10.0.0.0/8", "192.0.2.128/25", "198.51.100.7",
            "2001:db8::/32", "::1").map(Cidr::parse).toList());

    @ParameterizedTest(name = "{0} allowed: {1}")
    @CsvSource({
        "10.1.2.3, true", "11.0.0.1, false", "192.0.2.200, true", "192.0.2.127, false", "198.51.100.7, true",
        "198.51.100.8, false", "2001:db8:1::5, true", "2001:db9::1, false", "::1, true", "127.0.0.1, false"})
    void matchesByPrefix(String address, boolean allowed) throws Exception {
        assertThat(ACL.contains(InetAddress.getByName(address))).isEqualTo(allowed);
    }

    @ParameterizedTest
    @CsvSource({"10.1.2.3", "::1"})
    void anEmptyListContainsNothing(String address) throws Exception {
        assertThat(new NetworkAcl(List.of()).contains(InetAddress.getByName(address))).isFalse();
    }
}
