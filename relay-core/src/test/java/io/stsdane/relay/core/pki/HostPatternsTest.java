package io.stsdane.relay.core.pki;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPatternsTest {

    @ParameterizedTest(name = "{0} vs {1} -> {2}")
    @CsvSource({
            "mx.example.com,      mx.example.com,      true",
            "MX.Example.COM,      mx.example.com,      true",
            "mx.example.com,      MX.EXAMPLE.COM.,     true",
            "mx.example.com.,     mx.example.com,      true",
            "mx.example.com,      mx2.example.com,     false",
            "*.example.com,       mx1.example.com,     true",
            "*.EXAMPLE.com,       Mx1.Example.Com.,    true",
            "*.example.com.,      mx1.example.com,     true",
            "*.example.com,       example.com,         false",
            "*.example.com,       a.b.example.com,     false",
            "*.example.com,       .example.com,        false",
            "*.example.com,       mx1.example.org,     false",
            "*.example.com,       mx1.badexample.com,  false",
            "mx*.example.com,     mx1.example.com,     false",
            "a.*.example.com,     a.b.example.com,     false",
            "*.*.example.com,     a.b.example.com,     false",
            "*.example.com,       *.example.com,       false",
            "example.com,         '',                  false",
    })
    void matchesExactlyOneLeftmostLabel(String pattern, String host, boolean expected) {
        assertThat(HostPatterns.matches(pattern, host)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "certificate {0} for {1} -> {2}")
    @CsvSource({
            "mx.example.com,      mx.example.com,      true",
            "MX.Example.COM.,     mx.example.com,      true",
            "*.example.com,       mx.example.com,      true",
            "*.Example.com,       MX.example.com.,     true",
            "*.example.com,       example.com,         false",
            "*.example.com,       a.mx.example.com,    false",
            "m*.example.com,      mx.example.com,      false",
            "*.com,               example.com,         false",
            "*.com,               *.com,               false",
            "mx.example.com,      mx2.example.com,     false",
            "mx.example.com,      *.example.com,       true",
            "*.example.com,       *.example.com,       true",
            "*.mail.example.com,  *.example.com,       false",
            "a.b.example.com,     *.example.com,       false",
    })
    void certificateNamesMatchHostsAndPatternsButNeverATldWildcard(String presented, String reference,
            boolean expected) {
        assertThat(HostPatterns.matchesCertificateName(presented, reference)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} (wildcard allowed {1}) -> {2}")
    @CsvSource({
            "mx.example.com,       false, true",
            "mx.example.com.,      false, true",
            "MX-1.Example.com,     false, true",
            "*.example.com,        true,  true",
            "*.example.com,        false, false",
            "mx*.example.com,      true,  false",
            "a.*.example.com,      true,  false",
            "-mx.example.com,      false, false",
            "mx-.example.com,      false, false",
            "mx..example.com,      false, false",
            "mx_1.example.com,     false, false",
            "'mx .example.com',    false, false",
            "'',                   false, false",
            "*.,                   true,  false",
    })
    void validatesHostNames(String name, boolean allowWildcard, boolean expected) {
        assertThat(HostPatterns.isValid(name, allowWildcard)).isEqualTo(expected);
    }

    @org.junit.jupiter.api.Test
    void rejectsOverlongLabelsAndNames() {
        String label64 = "a".repeat(64);
        assertThat(HostPatterns.isValid(label64 + ".example.com", false)).isFalse();
        assertThat(HostPatterns.isValid("a".repeat(63) + ".example.com", false)).isTrue();
        String longName = ("a".repeat(60) + ".").repeat(5) + "com";
        assertThat(HostPatterns.isValid(longName, false)).isFalse();
    }
}
