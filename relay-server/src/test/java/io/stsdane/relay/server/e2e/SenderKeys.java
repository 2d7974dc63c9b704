package io.stsdane.relay.server.e2e;

import io.stsdane.relay.dkim.DkimKey;
import io.stsdane.relay.dkim.DkimRecord;
import io.stsdane.relay.testkit.dkim.DkimTestKeys;
import io.stsdane.relay.testkit.dkim.DkimVerifier;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The DKIM keys of {@code sender.test} in the relay tests: an RSA key (selector {@code rsa1}) and an Ed25519 key
 * ({@code ed1}) as files, the {@code dkim:} section that configures them, their key records, and a verifier
 * that knows those records. Immutable.
 */
public record SenderKeys(Path rsa, Path ed) {

    public static final String DOMAIN = "sender.test";

    /** Writes both keys to {@code dir}. */
    public static SenderKeys create(Path dir) {
        return new SenderKeys(DkimTestKeys.rsa(dir, "rsa1", 2048), DkimTestKeys.ed25519(dir, "ed1"));
    }

    /** The {@code dkim:} section signing {@code sender.test} with both keys, as YAML. */
    public String yaml() {
        return """
                dkim:
                  domains:
                    %s:
                      selectors:
                        - {name: rsa1, key-file: %s}
                        - {name: ed1, key-file: %s}
                """.formatted(DOMAIN, rsa, ed);
    }

    /** The TXT record of each key by owner name. */
    public Map<String, String> records() {
        return Map.of(DkimRecord.name("rsa1", DOMAIN), DkimKey.load("rsa1", rsa).record(),
                DkimRecord.name("ed1", DOMAIN), DkimKey.load("ed1", ed).record());
    }

    /** The independent verifier, finding these keys' records. */
    public DkimVerifier verifier() {
        Map<String, String> records = records();
        return new DkimVerifier(name -> Optional.ofNullable(records.get(name)), Instant.now());
    }
}
