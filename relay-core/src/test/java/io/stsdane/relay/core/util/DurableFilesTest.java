package io.stsdane.relay.core.util;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {

    @TempDir
    Path dir;

    @Test
    void replacesTheContentAndLeavesNoTemporaryFile() throws IOException {
        Path target = dir.resolve("state.json");
        DurableFiles.replace(target, "old".getBytes(StandardCharsets.UTF_8));
        DurableFiles.replace(target, "new".getBytes(StandardCharsets.UTF_8));

        assertThat(target).hasContent("new");
        assertThat(dir.resolve("state.json" + DurableFiles.TEMP_SUFFIX)).doesNotExist();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-r-----");
    }

    @Test
    void aFailingWriterKeepsTheOldContentAndRemovesItsTemporaryFile() throws IOException {
        Path target = dir.resolve("state.json");
        DurableFiles.replace(target, "old".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> DurableFiles.replace(target, ch -> {
            DurableFiles.writeFully(ch, java.nio.ByteBuffer.wrap("half".getBytes(StandardCharsets.UTF_8)));
            throw new IOException("disk full");
        })).isInstanceOf(IOException.class).hasMessage("disk full");

        assertThat(target).hasContent("old");
        assertThat(dir.resolve("state.json" + DurableFiles.TEMP_SUFFIX)).doesNotExist();
    }

    @Test
    void deleteRemovesTheFileAndToleratesAMissingOne() throws IOException {
        Path target = dir.resolve("gone");
        DurableFiles.replace(target, new byte[] {1});
        DurableFiles.delete(target);
        DurableFiles.delete(target);

        assertThat(target).doesNotExist();
    }

    @Test
    void aMissingDirectoryIsAnError() {
        assertThatThrownBy(() -> DurableFiles.syncDirectory(dir.resolve("absent"))).isInstanceOf(IOException.class);
    }
}
