package io.stsdane.relay.tlsrpt;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TlsRptRecordTest {

    @Test
    void parsesMailtoAndHttpsDestinationsInOrder() {
        TlsRptRecord.Lookup lookup = TlsRptRecord.parse(List.of("v=spf1 -all",
                "v=TLSRPTv1; rua=mailto:tlsrpt@example.com , https://reports.example.com/v1/tlsrpt"));

        assertThat(lookup).isInstanceOfSatisfying(TlsRptRecord.Lookup.Found.class, f -> {
            assertThat(f.record().rua()).containsExactly(URI.create("mailto:tlsrpt@example.com"),
                    URI.create("https://reports.example.com/v1/tlsrpt"));
            assertThat(f.record().ignored()).isEmpty();
        });
    }

    @Test
    void ignoresUnknownExtensionsAndATrailingSemicolon() {
        assertThat(TlsRptRecord.parse(List.of("v=TLSRPTv1;ext_1=value;rua=mailto:a@example.com;")))
                .isInstanceOf(TlsRptRecord.Lookup.Found.class);
    }

    @Test
    void twoRecordsMeanTheDomainDoesNotImplementTlsRpt() {
        assertThat(TlsRptRecord.parse(List.of("v=TLSRPTv1; rua=mailto:a@example.com",
                "v=TLSRPTv1; rua=mailto:b@example.com")))
                .isInstanceOfSatisfying(TlsRptRecord.Lookup.Absent.class,
                        a -> assertThat(a.reason()).contains("2 v=TLSRPTv1 records"));
    }

    @Test
    void unsupportedSchemesAreSkippedButUsableOnesKept() {
        assertThat(TlsRptRecord.parse(List.of("v=TLSRPTv1; rua=ftp://x.example.com/r,mailto:a@example.com")))
                .isInstanceOfSatisfying(TlsRptRecord.Lookup.Found.class, f -> {
                    assertThat(f.record().rua()).containsExactly(URI.create("mailto:a@example.com"));
                    assertThat(f.record().ignored()).singleElement().asString().startsWith("ftp://x.example.com/r");
                });
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "v=TLSRPTv1;",                                        // no rua
            "v=TLSRPTv1; foo=bar",                                // no rua
            "v=TLSRPTv1; rua=",                                   // empty rua
            "v=TLSRPTv1; rua=http://reports.example.com/r",       // plain http is not allowed
            "v=TLSRPTv1; rua=ftp://reports.example.com/r",        // bad scheme
            "v=TLSRPTv1; rua=reports.example.com",                // not absolute
            "v=TLSRPTv1; rua=mailto:a@example.com; rua=mailto:b@example.com", // two rua fields
            "v=TLSRPTv1; rua=mailto:a@example.com;; x=y",         // empty field
            "v=TLSRPTv1; rua=mailto:a@example.com; bad field",    // not key=value
            "v=TLSRPTv2; rua=mailto:a@example.com",               // other version
            "v=tlsrptv1; rua=mailto:a@example.com",               // the version is case-sensitive
            "v=TLSRPTv1 rua=mailto:a@example.com",                // no delimiter after the version
            "rua=mailto:a@example.com; v=TLSRPTv1;",              // version not first
    })
    void rejects(String record) {
        assertThat(TlsRptRecord.parse(List.of(record))).isInstanceOf(TlsRptRecord.Lookup.Absent.class);
    }

    @Test
    void noRecordAtAll() {
        assertThat(TlsRptRecord.parse(List.of())).isInstanceOf(TlsRptRecord.Lookup.Absent.class);
    }
}
