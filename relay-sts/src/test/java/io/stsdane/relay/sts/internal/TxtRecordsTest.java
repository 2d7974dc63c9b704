package io.stsdane.relay.sts.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.core.dns.DnsResult;
import io.stsdane.relay.core.dns.DnsSecurity;
import io.stsdane.relay.core.dns.DnsStatus;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TxtRecordsTest {

    private static final String NAME = "_mta-sts.example.com";

    private static TxtDiscovery discover(String... records) {
        return TxtRecords.discover(new DnsResult<>(NAME, DnsStatus.NOERROR, DnsSecurity.INSECURE, List.of(),
                List.of(records), "", 300));
    }

    private static String announcedId(String... records) {
        TxtDiscovery d = discover(records);
        assertThat(d).isInstanceOf(TxtDiscovery.Announced.class);
        return ((TxtDiscovery.Announced) d).id();
    }

    private static String notAnnounced(String... records) {
        TxtDiscovery d = discover(records);
        assertThat(d).isInstanceOf(TxtDiscovery.NotAnnounced.class);
        return ((TxtDiscovery.NotAnnounced) d).reason();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "v=STSv1; id=20160831085700Z",
            "v=STSv1;id=20160831085700Z;",
            "v=STSv1 ; id=20160831085700Z ; ",
            "v=STSv1; id=20160831085700Z; ext=va.lue; x_y-z.1=2",
            "v=STSv1; x=1; id=20160831085700Z"})
    void acceptsValidRecordsAndIgnoresExtensions(String record) {
        assertThat(announcedId(record)).isEqualTo("20160831085700Z");
    }

    @Test
    void ignoresRecordsThatAreNotMtaSts() {
        assertThat(announcedId("v=spf1 -all", "v=STSv1; id=abc", "something else")).isEqualTo("abc");
    }

    @Test
    void idOfThirtyTwoCharactersIsTheLongestAllowed() {
        assertThat(announcedId("v=STSv1; id=" + "a".repeat(32))).hasSize(32);
        assertThat(notAnnounced("v=STSv1; id=" + "a".repeat(33))).contains("not 1 to 32 letters and digits");
    }

    @Test
    void multipleMtaStsRecordsMeanNoPolicy() {
        assertThat(notAnnounced("v=STSv1; id=1", "v=STSv1; id=2")).contains("2 v=STSv1 records");
    }

    @Test
    void noRecordMeansNoPolicy() {
        assertThat(notAnnounced("v=spf1 -all")).contains("no v=STSv1 record");
        TxtDiscovery nx = TxtRecords.discover(new DnsResult<String>(NAME, DnsStatus.NXDOMAIN, DnsSecurity.INSECURE,
                List.of(), List.of(), "", 300));
        assertThat(((TxtDiscovery.NotAnnounced) nx).reason()).contains("no TXT record at " + NAME);
    }

    @Test
    void failedLookupMeansNoAnnouncementAndSaysWhy() {
        TxtDiscovery d = TxtRecords.discover(DnsResult.error(NAME, DnsSecurity.INDETERMINATE, "timeout"));

        assertThat(((TxtDiscovery.NotAnnounced) d).reason()).contains("failed", "timeout");
    }

    /** §3.1: records that do not begin with "v=STSv1;" are discarded before the records are counted. */
    @ParameterizedTest
    @ValueSource(strings = {"v=STSv1", "v=STSv1 ", "v=STSv1 id=other", "v=STSv1-x; id=other", "v=STSv10; id=other"})
    void recordsNotBeginningWithVersionAndSemicolonAreDiscardedBeforeCounting(String other) {
        assertThat(announcedId(other, "v=STSv1; id=good")).isEqualTo("good");
        assertThat(announcedId("v=STSv1; id=good", other)).isEqualTo("good");
    }

    /** The §3.1 ABNF allows whitespace only around a ';': after the last field it must be followed by one. */
    @ParameterizedTest
    @ValueSource(strings = {"v=STSv1; id=abc ", "v=STSv1; id=abc\t", "v=STSv1; x=1; id=abc  \t"})
    void whitespaceAfterTheLastFieldWithoutASemicolonMakesTheRecordInvalid(String record) {
        assertThat(notAnnounced(record)).contains("whitespace after the last field");
    }

    @Test
    void whitespaceBeforeAndAfterAFinalSemicolonIsAllowed() {
        assertThat(announcedId("v=STSv1; id=abc \t; ")).isEqualTo("abc");
        assertThat(announcedId("v=STSv1 ;id=abc ;\t")).isEqualTo("abc");
    }

    /** §3.2: of a field other than mx given more than once, only the first counts; the others are ignored. */
    @Test
    void theFirstIdCountsAndALaterOneIsIgnored() {
        assertThat(announcedId("v=STSv1; id=first; id=second")).isEqualTo("first");
        assertThat(announcedId("v=STSv1; id=first; id=not-an-id")).isEqualTo("first");
        assertThat(notAnnounced("v=STSv1; id=not-an-id; id=second")).contains("id 'not-an-id'");
        assertThat(notAnnounced("v=STSv1; id=first; id=")).contains("not name=value");
    }

    @Test
    void versionIsCaseSensitive() {
        assertThat(notAnnounced("v=stsv1; id=1")).contains("no v=STSv1 record");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "v=STSv1",
            "v=STSv1;",
            "v=STSv1; id=",
            "v=STSv1; id=abc-def",
            "v=STSv1; id=abc def",
            "v=STSv1;; id=1",
            "v=STSv1; ext; id=1",
            "v=STSv1; ext=a=b; id=1",
            "v=STSv1; -ext=1; id=1",
            "v=STSv1extra; id=1",
            "v=STSv1;\nid=1",
            "v=STSv1; id=1\u2003"})
    void refusesMalformedRecords(String record) {
        assertThat(discover(record)).isInstanceOf(TxtDiscovery.NotAnnounced.class);
    }
}
