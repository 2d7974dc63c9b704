package io.stsdane.relay.smtp.inbound.internal;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** Builds the STARTTLS server context from PEM files. Stateless. */
public final class TlsContexts {

    private static final Pattern PKCS8 = Pattern.compile(
            "-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\\s]+)-----END PRIVATE KEY-----");

    private TlsContexts() {
    }

    /**
     * @param chain PEM certificates, leaf first
     * @param key PEM PKCS#8 private key ({@code BEGIN PRIVATE KEY}); RSA, EC or Ed25519
     * @throws IllegalArgumentException naming the parameter ({@code tlsCertificate}, {@code tlsKey}), the file and
     *     what to change
     */
    public static SSLContext fromPem(Path chain, Path key) throws IOException {
        Certificate[] certs;
        try {
            certs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(chain)))
                    .toArray(new Certificate[0]);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tlsCertificate " + chain + ": not a PEM certificate chain", e);
        }
        if (certs.length == 0) {
            throw new IllegalArgumentException("tlsCertificate " + chain + ": no certificate found");
        }
        PrivateKey privateKey = privateKey(key, certs[0].getPublicKey().getAlgorithm());
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", privateKey, new char[0], certs);
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tlsKey " + key + " does not belong to tlsCertificate " + chain, e);
        }
    }

    private static PrivateKey privateKey(Path key, String algorithm) throws IOException {
        Matcher m = PKCS8.matcher(Files.readString(key, StandardCharsets.US_ASCII));
        if (!m.find()) {
            throw new IllegalArgumentException("tlsKey " + key + ": expected an unencrypted PKCS#8 PEM key "
                    + "(BEGIN PRIVATE KEY); convert with 'openssl pkcs8 -topk8 -nocrypt -in old.key -out new.key'");
        }
        byte[] der = Base64.getMimeDecoder().decode(m.group(1));
        try {
            return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tlsKey " + key + ": not a " + algorithm
                    + " key matching the certificate", e);
        }
    }
}
