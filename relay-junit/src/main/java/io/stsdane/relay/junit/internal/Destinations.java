package io.stsdane.relay.junit.internal;

import io.stsdane.relay.junit.Posture;
import io.stsdane.relay.testkit.dns.TestZone;
import io.stsdane.relay.testkit.pki.TestCertificate;
import io.stsdane.relay.testkit.smtp.ReceivedTransaction;
import io.stsdane.relay.testkit.smtp.SmtpBehavior;
import io.stsdane.relay.testkit.sts.StsPolicyServer;
import io.stsdane.relay.testkit.world.TestInternet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Publishes destination domains in a world's {@link TestInternet} and starts their MX servers, each as its
 * {@link Posture} says. Every destination {@code d} gets its own signed zone below a signed zone of its top-level
 * label, and one MX host {@code mx.d} on a loopback address of its own, listening on the relay's
 * {@code delivery.port}; the MX servers stop with the internet. Not thread-safe: used while a world is built.
 */
public final class Destinations {

    /** A host name no policy or certificate of the world's destinations names. */
    static final String ELSEWHERE = "mx.elsewhere.invalid";

    private final TestInternet internet;
    private final Consumer<ReceivedTransaction> handOff;
    private final Map<String, TestZone> topLevel = new HashMap<>();

    /**
     * @param internet where the destinations are published; it must have been started with every MTA-STS
     *     destination ({@link #usesMtaSts})
     * @param handOff receives every message an MX accepts
     */
    public Destinations(TestInternet internet, Consumer<ReceivedTransaction> handOff) {
        this.internet = internet;
        this.handOff = handOff;
    }

    /** Whether {@code posture} publishes an MTA-STS policy (so the policy host must serve {@code mta-sts.<d>}). */
    public static boolean usesMtaSts(Posture posture) {
        return posture.name().startsWith("MTA_STS_");
    }

    /** Publishes {@code domain} and starts its MX, if its posture has one. */
    public void publish(String domain, Posture posture) {
        String d = domain.toLowerCase(Locale.ROOT);
        TestZone zone = zoneFor(d);
        if (posture == Posture.NULL_MX) {
            zone.mx(d, 0, ".");
            return;
        }
        String host = "mx." + d;
        String address = internet.nextAddress();
        zone.mx(d, 10, host).a(host, address);
        String tlsaOwner = "_" + internet.deliveryPort() + "._tcp." + host;
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
                mx.startTls(TestCertificate.builder().dnsNames(host).expired().issuedBy(internet.webRoot()).build()
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
        internet.mx(address, mx.build());
    }

    /** The TXT record and policy host address of {@code domain}, and its policy of {@code mode} listing {@code mx}. */
    private void sts(TestZone zone, String domain, String mode, String mx) {
        internet.stsPolicy(zone, domain, "1", StsPolicyServer.policy(mode, mx));
    }

    private TestCertificate webPki(String host) {
        return internet.webPkiCertificate(host);
    }

    /** A signed zone for {@code domain}, delegated from a signed zone of its top-level label. */
    private TestZone zoneFor(String domain) {
        int dot = domain.lastIndexOf('.');
        if (dot <= 0 || dot == domain.length() - 1) {
            throw new IllegalArgumentException("a destination needs a name of two labels or more: " + domain);
        }
        String tld = domain.substring(dot + 1);
        return topLevel.computeIfAbsent(tld, t -> internet.dns().root().child(t)).child(domain);
    }
}
