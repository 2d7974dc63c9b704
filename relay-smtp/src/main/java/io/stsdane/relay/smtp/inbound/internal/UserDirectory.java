package io.stsdane.relay.smtp.inbound.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * The AUTH users: {@code user:bcrypt-hash} lines as {@code htpasswd -B} writes them. Immutable, thread-safe.
 */
public final class UserDirectory {

    private static final Pattern HASH = Pattern.compile("\\$2[aby]\\$(0[4-9]|[12][0-9]|3[01])\\$[./A-Za-z0-9]{53}");
    // Compared against when the user is unknown, so a wrong name costs as much time as a wrong password.
    private static final String DUMMY = OpenBSDBCrypt.generate("2y", "unknown-user".toCharArray(), new byte[16], 10);

    private final Map<String, String> hashes;

    private UserDirectory(Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
    }

    /**
     * Reads the users file. Blank lines and lines starting with {@code #} are ignored.
     *
     * @throws IllegalArgumentException naming the file and line number of a malformed line
     * @throws IOException when the file cannot be read
     */
    public static UserDirectory load(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        Map<String, String> hashes = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            String user = colon <= 0 ? "" : line.substring(0, colon);
            String hash = colon <= 0 ? "" : line.substring(colon + 1);
            if (user.isEmpty() || !HASH.matcher(hash).matches()) {
                throw new IllegalArgumentException(file + " line " + (i + 1)
                        + ": expected user:bcrypt-hash ($2a$, $2b$ or $2y$, as 'htpasswd -B' writes it)");
            }
            if (hashes.put(user, hash) != null) {
                throw new IllegalArgumentException(file + " line " + (i + 1) + ": user '" + user + "' appears twice");
            }
        }
        return new UserDirectory(hashes);
    }

    /** Whether {@code password} is the password of {@code user}. Takes a bcrypt computation either way. */
    public boolean verify(String user, String password) {
        String hash = hashes.get(user);
        boolean ok = OpenBSDBCrypt.checkPassword(hash == null ? DUMMY : hash, password.toCharArray());
        return hash != null && ok;
    }
}
