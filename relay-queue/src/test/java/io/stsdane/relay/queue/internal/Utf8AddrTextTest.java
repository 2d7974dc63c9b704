package io.stsdane.relay.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class Utf8AddrTextTest {

    private static final String ADDRESS = "\"a b\\c\"+x=y😀ö@bücher.example";

    @Test
    void unitextKeepsUtf8AndEmbedsWhatQcharExcludes() {
        assertThat(Utf8AddrText.unitext(ADDRESS))
                .isEqualTo("\"a\\x{20}b\\x{5C}c\"\\x{2B}x\\x{3D}y😀ö@bücher.example");
    }

    @Test
    void xtextIsSevenBitWithMinimalUpperCaseHexpoints() {
        assertThat(Utf8AddrText.xtext(ADDRESS))
                .isEqualTo("\"a\\x{20}b\\x{5C}c\"\\x{2B}x\\x{3D}y\\x{1F600}\\x{F6}@b\\x{FC}cher.example");
    }

    @Test
    void bothFormsDecodeBackToTheAddress() {
        assertThat(Utf8AddrText.decode(Utf8AddrText.unitext(ADDRESS))).isEqualTo(ADDRESS);
        assertThat(Utf8AddrText.decode(Utf8AddrText.xtext(ADDRESS))).isEqualTo(ADDRESS);
        // Not a code point: left as it came rather than guessed at.
        assertThat(Utf8AddrText.decode("a\\x{110000}@example")).isEqualTo("a\\x{110000}@example");
    }
}
