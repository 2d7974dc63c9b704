package io.stsdane.relay.testkit.dkim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;

/** Key files as an operator makes them ({@code openssl genpkey}): PEM PKCS#8, written to a test directory. */
public final class DkimTestKeys {

    private DkimTestKeys() {
    }

    public static Path rsa(Path dir, String name, int bits) {
        return write(dir, name, generate("RSA", bits));
    }

    public static Path ed25519(Path dir, String name) {
        return write(dir, name, generate("Ed25519", 0));
    }

    /** A PEM file of PKCS#8 {@code der}. */
    public static Path pem(Path dir, String name, byte[] der) {
        String pem = "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END PRIVATE KEY-----\n";
        try {
            return Files.writeString(dir.resolve(name + ".pem"), pem);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path dir, String name, KeyPair pair) {
        return pem(dir, name, pair.getPrivate().getEncoded());
    }

    private static KeyPair generate(String algorithm, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (bits > 0) {
                g.initialize(bits);
            }
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
