package io.stsdane.relay.smtp.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.delivery.RecipientOutcome;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import io.stsdane.relay.core.tls.PolicyOrigin;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@code DeliveryObserver} hears each attempt as the delivery log records it, then the run's outcomes. */
class DeliveryObserverTest {

    private static final TestCertificate MX_CERT = TestCertificate.builder().dnsNames("mx1.example.test").build();

    private final EngineFixture f = new EngineFixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aDeliveryOverDaneIsHeardWithItsPolicyTlsAndOutcome() {
        f.singleMx("mx1.example.test", SmtpBehavior.builder().startTls(MX_CERT.serverContext()).build());
        f.engine(List.of(TestPolicies.dane(MX_CERT.certificate())));

        List<RecipientOutcome> out = f.deliver(Messages.simple("example.test", "a@example.test"));

        assertThat(f.attempts).singleElement().satisfies(a -> {
            assertThat(a.domain()).isEqualTo("example.test");
            assertThat(a.mxHost()).isEqualTo("mx1.example.test");
            assertThat(a.address()).isEqualTo("127.0.0.1");
            assertThat(a.policySource()).isEqualTo(PolicyOrigin.DANE);
            assertThat(a.policyLevel()).isEqualTo(TlsLevel.DANE);
            assertThat(a.tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(a.verified()).isTrue();
            assertThat(a.outcome()).isEqualTo("delivered:1");
        });
        assertThat(f.concluded).containsExactly(out);
    }

    @Test
    void aVerdictWithoutConnectionIsHeardWithoutMxOrTls() {
        f.dns.mx("nowhere.test", DnsStatus.NXDOMAIN, DnsSecurity.SECURE);
        f.engine(List.of());

        List<RecipientOutcome> out = f.deliver(Messages.simple("nowhere.test", "a@nowhere.test"));

        assertThat(f.attempts).singleElement().satisfies(a -> {
            assertThat(a.mxHost()).isNull();
            assertThat(a.address()).isNull();
            assertThat(a.policySource()).isNull();
            assertThat(a.tls()).isFalse();
            assertThat(a.outcome()).isEqualTo(out.get(0).kind().name().toLowerCase(java.util.Locale.ROOT));
        });
        assertThat(f.concluded).containsExactly(out);
    }
}
