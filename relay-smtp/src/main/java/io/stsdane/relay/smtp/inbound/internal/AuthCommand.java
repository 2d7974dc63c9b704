package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.util.LogText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.subethamail.smtp.DropConnectionException;
import org.subethamail.smtp.server.Session;

/** AUTH PLAIN and LOGIN (RFC 4954, RFC 4616), only over TLS unless configured otherwise; rate-limited. */
final class AuthCommand extends InboundCommand {

    private static final Logger LOG = LoggerFactory.getLogger(AuthCommand.class);
    private static final String CANCEL = "*";
    private static final Reply TOO_MANY = Reply.of(454, "4.7.0",
            "Too many failed authentications from your address, try again later");

    AuthCommand(InboundContext ctx) {
        super(ctx, "AUTH", "Authenticate. Syntax: AUTH PLAIN [initial-response] | AUTH LOGIN");
    }

    /** Thrown for a client that cancels or sends malformed base64; carries the reply. */
    private static final class Abort extends Exception {
        final Reply reply;

        Abort(Reply reply) {
            super(reply.text(), null, false, false);
            this.reply = reply;
        }
    }

    @Override
    void handle(String argument, Session session, SessionState state) throws IOException, DropConnectionException {
        Reply refusal = precondition(state);
        if (refusal != null) {
            reply(session, state, refusal);
            return;
        }
        String[] parts = argument.strip().split(" ");
        String mechanism = parts[0].toUpperCase(Locale.ROOT);
        String initial = parts.length > 1 ? parts[1] : null;
        if (parts.length > 2 || !(mechanism.equals("PLAIN") || mechanism.equals("LOGIN"))) {
            reply(session, state, Reply.of(504, "5.5.4", "Unsupported mechanism; use AUTH PLAIN or AUTH LOGIN"));
            return;
        }
        AuthThrottle.Attempt attempt = ctx.throttle().reserve(state.client);
        if (attempt == null) {
            reply(session, state, TOO_MANY);
            return;
        }
        String[] credentials;
        try {
            credentials = mechanism.equals("PLAIN") ? plain(session, initial) : login(session, initial);
        } catch (Abort a) {
            attempt.release(); // no password was tried
            reply(session, state, a.reply);
            return;
        } catch (IOException | RuntimeException e) {
            attempt.release();
            throw e;
        }
        if (credentials != null && verify(credentials[0], credentials[1])) {
            attempt.release();
            state.authUser = credentials[0];
            LOG.info("{} authenticated as {}", state.client.getHostAddress(), LogText.escape(credentials[0]));
            reply(session, state, Reply.of(235, "2.7.0", "Authentication successful"));
            return;
        }
        ctx.metrics().authFailure();
        LOG.warn("failed AUTH from {}", state.client.getHostAddress());
        reply(session, state, Reply.of(535, "5.7.8", "Authentication credentials invalid"));
    }

    /** The password check, in one of the throttle's global slots; a failure returns only after the delay. */
    private boolean verify(String user, String password) throws DropConnectionException {
        try {
            return ctx.throttle().check(() -> ctx.users().verify(user, password));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DropConnectionException(421, "4.3.2 Shutting down");
        }
    }

    private Reply precondition(SessionState state) {
        if (ctx.users() == null) {
            return Reply.of(502, "5.5.1", "AUTH is not offered here");
        }
        if (!ctx.authAvailable(state)) {
            return Reply.of(538, "5.7.11", "Encryption required for authentication: send STARTTLS first");
        }
        if (!state.esmtp) {
            return Reply.of(503, "5.5.1", "Send EHLO first");
        }
        if (state.authUser != null) {
            return Reply.of(503, "5.5.1", "Already authenticated");
        }
        if (state.transaction != null) {
            return Reply.of(503, "5.5.1", "AUTH is not allowed during a mail transaction");
        }
        return null;
    }

    /** RFC 4616: authzid NUL authcid NUL passwd; an authzid other than the authcid is not supported. */
    private String[] plain(Session session, String initial) throws IOException, Abort {
        String response = initial != null ? initial : challenge(session, "");
        if (response.equals("=")) {
            response = "";
        }
        String[] fields = decode(response).split("\0", -1);
        if (fields.length != 3 || (!fields[0].isEmpty() && !fields[0].equals(fields[1]))) {
            return null;
        }
        return new String[] {fields[1], fields[2]};
    }

    private String[] login(Session session, String initial) throws IOException, Abort {
        String user = decode(initial != null ? initial : challenge(session, "VXNlcm5hbWU6"));
        String password = decode(challenge(session, "UGFzc3dvcmQ6"));
        return new String[] {user, password};
    }

    private static String challenge(Session session, String text) throws IOException, Abort {
        session.sendResponse("334 " + text);
        String line = session.getReader().readLine();
        if (line == null) {
            throw new IOException("client closed the connection during AUTH");
        }
        if (line.equals(CANCEL)) {
            throw new Abort(Reply.of(501, "5.0.0", "Authentication cancelled"));
        }
        return line;
    }

    private static String decode(String base64) throws Abort {
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Abort(Reply.of(501, "5.5.2", "Cannot decode the base64 response"));
        }
    }
}
