package io.stsdane.relay.testkit.pki;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A trust manager that accepts every certificate: for a test client whose assertions are about what the server
 * presented (a DANE-EE leaf, RFC 7672 §3.1.1) or that only needs an encrypted channel (a submission over
 * STARTTLS), never for the client under test. Stateless and thread-safe.
 */
public final class TrustAnything implements X509TrustManager {

    /** A TLS client context that completes a handshake with any server certificate. */
    public static SSLContext clientContext() {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new TrustAnything()}, new SecureRandom());
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
    }
}
