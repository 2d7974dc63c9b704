package io.stsdane.relay.server.cli;

import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.Verification;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * {@code relay check --connect}: one blocking SMTP session to one MX address (greeting, EHLO, STARTTLS, TLS
 * handshake with the policy's SNI, QUIT) that captures the chain the server presents and runs the policy's own
 * verifier on it, the way the delivery engine does after its handshake. The handshake itself trusts any chain:
 * the verdict is the verifier's, not the JDK's. Sends no mail. One instance per run; not thread-safe.
 */
final class StartTlsProbe {

    /** Longer SMTP replies than this are hostile; a diagnostic does not need them. */
    private static final int MAX_LINE = 4096;
    private static final int MAX_LINES = 100;

    private final String helo;
    private final Duration timeout;

    StartTlsProbe(String helo, Duration timeout) {
        this.helo = helo;
        this.timeout = timeout;
    }

    /** The result of one probe; {@code error} is null exactly when the handshake completed. */
    record Result(String address, String protocol, String cipher, List<CertificateInfo> chain, Boolean verified,
            String verification, String error) {

        static Result failed(String address, String error) {
            return new Result(address, null, null, List.of(), null, null, error);
        }

        boolean handshakeDone() {
            return error == null;
        }
    }

    /** One certificate of the presented chain, leaf first. */
    record CertificateInfo(String subject, String issuer, String spkiSha256, String notBefore, String notAfter) {

        static CertificateInfo of(X509Certificate c) {
            return new CertificateInfo(c.getSubjectX500Principal().getName(), c.getIssuerX500Principal().getName(),
                    sha256(c.getPublicKey().getEncoded()), c.getNotBefore().toInstant().toString(),
                    c.getNotAfter().toInstant().toString());
        }
    }

    Result probe(InetAddress address, int port, TlsPolicy policy) {
        String where = address.getHostAddress();
        try (Socket plain = new Socket()) {
            int millis = (int) timeout.toMillis();
            plain.connect(new InetSocketAddress(address, port), millis);
            plain.setSoTimeout(millis);
            BufferedReader in = new BufferedReader(new InputStreamReader(plain.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            OutputStream out = plain.getOutputStream();
            expect(in, 220, "greeting");
            send(out, "EHLO " + helo);
            List<String> ehlo = expect(in, 250, "EHLO");
            if (ehlo.stream().noneMatch(l -> l.length() > 4 && l.substring(4).trim().equalsIgnoreCase("STARTTLS"))) {
                send(out, "QUIT");
                return Result.failed(where, "the server does not offer STARTTLS");
            }
            send(out, "STARTTLS");
            expect(in, 220, "STARTTLS");
            // RFC 3207 §4: nothing may follow the 220 before TLS starts; bytes that did are an injection.
            if (in.ready()) {
                return Result.failed(where, "the server sent data after its reply to STARTTLS (STARTTLS injection)");
            }
            return handshake(plain, where, port, policy);
        } catch (IOException | ProbeException e) {
            return Result.failed(where, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private Result handshake(Socket plain, String where, int port, TlsPolicy policy) throws IOException {
        SSLContext ctx;
        try {
            ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new CapturingTrustManager()}, null);
        } catch (GeneralSecurityException e) {
            throw new IOException("no TLS client available: " + e.getMessage(), e);
        }
        try (SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(plain, policy.sniName(), port, true)) {
            SSLParameters params = tls.getSSLParameters();
            // RFC 6066 §3: SNI carries host names only, never an address literal.
            if (!policy.sniName().matches("[0-9.]+|.*:.*")) {
                params.setServerNames(List.of(new SNIHostName(policy.sniName())));
            }
            tls.setSSLParameters(params);
            tls.startHandshake();
            List<X509Certificate> chain = new ArrayList<>();
            for (Certificate c : tls.getSession().getPeerCertificates()) {
                chain.add((X509Certificate) c);
            }
            Verification v = policy.verifier().verify(List.copyOf(chain));
            try {
                send(tls.getOutputStream(), "QUIT");
            } catch (IOException e) {
                // The verdict is in; a server that hangs up first changes nothing.
            }
            return new Result(where, tls.getSession().getProtocol(), tls.getSession().getCipherSuite(),
                    chain.stream().map(CertificateInfo::of).toList(), v.passed(), v.detail(), null);
        }
    }

    private static void send(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one (multi-line) reply and insists on its code. */
    private static List<String> expect(BufferedReader in, int code, String step) throws IOException, ProbeException {
        List<String> lines = new ArrayList<>();
        while (lines.size() < MAX_LINES) {
            String line = in.readLine();
            if (line == null) {
                throw new ProbeException("the server closed the connection before replying to " + step);
            }
            if (line.length() > MAX_LINE || line.length() < 3) {
                throw new ProbeException("malformed reply to " + step + ": " + abbreviate(line));
            }
            lines.add(line);
            if (line.length() == 3 || line.charAt(3) != '-') {
                if (!line.startsWith(Integer.toString(code))) {
                    throw new ProbeException(step + " answered: " + abbreviate(line));
                }
                return lines;
            }
        }
        throw new ProbeException("reply to " + step + " has more than " + MAX_LINES + " lines");
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }

    private static final class ProbeException extends Exception {
        ProbeException(String message) {
            super(message);
        }
    }

    /** Accepts every chain: the policy's verifier judges it after the handshake, as in delivery. */
    private static final class CapturingTrustManager implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
