package io.stsdane.relay.server.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LocalNamesTest {

    @Test
    void aLoopbackNameIsAProblemAndARealOneIsNot() {
        assertThat(LocalNames.problem("localhost", false)).hasValueSatisfying(w -> assertThat(w)
                .contains("resolves to localhost", "greeting, EHLO and Message-IDs", "set server.hostname"));
        assertThat(LocalNames.problem("LOCALHOST.localdomain", true)).hasValueSatisfying(w -> assertThat(w)
                .contains("(server.hostname)"));
        assertThat(LocalNames.problem("relay.example.com", false)).isEmpty();
        assertThat(LocalNames.problem("localhostname.example", false)).isEmpty();
    }
}
