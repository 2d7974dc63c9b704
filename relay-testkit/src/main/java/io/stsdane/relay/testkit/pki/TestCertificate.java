package io.stsdane.relay.testkit.pki;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A certificate with its private key and the chain that issued it, generated in the test with Bouncy Castle.
 *
 * <pre>{@code
 * TestCertificate root = TestCertificate.builder().commonName("Test Root").ca().build();
 * TestCertificate leaf = TestCertificate.builder().dnsNames("mx.example.com").issuedBy(root).build();
 * SSLContext server = leaf.serverContext();
 * }</pre>
 *
 * @param certificate this certificate
 * @param keyPair its key pair
 * @param issuers the issuing chain above it, nearest first (empty for a self-signed certificate)
 */
public record TestCertificate(X509Certificate certificate, KeyPair keyPair, List<X509Certificate> issuers) {

    public TestCertificate {
        issuers = List.copyOf(issuers);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This certificate followed by its issuers, as a server sends it (the root included). */
    public List<X509Certificate> chain() {
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(certificate);
        chain.addAll(issuers);
        return chain;
    }

    /** The chain a server sends, without the self-signed root at its end (the usual configuration). */
    public List<X509Certificate> chainWithoutRoot() {
        List<X509Certificate> chain = chain();
        if (chain.size() > 1) {
            chain.remove(chain.size() - 1);
        }
        return chain;
    }

    /** An SSLContext whose key manager presents {@link #chainWithoutRoot()} and trusts nothing in particular. */
    public SSLContext serverContext() {
        return serverContext(chainWithoutRoot());
    }

    /**
     * An SSLContext that presents exactly {@code presented} with this certificate's key, in that order, whether or
     * not it is a valid path (a server may send its CA certificates in any order, and extra ones).
     */
    public SSLContext serverContext(List<X509Certificate> presented) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new KeyManager[] {new FixedKeyManager(keyPair.getPrivate(), presented)}, null, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Presents one fixed chain; a key store would insist on a valid path. */
    private static final class FixedKeyManager extends X509ExtendedKeyManager {
        private static final String ALIAS = "key";
        private final PrivateKey key;
        private final X509Certificate[] chain;

        FixedKeyManager(PrivateKey key, List<X509Certificate> chain) {
            this.key = key;
            this.chain = chain.toArray(new X509Certificate[0]);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return chooseServerAlias(keyType, issuers, null);
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return keyType.equals(key.getAlgorithm()) ? ALIAS : null;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            String alias = chooseServerAlias(keyType, issuers, null);
            return alias == null ? null : new String[] {alias};
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return ALIAS.equals(alias) ? chain.clone() : null;
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return ALIAS.equals(alias) ? key : null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }

    /** A trust manager that trusts this certificate as a root. */
    public X509TrustManager trustManager() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("root", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            return (X509TrustManager) tmf.getTrustManagers()[0];
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An SSLContext for a client that trusts this certificate as a root. */
    public SSLContext clientContextTrustingThis() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[] {trustManager()}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** PEM of this certificate. */
    public String certificatePem() {
        return pem("CERTIFICATE", encoded(certificate));
    }

    /** PEM of {@link #chainWithoutRoot()}, leaf first, as a server's certificate file holds it. */
    public String chainPem() {
        StringBuilder sb = new StringBuilder();
        for (X509Certificate c : chainWithoutRoot()) {
            sb.append(pem("CERTIFICATE", encoded(c)));
        }
        return sb.toString();
    }

    /** PKCS#8 PEM of the private key. */
    public String privateKeyPem() {
        return pem("PRIVATE KEY", keyPair.getPrivate().getEncoded());
    }

    /** Writes {@link #chainPem()} and {@link #privateKeyPem()} to {@code dir}/name.crt and name.key. */
    public Path[] writePem(Path dir, String name) {
        try {
            Path crt = Files.writeString(dir.resolve(name + ".crt"), chainPem(), StandardCharsets.US_ASCII);
            Path key = Files.writeString(dir.resolve(name + ".key"), privateKeyPem(), StandardCharsets.US_ASCII);
            return new Path[] {crt, key};
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The TLSA record data {@code 3 1 1 <hex>} (DANE-EE, SubjectPublicKeyInfo, SHA-256) that this certificate
     * matches, in presentation format (RFC 6698 §2.1, RFC 7218).
     */
    public String tlsaDaneEe() {
        return "3 1 1 " + sha256(certificate.getPublicKey().getEncoded());
    }

    /**
     * The TLSA record data {@code 2 0 1 <hex>} (DANE-TA, whole certificate, SHA-256) naming this certificate as
     * the trust anchor of a server's chain; the server must send it in its chain (RFC 7671 §5.2.2).
     */
    public String tlsaDaneTa() {
        return "2 0 1 " + sha256(encoded(certificate));
    }

    private static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    /** Builds one certificate. Defaults: EC P-256 key, valid from an hour ago for a day, not a CA, self-signed. */
    public static final class Builder {
        private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

        private String commonName = "test";
        private final List<String> dnsNames = new ArrayList<>();
        private Instant notBefore = Instant.now().minus(Duration.ofHours(1));
        private Instant notAfter = Instant.now().plus(Duration.ofDays(1));
        private boolean ca;
        private String keyAlgorithm = "EC";
        private TestCertificate issuer;
        private KeyPair keys;

        public Builder commonName(String cn) {
            this.commonName = cn;
            return this;
        }

        /** Subject alternative names of type dNSName (wildcards such as {@code *.example.com} allowed). */
        public Builder dnsNames(String... names) {
            dnsNames.addAll(List.of(names));
            if ("test".equals(commonName) && names.length > 0) {
                commonName = names[0];
            }
            return this;
        }

        public Builder validity(Instant from, Instant until) {
            this.notBefore = from;
            this.notAfter = until;
            return this;
        }

        /** Expired a day ago. */
        public Builder expired() {
            return validity(Instant.now().minus(Duration.ofDays(10)), Instant.now().minus(Duration.ofDays(1)));
        }

        public Builder ca() {
            this.ca = true;
            return this;
        }

        public Builder rsa() {
            this.keyAlgorithm = "RSA";
            return this;
        }

        public Builder ec() {
            this.keyAlgorithm = "EC";
            return this;
        }

        /**
         * Reuse the key pair of {@code other} instead of generating one: with the same name and another issuer this
         * makes a cross-signed copy of {@code other}.
         */
        public Builder sameKeyAs(TestCertificate other) {
            this.keys = other.keyPair();
            return this;
        }

        public Builder issuedBy(TestCertificate issuer) {
            this.issuer = issuer;
            return this;
        }

        public TestCertificate build() {
            try {
                KeyPair keys = this.keys != null ? this.keys : generate(keyAlgorithm);
                X500Name subject = new X500Name("CN=" + commonName);
                X500Name issuerName = issuer == null ? subject
                        : X500Name.getInstance(issuer.certificate().getSubjectX500Principal().getEncoded());
                KeyPair signer = issuer == null ? keys : issuer.keyPair();
                JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                        BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(notBefore), Date.from(notAfter),
                        subject, keys.getPublic());
                JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
                b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
                b.addExtension(Extension.authorityKeyIdentifier, false,
                        ext.createAuthorityKeyIdentifier(signer.getPublic()));
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
                b.addExtension(Extension.keyUsage, true, ca
                        ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign | KeyUsage.digitalSignature)
                        : new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
                if (!dnsNames.isEmpty()) {
                    GeneralName[] names = dnsNames.stream()
                            .map(n -> new GeneralName(GeneralName.dNSName, n)).toArray(GeneralName[]::new);
                    b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
                }
                String sigAlg = signer.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
                X509Certificate cert = new JcaX509CertificateConverter()
                        .getCertificate(b.build(new JcaContentSignerBuilder(sigAlg).build(signer.getPrivate())));
                // Round-trip through the JDK factory so the certificate behaves exactly like a parsed one.
                X509Certificate jdk = (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(cert.getEncoded()));
                return new TestCertificate(jdk, keys, issuer == null ? List.of() : issuer.chain());
            } catch (Exception e) {
                throw new IllegalStateException("cannot build test certificate", e);
            }
        }

        private static KeyPair generate(String algorithm) throws GeneralSecurityException {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            if (algorithm.equals("EC")) {
                g.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                g.initialize(2048);
            }
            return g.generateKeyPair();
        }
    }
}
