package io.stsdane.relay.sts.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.stsdane.relay.sts.StsMode;
import io.stsdane.relay.sts.StsPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyParserTest {

    private static StsPolicy valid(String text) {
        PolicyParser.Result r = PolicyParser.parse(text);
        assertThat(r).isInstanceOf(PolicyParser.Result.Valid.class);
        return ((PolicyParser.Result.Valid) r).policy();
    }

    private static String invalid(String text) {
        PolicyParser.Result r = PolicyParser.parse(text);
        assertThat(r).isInstanceOf(PolicyParser.Result.Invalid.class);
        return ((PolicyParser.Result.Invalid) r).reason();
    }

    @Test
    void parsesTheRfcExampleWithLf() {
        StsPolicy p = valid("version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\n"
                + "mx: backupmx.example.com\nmax_age: 604800\n");

        assertThat(p.mode()).isEqualTo(StsMode.ENFORCE);
        assertThat(p.maxAgeSeconds()).isEqualTo(604800);
        assertThat(p.mx()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
    }

    @Test
    void parsesCrlfAndMixedLineEndingsAndNoFinalTerminator() {
        assertThat(valid("version: STSv1\r\nmode: testing\r\nmax_age: 86400\r\nmx: mx.example.com\r\n").mode())
                .isEqualTo(StsMode.TESTING);
        assertThat(valid("version: STSv1\r\nmode: testing\nmax_age: 86400\r\nmx: mx.example.com").mx())
                .containsExactly("mx.example.com");
    }

    /** A leniency: the §3.2 ABNF's names and fixed values are case-sensitive ({@code %s"..."}). */
    @Test
    void ignoresUnknownFieldsAndCaseOfNamesAndFixedValues() {
        StsPolicy p = valid("Version: stsv1\nMODE: Enforce\nmax_age:86400\nx-future_field: anything goes here\n"
                + "MX: MX.Example.COM.\n");

        assertThat(p.mode()).isEqualTo(StsMode.ENFORCE);
        assertThat(p.mx()).containsExactly("mx.example.com");
    }

    @Test
    void toleratesWhitespaceAroundValuesAndBlankLines() {
        StsPolicy p = valid("version:\tSTSv1  \n\nmode:   enforce\nmax_age: 60\nmx: a.example.com \n\n");

        assertThat(p.maxAgeSeconds()).isEqualTo(60);
    }

    @Test
    void capsMaxAgeAtOneYear() {
        assertThat(valid(policy("enforce", "9999999999", "mx.example.com")).maxAgeSeconds())
                .isEqualTo(StsPolicy.MAX_AGE_CAP);
    }

    @Test
    void modeNoneNeedsNoMx() {
        StsPolicy p = valid("version: STSv1\nmode: none\nmax_age: 86400\n");

        assertThat(p.mode()).isEqualTo(StsMode.NONE);
        assertThat(p.mx()).isEmpty();
    }

    @Test
    void dropsDuplicateMxPatterns() {
        assertThat(valid(policy("enforce", "60", "mx.example.com", "MX.example.com.")).mx())
                .containsExactly("mx.example.com");
    }

    /** RFC 8461 §3.2: of a field other than mx given more than once, all entries except the first are ignored. */
    @Test
    void aRepeatedFieldKeepsItsFirstValueAndTheOthersAreListedAsIgnored() {
        PolicyParser.Result r = PolicyParser.parse("version: STSv1\nmode: enforce\nmx: mx.example.com\n"
                + "max_age: 86400\nmode: none\nmax_age: 86400\nversion: STSv2\nmax_age: soon\n");

        assertThat(r).isInstanceOfSatisfying(PolicyParser.Result.Valid.class, v -> {
            assertThat(v.policy().mode()).isEqualTo(StsMode.ENFORCE);
            assertThat(v.policy().maxAgeSeconds()).isEqualTo(86400);
            assertThat(v.policy().mx()).containsExactly("mx.example.com");
            assertThat(v.ignored()).containsExactly(
                    "line 5: mode 'none' ignored, the mode on line 2 counts (RFC 8461 §3.2)",
                    "line 6: max_age '86400' ignored, the max_age on line 4 counts (RFC 8461 §3.2)",
                    "line 7: version 'STSv2' ignored, the version on line 1 counts (RFC 8461 §3.2)",
                    "line 8: max_age 'soon' ignored, the max_age on line 4 counts (RFC 8461 §3.2)");
        });
    }

    @Test
    void aPolicyWithoutRepeatedFieldsIgnoresNothing() {
        PolicyParser.Result r = PolicyParser.parse(policy("testing", "60", "a.example.com", "b.example.com"));

        assertThat(((PolicyParser.Result.Valid) r).ignored()).isEmpty();
    }

    /** The §3.2 ABNF separates values with WSP (space, tab) only; other whitespace is part of the value. */
    @Test
    void onlySpaceAndTabAroundAValueAreWhitespace() {
        assertThat(valid("version: STSv1\nmode: none\nmax_age:\t 60 \t\n").maxAgeSeconds()).isEqualTo(60);
        assertThat(invalid("version: STSv1\nmode: none\nmax_age: 60\u000b\n")).contains("max_age '60\\u000b'");
    }

    @Test
    void reasonsShowControlCharactersEscaped() {
        assertThat(invalid("version: STSv1\nmode: \u001b[31menforce\nmax_age: 60\n"))
                .contains("mode '\\u001b[31menforce' is not enforce, testing or none");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing version       | mode: enforce\\nmax_age: 60\\nmx: mx.example.com          | version field missing",
            "wrong version         | version: STSv2\\nmode: enforce\\nmax_age: 60\\nmx: a.b      | version 'STSv2' is not STSv1",
            "missing mode          | version: STSv1\\nmax_age: 60\\nmx: mx.example.com          | mode field missing",
            "unknown mode          | version: STSv1\\nmode: strict\\nmax_age: 60\\nmx: a.b      | mode 'strict' is not enforce",
            "missing max_age       | version: STSv1\\nmode: enforce\\nmx: mx.example.com        | max_age field missing",
            "negative max_age      | version: STSv1\\nmode: enforce\\nmax_age: -1\\nmx: a.b     | max_age '-1' is not 1 to 10 digits",
            "max_age with unit     | version: STSv1\\nmode: enforce\\nmax_age: 60s\\nmx: a.b    | max_age '60s' is not",
            "eleven digit max_age  | version: STSv1\\nmode: enforce\\nmax_age: 10000000000\\nmx: a.b | max_age '10000000000'",
            "empty max_age         | version: STSv1\\nmode: enforce\\nmax_age:\\nmx: a.b        | max_age '' is not",
            "no mx in enforce      | version: STSv1\\nmode: enforce\\nmax_age: 60               | no mx field, required in mode enforce",
            "no mx in testing      | version: STSv1\\nmode: testing\\nmax_age: 60               | no mx field, required in mode testing",
            "inner wildcard mx     | version: STSv1\\nmode: enforce\\nmax_age: 60\\nmx: a.*.example.com | mx 'a.*.example.com' is neither",
            "partial wildcard mx   | version: STSv1\\nmode: enforce\\nmax_age: 60\\nmx: mx*.example.com | mx 'mx*.example.com'",
            "bare wildcard mx      | version: STSv1\\nmode: enforce\\nmax_age: 60\\nmx: *            | mx '*' is neither",
            "underscore mx         | version: STSv1\\nmode: enforce\\nmax_age: 60\\nmx: mx_1.example.com | mx 'mx_1.example.com'",
            "empty mx              | version: STSv1\\nmode: enforce\\nmax_age: 60\\nmx:             | mx '' is neither",
            "line without colon    | version: STSv1\\nmode enforce\\nmax_age: 60\\nmx: a.b         | line 2: 'mode enforce' is not a 'name: value' field",
            "bare CR inside        | version: STSv1\\rmode: enforce\\nmax_age: 60\\nmx: a.b       | line 1: bare CR",
            "empty file            | ''                                                         | version field missing",
            "first version wrong   | version: STSv2\\nversion: STSv1\\nmode: none\\nmax_age: 1 | line 1: version 'STSv2'",
            "first max_age wrong   | version: STSv1\\nmode: none\\nmax_age: 1d\\nmax_age: 1    | line 3: max_age '1d'",
    })
    void refusesInvalidPolicyWithPreciseReason(String name, String text, String reason) {
        String decoded = text.replace("\\n", "\n").replace("\\r", "\r");

        assertThat(invalid(decoded)).contains(reason);
    }

    private static String policy(String mode, String maxAge, String... mx) {
        StringBuilder sb = new StringBuilder("version: STSv1\nmode: " + mode + "\nmax_age: " + maxAge + "\n");
        List.of(mx).forEach(m -> sb.append("mx: ").append(m).append('\n'));
        return sb.toString();
    }
}
