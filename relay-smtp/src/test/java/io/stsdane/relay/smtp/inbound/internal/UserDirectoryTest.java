package io.stsdane.relay.smtp.inbound.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserDirectoryTest {

    @TempDir
    Path tmp;

    private static String hash(String version, String password) {
        return OpenBSDBCrypt.generate(version, password.toCharArray(), new byte[16], 4);
    }

    @Test
    void verifiesEveryHtpasswdBcryptVersion() throws Exception {
        Path file = Files.writeString(tmp.resolve("users"), "a:" + hash("2a", "pa") + "\n# comment\n\nb:"
                + hash("2b", "pb") + "\nc:" + hash("2y", "pc") + "\n");
        UserDirectory users = UserDirectory.load(file);
        assertThat(users.verify("a", "pa")).isTrue();
        assertThat(users.verify("b", "pb")).isTrue();
        assertThat(users.verify("c", "pc")).isTrue();
        assertThat(users.verify("a", "pb")).isFalse();
        assertThat(users.verify("nobody", "pa")).isFalse();
    }

    @Test
    void malformedLineIsAStartupErrorNamingTheLine() throws Exception {
        Path file = Files.writeString(tmp.resolve("users"), "a:" + hash("2y", "pa") + "\n\nb:{SHA}abc\n");
        assertThatThrownBy(() -> UserDirectory.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("line 3").hasMessageContaining(file.toString());
    }

    @Test
    void lineWithoutUserOrDuplicateIsRefused() throws Exception {
        Path noUser = Files.writeString(tmp.resolve("u1"), ":" + hash("2y", "x") + "\n");
        assertThatThrownBy(() -> UserDirectory.load(noUser)).hasMessageContaining("line 1");
        Path dup = Files.writeString(tmp.resolve("u2"), "a:" + hash("2y", "x") + "\na:" + hash("2y", "y") + "\n");
        assertThatThrownBy(() -> UserDirectory.load(dup)).hasMessageContaining("line 2").hasMessageContaining("twice");
    }
}
