package io.stsdane.relay.smtp.inbound.internal;

import java.io.IOException;
import java.net.Socket;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/**
 * STARTTLS (RFC 3207). Unlike SubEthaSMTP's own, it refuses a second STARTTLS, refuses commands pipelined
 * after it in clear (they would be executed as if protected: CVE-2011-0411 style injection) and forgets EHLO,
 * AUTH and the transaction once TLS is up.
 */
final class StartTlsCommand extends InboundCommand {

    private static final Logger LOG = LoggerFactory.getLogger(StartTlsCommand.class);

    StartTlsCommand(InboundContext ctx) {
        super(ctx, "STARTTLS", "Start TLS.");
    }

    @Override
    void handle(String argument, Session session, SessionState state) throws IOException, DropConnectionException {
        if (!argument.isBlank()) {
            reply(session, state, Reply.of(501, "5.5.4", "STARTTLS takes no parameters"));
            return;
        }
        javax.net.ssl.SSLContext context = ctx.tls();
        if (context == null) {
            reply(session, state, Reply.of(502, "5.5.1", "STARTTLS is not offered here"));
            return;
        }
        if (state.tls()) {
            reply(session, state, Reply.of(503, "5.5.1", "TLS is already active"));
            return;
        }
        if (session.getRawInput().available() > 0) {
            throw new DropConnectionException(421, "4.7.0 Commands pipelined after STARTTLS, closing connection");
        }
        session.sendResponse("220 2.0.0 Ready to start TLS");
        Socket plain = session.getSocket();
        SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(plain,
                plain.getInetAddress().getHostAddress(), plain.getPort(), true);
        tls.setUseClientMode(false);
        try {
            tls.startHandshake();
        } catch (IOException e) {
            LOG.info("TLS handshake with {} failed: {}", state.client.getHostAddress(), e.getMessage());
            session.quit();
            return;
        }
        session.setSocket(tls);
        session.resetSmtpProtocol();
        session.setTlsStarted(true);
        SSLSession s = tls.getSession();
        state.tlsStarted(s.getProtocol(), s.getCipherSuite());
    }
}
