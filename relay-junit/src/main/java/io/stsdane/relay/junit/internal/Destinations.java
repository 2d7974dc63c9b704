package io.stsdane.relay.junit.internal;

import io.stsdane.relay.junit.Posture;
import io.stsdane.relay.testkit.dns.DnsTestServer;
import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.smtp.TestSmtpServer;
import io.stsdane.relay.testkit.sts.StsPolicyServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Publishes destination domains in a world's signed DNS and starts their MX servers, each as its
 * {@link Posture} says. Every destination {@code d} gets its own signed zone below a signed zone of its top-level
 * label, and one MX host {@code mx.d} on a loopback address of its own, listening on the relay's
 * {@code delivery.port}. Not thread-safe: used while a world is built.
 */
public final class Destinations {

    /** A host name no policy or certificate of the world's destinations names. */
    static final String ELSEWHERE = "mx.elsewhere.invalid";

    private final DnsTestServer dns;
    private final TestCertificate webRoot;
    private final StsPolicyServer policies;
    private final int deliveryPort;
    private final LoopbackAddresses addresses;
    private final Consumer<ReceivedTransaction> handOff;
    private final Map<String, TestZone> topLevel = new HashMap<>();

    /**
     * @param webRoot the root the relay trusts ({@code tls.ca-file}) for MTA-STS certificates
     * @param policies serves the MTA-STS policies; its certificate must name {@code mta-sts.<d>} of every
     *     MTA-STS destination
     * @param handOff receives every message an MX accepts
     */
    public Destinations(DnsTestServer dns, TestCertificate webRoot, StsPolicyServer policies, int deliveryPort,
            LoopbackAddresses addresses, Consumer<ReceivedTransaction> handOff) {
        this.dns = dns;
        this.webRoot = webRoot;
        this.policies = policies;
        this.deliveryPort = deliveryPort;
        this.addresses = addresses;
        this.handOff = handOff;
    }

    /** Whether {@code posture} publishes an MTA-STS policy (so the policy host must serve {@code mta-sts.<d>}). */
    public static boolean usesMtaSts(Posture posture) {
        return posture.name().startsWith("MTA_STS_");
    }

    /** Publishes {@code domain} and starts its MX; returns the MX, or null when the posture has none. */
    public TestSmtpServer publish(String domain, Posture posture) {
        String d = domain.toLowerCase(Locale.ROOT);
        TestZone zone = zoneFor(d);
        if (posture == Posture.NULL_MX) {
            zone.mx(d, 0, ".");
            return null;
        }
        String host = "mx." + d;
        String address = addresses.next();
        zone.mx(d, 10, host).a(host, address);
        String tlsaOwner = "_" + deliveryPort + "._tcp." + host;
        TestCertificate selfSigned = TestCertificate.builder().dnsNames(host).build();
        SmtpBehavior.Builder mx = SmtpBehavior.builder().handOff(handOff).startTls(selfSigned.serverContext());
        switch (posture) {
            case DANE -> zone.tlsa(tlsaOwner, selfSigned.tlsaDaneEe());
            case DANE_TA -> {
                TestCertificate anchor = TestCertificate.builder().commonName(d + " DANE-TA").ca().build();
                TestCertificate leaf = TestCertificate.builder().dnsNames(host).issuedBy(anchor).build();
                zone.tlsa(tlsaOwner, anchor.tlsaDaneTa());
                mx.startTls(leaf.serverContext(List.of(leaf.certificate(), anchor.certificate())));
            }
            case DANE_MISMATCH -> zone.tlsa(tlsaOwner, TestCertificate.builder().dnsNames(host).build().tlsaDaneEe());
            case DANE_NO_STARTTLS -> {
                zone.tlsa(tlsaOwner, selfSigned.tlsaDaneEe());
                mx.startTls(null);
            }
            case DNSSEC_BOGUS -> zone.tlsa(tlsaOwner, selfSigned.tlsaDaneEe()).corruptSignatures(d);
            case MTA_STS_ENFORCE, MTA_STS_NONE -> {
                sts(zone, d, posture == Posture.MTA_STS_NONE ? "none" : "enforce", host);
                mx.startTls(webPki(host).serverContext());
            }
            case MTA_STS_TESTING -> sts(zone, d, "testing", host);
            case MTA_STS_ENFORCE_WRONG_CERT -> {
                sts(zone, d, "enforce", host);
                mx.startTls(webPki(ELSEWHERE).serverContext());
            }
            case MTA_STS_ENFORCE_EXPIRED_CERT -> {
                sts(zone, d, "enforce", host);
                mx.startTls(TestCertificate.builder().dnsNames(host).expired().issuedBy(webRoot).build()
                        .serverContext());
            }
            case MTA_STS_ENFORCE_MX_NOT_LISTED -> {
                sts(zone, d, "enforce", ELSEWHERE);
                mx.startTls(webPki(host).serverContext());
            }
            case OPPORTUNISTIC -> { }
            case PLAINTEXT -> mx.startTls(null);
            case RECIPIENT_REJECTED, RECIPIENT_TEMPFAIL -> {
                zone.tlsa(tlsaOwner, selfSigned.tlsaDaneEe());
                mx.otherRcptReply(posture == Posture.RECIPIENT_REJECTED ? "550 5.1.1 no such user here"
                        : "450 4.2.1 mailbox busy, try again later");
            }
            default -> throw new IllegalArgumentException("no set-up for " + posture);
        }
        try {
            return TestSmtpServer.start(InetAddress.getByName(address), deliveryPort, mx.build());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The TXT record and policy host address of {@code domain}, and its policy of {@code mode} listing {@code mx}. */
    private void sts(TestZone zone, String domain, String mode, String mx) {
        zone.txt("_mta-sts." + domain, "v=STSv1; id=1;").a("mta-sts." + domain, "127.0.0.1");
        policies.serve(domain, StsPolicyServer.policy(mode, mx));
    }

    private TestCertificate webPki(String host) {
        return TestCertificate.builder().dnsNames(host).issuedBy(webRoot).build();
    }

    /** A signed zone for {@code domain}, delegated from a signed zone of its top-level label. */
    private TestZone zoneFor(String domain) {
        int dot = domain.lastIndexOf('.');
        if (dot <= 0 || dot == domain.length() - 1) {
            throw new IllegalArgumentException("a destination needs a name of two labels or more: " + domain);
        }
        String tld = domain.substring(dot + 1);
        return topLevel.computeIfAbsent(tld, t -> dns.root().child(t)).child(domain);
    }
}
