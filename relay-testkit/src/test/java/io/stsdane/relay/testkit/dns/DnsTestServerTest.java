package io.stsdane.relay.testkit.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedFlags;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/** The fixture's answers validate (or fail) exactly as a real signed tree would, checked by dnsjava's validator. */
class DnsTestServerTest {

    private DnsTestServer dns;
    private TestZone example;

    @BeforeEach
    void zones() {
        dns = DnsTestServer.start();
        TestZone com = dns.root().child("com");
        example = com.child("example.com")
                .mx("example.com", 10, "mx.example.com")
                .a("mx.example.com", "192.0.2.1")
                .tlsa("_25._tcp.mx.example.com", "3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
        com.unsignedChild("plain.com").a("mx.plain.com", "192.0.2.2");
        com.childWithWrongDs("broken.com").a("mx.broken.com", "192.0.2.3");
    }

    @AfterEach
    void stop() {
        dns.close();
    }

    @Test
    void signedAnswerValidatesAsSecure() throws Exception {
        Message m = validate("mx.example.com", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AD)).isTrue();
        assertThat(m.getSection(Section.ANSWER)).extracting(Record::rdataToString).contains("192.0.2.1");
    }

    @Test
    void securelyDeniedNameAndTypeValidate() throws Exception {
        Message nx = validate("nothing.example.com", Type.A);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nx.getHeader().getFlag(Flags.AD)).isTrue();
        Message nodata = validate("mx.example.com", Type.TLSA);
        assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
        assertThat(nodata.getHeader().getFlag(Flags.AD)).isTrue();
        Message emptyNonTerminal = validate("_tcp.mx.example.com", Type.TLSA);
        assertThat(emptyNonTerminal.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(emptyNonTerminal.getHeader().getFlag(Flags.AD)).isTrue();
    }

    @Test
    void nsec3DenialValidatesForMissingNamesTypesAndEmptyNonTerminals() throws Exception {
        TestZone net = dns.root().child("net").nsec3();
        net.child("hashed.net").nsec3()
                .a("mx.hashed.net", "192.0.2.9")
                .tlsa("_25._tcp.mx.hashed.net", "3 1 1 0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
        net.unsignedChild("unsigned.net").a("mx.unsigned.net", "192.0.2.10");
        Message nx = validate("_25._tcp.nothing.hashed.net", Type.TLSA);
        assertThat(nx.getRcode()).isEqualTo(Rcode.NXDOMAIN);
        assertThat(nx.getHeader().getFlag(Flags.AD)).isTrue();
        Message nodata = validate("mx.hashed.net", Type.TLSA);
        assertThat(nodata.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(nodata.getSection(Section.ANSWER)).isEmpty();
        assertThat(nodata.getHeader().getFlag(Flags.AD)).isTrue();
        Message ent = validate("_tcp.mx.hashed.net", Type.TXT);
        assertThat(ent.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(ent.getHeader().getFlag(Flags.AD)).isTrue();
        Message insecure = validate("mx.unsigned.net", Type.A);
        assertThat(insecure.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(insecure.getHeader().getFlag(Flags.AD)).isFalse();
        assertThat(validate("mx.hashed.net", Type.A).getHeader().getFlag(Flags.AD)).isTrue();
        assertThat(plain("_25._tcp.nothing.hashed.net", Type.TLSA).getSection(Section.AUTHORITY))
                .extracting(Record::getType).contains(Type.NSEC3).doesNotContain(Type.NSEC);
    }

    @Test
    void unsignedDelegationIsInsecureNotBogus() throws Exception {
        Message m = validate("mx.plain.com", Type.A);
        assertThat(m.getRcode()).isEqualTo(Rcode.NOERROR);
        assertThat(m.getHeader().getFlag(Flags.AD)).isFalse();
        assertThat(m.getSection(Section.ANSWER)).isNotEmpty();
    }

    @Test
    void wrongDsCorruptAndExpiredSignaturesAreBogus() throws Exception {
        example.a("bad.example.com", "192.0.2.4").corruptSignatures("bad.example.com");
        example.a("old.example.com", "192.0.2.5").expireSignatures("old.example.com");
        for (String name : new String[] {"mx.broken.com", "bad.example.com", "old.example.com"}) {
            assertThat(validate(name, Type.A).getRcode()).as(name).isEqualTo(Rcode.SERVFAIL);
        }
    }

    @Test
    void validatingModeSetsAdOnSecureAndServfailsBogus() throws Exception {
        dns.validating(true);
        assertThat(plain("mx.example.com", Type.A).getHeader().getFlag(Flags.AD)).isTrue();
        assertThat(plain("mx.plain.com", Type.A).getHeader().getFlag(Flags.AD)).isFalse();
        assertThat(plain("mx.broken.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        dns.validating(false);
        assertThat(plain("mx.example.com", Type.A).getHeader().getFlag(Flags.AD)).isFalse();
    }

    @Test
    void truncatedOverUdpIsAnsweredOverTcp() throws Exception {
        dns.misbehave("mx.example.com", Misbehaviour.TRUNCATE_UDP);
        int before = dns.queryCount();
        Message m = plain("mx.example.com", Type.A);
        assertThat(m.getSection(Section.ANSWER)).isNotEmpty();
        assertThat(dns.queryCount() - before).isEqualTo(2);
    }

    @Test
    void servfailMisbehaviourAnswersServfail() throws Exception {
        dns.misbehave("mx.example.com", Misbehaviour.SERVFAIL);
        assertThat(plain("mx.example.com", Type.A).getRcode()).isEqualTo(Rcode.SERVFAIL);
        dns.behave("mx.example.com");
        assertThat(plain("mx.example.com", Type.A).getRcode()).isEqualTo(Rcode.NOERROR);
    }

    private Message validate(String name, int type) throws Exception {
        ValidatingResolver v = new ValidatingResolver(resolver());
        v.loadTrustAnchors(new ByteArrayInputStream(dns.trustAnchor().getBytes(StandardCharsets.US_ASCII)));
        return v.sendAsync(query(name, type)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private Message plain(String name, int type) throws Exception {
        return resolver().sendAsync(query(name, type)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private SimpleResolver resolver() {
        SimpleResolver r = new SimpleResolver(dns.address());
        r.setTimeout(Duration.ofSeconds(3));
        r.setEDNS(0, 1232, ExtendedFlags.DO, java.util.List.of());
        return r;
    }

    private static Message query(String name, int type) {
        return Message.newQuery(Record.newRecord(Name.fromConstantString(name + "."), type, DClass.IN));
    }
}
