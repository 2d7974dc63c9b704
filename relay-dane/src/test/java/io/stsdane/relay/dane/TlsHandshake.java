package io.stsdane.relay.dane;

import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.Verification;
import java.net.InetAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * A real TLS handshake on loopback whose client trust manager hands the presented chain to a {@link PeerVerifier}
 * and fails the handshake when it does not pass, as the delivery engine's hook does.
 */
final class TlsHandshake {

    /** What happened: the verifier's verdict, the chain it saw, the SNI the server received, the handshake outcome. */
    record Outcome(Verification verification, List<X509Certificate> presented, String sniSeen, boolean completed) {
    }

    private TlsHandshake() {
    }

    static Outcome run(SSLContext server, PeerVerifier verifier, String sni) throws Exception {
        AtomicReference<Verification> verdict = new AtomicReference<>();
        AtomicReference<List<X509Certificate>> seen = new AtomicReference<>(List.of());
        AtomicReference<String> sniSeen = new AtomicReference<>("");
        try (SSLServerSocket listener = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.startHandshake();
                    if (s.getSession() instanceof javax.net.ssl.ExtendedSSLSession e) {
                        e.getRequestedServerNames().forEach(n -> sniSeen.set(((SNIHostName) n).getAsciiName()));
                    }
                    s.getOutputStream().write(1);
                    s.getOutputStream().flush();
                } catch (Exception expectedWhenClientRejects) {
                    // the client aborting the handshake is one of the outcomes under test
                }
            });
            acceptor.start();
            SSLContext client = SSLContext.getInstance("TLS");
            client.init(null, new TrustManager[] {new Hook(verifier, verdict, seen)}, null);
            boolean completed;
            try (SSLSocket socket = (SSLSocket) client.getSocketFactory()
                    .createSocket(InetAddress.getLoopbackAddress(), listener.getLocalPort())) {
                SSLParameters p = socket.getSSLParameters();
                p.setServerNames(List.of(new SNIHostName(sni)));
                socket.setSSLParameters(p);
                socket.setSoTimeout(10_000);
                socket.startHandshake();
                completed = socket.getInputStream().read() == 1;
            } catch (SSLException e) {
                completed = false;
            }
            acceptor.join(10_000);
            return new Outcome(verdict.get(), seen.get(), sniSeen.get(), completed);
        }
    }

    private static final class Hook extends X509ExtendedTrustManager {
        private final PeerVerifier verifier;
        private final AtomicReference<Verification> verdict;
        private final AtomicReference<List<X509Certificate>> seen;

        Hook(PeerVerifier verifier, AtomicReference<Verification> verdict, AtomicReference<List<X509Certificate>> seen) {
            this.verifier = verifier;
            this.verdict = verdict;
            this.seen = seen;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            List<X509Certificate> presented = List.of(chain);
            seen.set(presented);
            Verification v = verifier.verify(presented);
            verdict.set(v);
            if (!v.passed()) {
                throw new CertificateException(v.failure().resultType() + ": " + v.detail());
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client side only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
