package io.stsdane.relay.core.pki;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * Loads the Web PKI trust anchors the relay validates against: the PEM bundle named by {@code tls.ca-file}, or the
 * JDK's default trust store. Called once at start-up; the returned trust managers are thread-safe.
 */
public final class TrustStores {

    private TrustStores() {
    }

    /**
     * The trust manager for {@code tls.ca-file}.
     *
     * @param caFile a PEM bundle of CA certificates; null for the JDK default trust store
     * @throws IllegalArgumentException when the file cannot be read or holds no certificate, with a message that
     *     names the file
     */
    public static X509TrustManager load(Path caFile) {
        return caFile == null ? jdkDefault() : fromPemFile(caFile);
    }

    /** The JDK's default trust store ({@code cacerts}, or {@code javax.net.ssl.trustStore} when set). */
    public static X509TrustManager jdkDefault() {
        return fromKeyStore(null);
    }

    /** Trusts exactly the certificates in a PEM bundle. */
    public static X509TrustManager fromPemFile(Path caFile) {
        Collection<? extends Certificate> certs;
        try (InputStream in = Files.newInputStream(caFile)) {
            certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("caFile " + caFile + " cannot be read as a PEM bundle of "
                    + "CA certificates: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new IllegalArgumentException("caFile " + caFile + " holds no certificate; "
                    + "give a PEM bundle or remove the setting to use the JDK trust store");
        }
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, (X509Certificate) c);
            }
            return fromKeyStore(ks);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a trust store from " + caFile, e);
        }
    }

    /** A TLS client socket factory that validates servers with {@code trust} alone and presents no certificate. */
    public static SSLSocketFactory clientSocketFactory(X509TrustManager trust) {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {trust}, null);
            return tls.getSocketFactory();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot initialise a TLS client", e);
        }
    }

    private static X509TrustManager fromKeyStore(KeyStore ks) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JDK offers no X509TrustManager");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot initialise the trust store", e);
        }
    }
}
