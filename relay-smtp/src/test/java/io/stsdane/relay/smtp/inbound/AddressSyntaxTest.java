package io.stsdane.relay.smtp.inbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.queue.Recipient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Strict RFC 5321 path syntax, with a readable reason for each refusal. */
class AddressSyntaxTest extends InboundTestBase {

    private SmtpClient client;

    @BeforeEach
    void connect() throws Exception {
        InboundServer server = start(b -> b.maxBadCommands(1000));
        client = new SmtpClient(server.port());
        client.hello();
    }

    @AfterEach
    void disconnect() throws Exception {
        client.close();
    }

    @ParameterizedTest(name = "RCPT TO:{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "b@example.org              | 501 5.1.3 the address must be enclosed in angle brackets",
        "<b@example.org             | 501 5.1.3 missing '>'",
        "<>                         | 501 5.1.3 the recipient address is empty",
        "<b>                        | 501 5.1.3 the address has no domain",
        "<@example.org>             | 501 5.1.3 malformed source route",
        "<.b@example.org>           | 501 5.1.3 the part before @ is not valid",
        "<b..c@example.org>         | 501 5.1.3 the part before @ is not valid",
        "<b c@example.org>          | 501 5.1.3 the part before @ is not valid",
        "<b\\c@example.org>          | 501 5.1.3 the part before @ is not valid",
        "<b@example.org.>           | 501 5.1.3 the domain 'example.org.' is not a valid host name",
        "<b@-example.org>           | 501 5.1.3 the domain '-example.org' is not a valid host name",
        "<b@example..org>           | 501 5.1.3 the domain 'example..org' is not a valid host name",
        "<b@exa_mple.org>           | 501 5.1.3 the domain 'exa_mple.org' is not a valid host name",
        "<b@[300.1.1.1]>            | 501 5.1.3 the address literal",
        "<b@[IPv6:zz::1]>           | 501 5.1.3 the address literal",
        "<b@example.org>x           | 501 5.5.4 parameters must be separated",
        "<b@example.org> NOTIFY=SOMETIMES | 501 5.5.4 NOTIFY must be",
        "<b@example.org> ORCPT=nosemicolon | 501 5.5.4 ORCPT must be",
        "<b@example.org> FOO        | 555 5.5.4 Unsupported RCPT parameter FOO",
    })
    void malformedRecipientIsExplained(String path, String expected) throws Exception {
        client.cmd("RSET");
        client.cmd("MAIL FROM:<a@example.com>");
        assertThat(client.cmd("RCPT TO:" + path)).startsWith(expected);
    }

    @Test
    void longLocalPartIsRefused() throws Exception {
        client.cmd("MAIL FROM:<a@example.com>");
        assertThat(client.cmd("RCPT TO:<" + "x".repeat(65) + "@example.org>")).startsWith("501 5.1.3")
                .contains("64 octets");
    }

    @ParameterizedTest(name = "MAIL FROM:{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "<a@example.com             | 501 5.1.7 missing '>'",
        "<a@@example.com>           | 501 5.1.7",
        "<a@example.com> SIZE=big   | 501 5.5.4 SIZE must be a number",
        "<a@example.com> BODY=9BIT  | 555 5.5.4 BODY must be",
        "<a@example.com> RET=ALL    | 555 5.5.4 RET must be",
        "<a@example.com> ENVID=a=b  | 501 5.5.4 ENVID must be xtext",
        "<a@example.com> SIZE=1 SIZE=2 | 501 5.5.4 Malformed or repeated",
    })
    void malformedSenderIsExplained(String path, String expected) throws Exception {
        client.cmd("RSET");
        assertThat(client.cmd("MAIL FROM:" + path)).startsWith(expected);
    }

    @Test
    void validFormsAreAcceptedAndDomainsCanonicalized() throws Exception {
        assertThat(client.cmd("MAIL FROM: <a@Example.COM>")).startsWith("250");
        for (String path : new String[] {"<\"john doe\"@example.org>", "<b+tag@EXAMPLE.org>",
            "<@relay.example,@other.example:c@example.org>", "<d@[192.0.2.1]>", "<e@[IPv6:2001:db8::1]>",
            "<!#$%&'*+-/=?^_`{|}~@example.org>"}) {
            assertThat(client.cmd("RCPT TO:" + path)).as(path).startsWith("250 2.1.5");
        }
        client.cmd("DATA");
        client.send("Subject: x\r\n\r\ny\r\n.\r\n");
        assertThat(client.reply()).startsWith("250");
        assertThat(intake.only().envelope().sender()).isEqualTo("a@example.com");
        assertThat(intake.only().envelope().recipients()).extracting(Recipient::address).containsExactly(
                "\"john doe\"@example.org", "b+tag@example.org", "c@example.org", "d@[192.0.2.1]",
                "e@[ipv6:2001:db8::1]", "!#$%&'*+-/=?^_`{|}~@example.org");
    }

    @Test
    void utf8AddressesNeedSmtpUtf8() throws Exception {
        assertThat(client.cmd("MAIL FROM:<jürgen@bücher.example>")).startsWith("553 5.6.7");
        assertThat(client.cmd("MAIL FROM:<a@example.com>")).startsWith("250");
        assertThat(client.cmd("RCPT TO:<b@bücher.example>")).startsWith("553 5.6.7");
        assertThat(client.cmd("RSET")).startsWith("250");
        assertThat(client.cmd("MAIL FROM:<jürgen@bücher.example> SMTPUTF8")).startsWith("250");
        assertThat(client.cmd("RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>")).startsWith("250");
        assertThat(client.cmd("RCPT TO:<b@xn--bcher-kva.example>")).startsWith("250");
        assertThat(client.cmd("DATA")).startsWith("354");
        client.send("Subject: ü\r\n\r\nü\r\n.\r\n");
        assertThat(client.reply()).startsWith("250");
        var env = intake.only().envelope();
        assertThat(env.sender()).isEqualTo("jürgen@xn--bcher-kva.example");
        assertThat(env.recipients()).extracting(Recipient::address)
                .containsExactly("δοκιμή@xn--hxajbheg2az3al.xn--jxalpdlp", "b@xn--bcher-kva.example");
        assertThat(intake.only().text()).endsWith("Subject: ü\r\n\r\nü\r\n");
    }
}
