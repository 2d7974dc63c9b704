package io.stsdane.relay.core.util;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void controlCharactersBecomeVisibleEscapes() {
        assertThat(LogText.escape("a\u0000b\u0001\u001b[31mRED")).isEqualTo("a\\x00b\\x01\\x1b[31mRED");
        assertThat(LogText.escape("line\r\nforged INFO")).isEqualTo("line\\x0d\\x0aforged INFO");
        assertThat(LogText.escape("del\u007f c1\u009b")).isEqualTo("del\\x7f c1\\x9b");
        assertThat(LogText.escape("evil\u202egnp.exe")).isEqualTo("evil\\x{202e}gnp.exe");
    }

    @Test
    void aBackslashIsDoubledSoAnEscapeCannotBeForged() {
        assertThat(LogText.escape("a\\x00b")).isEqualTo("a\\\\x00b");
    }

    @Test
    void printableTextIsKeptAsItIs() {
        String text = "Grüße <jürgen@bücher.example> 250 2.0.0 Ok";
        assertThat(LogText.escape(text)).isSameAs(text);
        assertThat(LogText.escape(null)).isNull();
    }
}
