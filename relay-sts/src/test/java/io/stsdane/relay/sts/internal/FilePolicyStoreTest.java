package io.stsdane.relay.sts.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.stsdane.relay.sts.CachedPolicy;
import io.stsdane.relay.sts.StsMode;
import io.stsdane.relay.sts.StsPolicy;
import io.stsdane.relay.testkit.log.LogCapture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FilePolicyStoreTest {

    private static final String TEXT = "version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\nmx: *.example.com\r\n";
    private static final CachedPolicy POLICY = new CachedPolicy("example.com", "20240101", TEXT,
            new StsPolicy(StsMode.ENFORCE, 86400, List.of("*.example.com")), Instant.ofEpochMilli(1_700_000_000_123L));

    @TempDir
    Path dir;

    @Test
    void savedPolicyIsLoadedByANewStoreExactly() {
        assertThat(new FilePolicyStore(dir).save(POLICY)).isTrue();

        FilePolicyStore reopened = new FilePolicyStore(dir);

        assertThat(reopened.load("example.com")).contains(POLICY);
        assertThat(reopened.domains()).containsExactly("example.com");
    }

    @Test
    void saveReplacesThePreviousPolicyAndLeavesNoTemporaryFile() throws Exception {
        FilePolicyStore store = new FilePolicyStore(dir);
        store.save(POLICY);
        CachedPolicy newer = new CachedPolicy("example.com", "2", TEXT, POLICY.policy(), POLICY.fetchedAt().plusSeconds(60));

        store.save(newer);

        assertThat(store.load("example.com")).contains(newer);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("example.com.json");
        }
    }

    @Test
    void temporaryFilesLeftByACrashAreRemovedAtStartUp() throws Exception {
        Files.writeString(dir.resolve("example.com.123.tmp"), "{\"format\":1,");

        new FilePolicyStore(dir);

        assertThat(dir.resolve("example.com.123.tmp")).doesNotExist();
    }

    @Test
    void truncatedFileIsIgnored() throws Exception {
        new FilePolicyStore(dir).save(POLICY);
        Path file = dir.resolve("example.com.json");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        List<ILoggingEvent> logged;
        try (LogCapture log = LogCapture.of(FilePolicyStore.class.getName(), Level.WARN)) {
            assertThat(new FilePolicyStore(dir).load("example.com")).isEmpty();
            logged = log.events();
        }

        assertThat(logged).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains("example.com.json", "fetched again");
        });
    }

    @Test
    void fileWhosePolicyNoLongerParsesIsIgnored() throws Exception {
        Files.writeString(dir.resolve("example.com.json"), "{\"format\":1,\"domain\":\"example.com\",\"id\":\"1\","
                + "\"fetchedAtEpochMilli\":0,\"text\":\"version: STSv1\\nmode: enforce\\nmax_age: 60\\n\"}");

        assertThat(new FilePolicyStore(dir).load("example.com")).isEmpty();
    }

    @Test
    void fileForAnotherDomainIsIgnored() throws Exception {
        new FilePolicyStore(dir).save(POLICY);
        Files.move(dir.resolve("example.com.json"), dir.resolve("example.org.json"));

        assertThat(new FilePolicyStore(dir).load("example.org")).isEmpty();
    }

    @Test
    void deleteRemovesTheFile() {
        FilePolicyStore store = new FilePolicyStore(dir);
        store.save(POLICY);

        store.delete(POLICY);

        assertThat(store.load("example.com")).isEmpty();
        assertThat(store.domains()).isEmpty();
    }

    @Test
    void namesThatAreNotCanonicalDomainsNeverBecomePaths() {
        FilePolicyStore store = new FilePolicyStore(dir);

        assertThatThrownBy(() -> store.load("../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.load("Example.com")).isInstanceOf(IllegalArgumentException.class);
    }
}
