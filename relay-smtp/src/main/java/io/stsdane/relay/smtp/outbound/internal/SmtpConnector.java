package io.stsdane.relay.smtp.outbound.internal;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.smtp.DefaultSmtpRequest;
import io.netty.handler.codec.smtp.SmtpCommand;
import io.netty.handler.codec.smtp.SmtpRequestEncoder;
import io.netty.handler.codec.smtp.SmtpRequests;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.stsdane.relay.core.net.IpLiterals;
import io.stsdane.relay.core.tls.PeerVerifier;
import io.stsdane.relay.core.tls.TlsFailure;
import io.stsdane.relay.core.tls.TlsLevel;
import io.stsdane.relay.core.tls.TlsPolicy;
import io.stsdane.relay.core.tls.Verification;
import io.stsdane.relay.core.util.Throwables;
import io.stsdane.relay.smtp.outbound.DeliveryOptions;
import io.stsdane.relay.smtp.outbound.SmartHost;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * Opens SMTP sessions: connect, greeting, EHLO (HELO fallback), STARTTLS as the route's policy demands, the
 * policy verifier on the peer chain, EHLO again, AUTH to a smart host. Returns the open connection or why the
 * host failed; never a plaintext session where the policy requires TLS. Thread-safe.
 */
final class SmtpConnector {

    /** The result of opening a session. */
    sealed interface Opened {
        /** Ready for MAIL FROM. */
        record Ready(SmtpConnection connection) implements Opened {
        }

        /** The host failed; {@code tls} is the TLS state reached, or null. */
        record Failed(HostFailure failure, TlsInfo tls) implements Opened {
        }
    }

    private static final SmtpCommand STARTTLS = SmtpCommand.valueOf("STARTTLS");

    private final Transport transport;
    private final DeliveryOptions options;
    private final SslContext sslContext;

    SmtpConnector(Transport transport, DeliveryOptions options) {
        this.transport = transport;
        this.options = options;
        try {
            // Trust is decided after the handshake by the policy's PeerVerifier, on the chain the server sent:
            // the handshake itself accepts any chain so that opportunistic TLS and reporting see it too.
            this.sslContext = SslContextBuilder.forClient()
                    .trustManager(InsecureTrustManagerFactory.INSTANCE)
                    .protocols("TLSv1.3", "TLSv1.2")
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot create the client TLS context", e);
        }
    }

    CompletableFuture<Opened> open(Route route) {
        CompletableFuture<Opened> result = new CompletableFuture<>();
        Bootstrap b = new Bootstrap()
                .group(transport.group())
                .channel(transport.channelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) options.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("replies-in", new ReplyDecoder())
                                .addLast("requests-out", new SmtpRequestEncoder())
                                .addLast("chunks", new ChunkedWriteHandler())
                                .addLast("replies", new ReplyHandler(options.timeouts().greeting()));
                    }
                });
        ChannelFuture connect = options.sourceAddress() == null ? b.connect(route.address())
                : b.connect(route.address(), new InetSocketAddress(options.sourceAddress(), 0));
        connect.addListener(f -> {
            if (!f.isSuccess()) {
                result.complete(new Opened.Failed(HostFailure.temporary("4.4.1",
                        "connect to " + describe(route) + " failed: " + f.cause().getMessage()), null));
                return;
            }
            Channel ch = connect.channel();
            SmtpConnection c = new SmtpConnection(ch, ch.pipeline().get(ReplyHandler.class),
                    ch.pipeline().get(ReplyDecoder.class), route);
            CompletableFuture<Opened> session;
            try {
                session = greet(c);
            } catch (RuntimeException e) {
                session = CompletableFuture.failedFuture(e);
            }
            session.whenComplete((o, e) -> {
                if (e != null) {
                    c.abort();
                    result.complete(new Opened.Failed(HostFailure.temporary("4.4.2",
                            describe(route) + ": " + Throwables.rootMessage(e)), c.tls()));
                } else {
                    if (o instanceof Opened.Failed) {
                        c.quit();
                    }
                    result.complete(o);
                }
            });
        });
        return result;
    }

    private CompletableFuture<Opened> greet(SmtpConnection c) {
        return c.greeting().thenCompose(greeting -> {
            if (greeting.code() != 220) {
                return failed(HostFailure.temporary(temporary(greeting), describe(c.route())
                        + " greeted with " + greeting.diagnostic()), c);
            }
            return ehlo(c, true).thenCompose(ok -> ok ? negotiateTls(c)
                    : failed(HostFailure.temporary("4.4.2", describe(c.route()) + " refused EHLO and HELO"), c));
        });
    }

    /** EHLO, and HELO when EHLO is refused and {@code heloFallback}; true when one was accepted. */
    private CompletableFuture<Boolean> ehlo(SmtpConnection c, boolean heloFallback) {
        return c.command(SmtpRequests.ehlo(options.heloName()), options.timeouts().command()).thenCompose(r -> {
            if (r.code() == 250) {
                c.capabilities(Capabilities.parse(r.lines()));
                return CompletableFuture.completedFuture(true);
            }
            if (!heloFallback || !r.isPermanent()) {
                return CompletableFuture.completedFuture(false);
            }
            return c.command(SmtpRequests.helo(options.heloName()), options.timeouts().command()).thenApply(h -> {
                c.capabilities(Capabilities.NONE);
                return h.code() == 250;
            });
        });
    }

    private CompletableFuture<Opened> negotiateTls(SmtpConnection c) {
        Route route = c.route();
        TlsLevel level = route.policy().level();
        if (route.plaintext()) {
            return authenticate(c);
        }
        if (!c.capabilities().has("STARTTLS")) {
            if (level.requiresTls()) {
                return failed(HostFailure.policy(TlsFailure.STARTTLS_NOT_SUPPORTED, describe(route)
                        + " does not offer STARTTLS, which the " + policyName(route.policy()) + " requires"), c);
            }
            return authenticate(c);
        }
        return c.startTls(new DefaultSmtpRequest(STARTTLS), options.timeouts().command()).thenCompose(r -> {
            if (r.trailingData()) {
                return failed(HostFailure.policy(TlsFailure.VALIDATION_FAILURE, describe(route)
                        + " sent data after its reply to STARTTLS, before TLS started (STARTTLS injection)"), c);
            }
            if (r.code() != 220) {
                if (level.requiresTls()) {
                    return failed(HostFailure.policy(TlsFailure.STARTTLS_NOT_SUPPORTED, describe(route)
                            + " refused STARTTLS (" + r.diagnostic() + "), which the "
                            + policyName(route.policy()) + " requires"), c);
                }
                return authenticate(c);
            }
            // Runs on the event loop inside the read of the 220: the SslHandler is in place before any
            // further byte from the server is processed.
            SslHandler ssl = newSslHandler(c);
            c.channel().pipeline().addFirst("tls", ssl);
            return handshake(c, ssl);
        });
    }

    private SslHandler newSslHandler(SmtpConnection c) {
        TlsPolicy policy = c.route().policy();
        SSLEngine engine = sslContext.newEngine(c.channel().alloc(), policy.sniName(), c.route().address().getPort());
        SSLParameters params = engine.getSSLParameters();
        if (!IpLiterals.isLiteral(policy.sniName())) {
            params.setServerNames(List.of(new SNIHostName(policy.sniName())));
        }
        engine.setSSLParameters(params);
        SslHandler ssl = new SslHandler(engine);
        ssl.setHandshakeTimeoutMillis(options.timeouts().command().toMillis());
        return ssl;
    }

    private CompletableFuture<Opened> handshake(SmtpConnection c, SslHandler ssl) {
        CompletableFuture<Opened> result = new CompletableFuture<>();
        ssl.handshakeFuture().addListener(h -> {
            CompletableFuture<Opened> next;
            try {
                next = h.isSuccess() ? afterHandshake(c, ssl)
                        : CompletableFuture.completedFuture(handshakeFailed(c, h.cause()));
            } catch (RuntimeException e) {
                next = CompletableFuture.failedFuture(e);
            }
            next.whenComplete((o, e) -> {
                if (e != null) {
                    result.completeExceptionally(e);
                } else {
                    result.complete(o);
                }
            });
        });
        return result;
    }

    private Opened handshakeFailed(SmtpConnection c, Throwable cause) {
        Route route = c.route();
        TlsPolicy policy = route.policy();
        c.abort();
        String why = "TLS handshake with " + describe(route) + " failed: " + Throwables.rootMessage(cause);
        if (policy.level().requiresTls()) {
            return new Opened.Failed(HostFailure.policy(TlsFailure.VALIDATION_FAILURE,
                    why + " (required by the " + policyName(policy) + ")"), null);
        }
        HostFailure f = HostFailure.temporary("4.7.5", why);
        // Only opportunistic TLS may try again without TLS, and only on a new connection.
        return new Opened.Failed(policy.level() == TlsLevel.MAY ? f.withPlaintextRetry() : f, null);
    }

    private CompletableFuture<Opened> afterHandshake(SmtpConnection c, SslHandler ssl) {
        Route route = c.route();
        TlsPolicy policy = route.policy();
        SSLSession session = ssl.engine().getSession();
        List<X509Certificate> chain = peerChain(session);
        Verification v = verify(policy.verifier(), chain);
        c.tls(new TlsInfo(session.getProtocol(), session.getCipherSuite(), chain, v));
        if (!v.passed() && policy.level().requiresAuthentication()) {
            return failed(HostFailure.policy(v.failure(), describe(route) + ": certificate rejected by the "
                    + policyName(policy) + ": " + v.detail()), c);
        }
        // RFC 3207 §4.2: forget what was learned before TLS and ask again.
        c.capabilities(Capabilities.NONE);
        return ehlo(c, false).thenCompose(ok -> ok ? authenticate(c)
                : failed(HostFailure.temporary("4.4.2", describe(route) + " refused EHLO after STARTTLS"), c));
    }

    private CompletableFuture<Opened> authenticate(SmtpConnection c) {
        SmartHost smart = options.smartHost();
        if (smart == null || !smart.hasAuth()) {
            return CompletableFuture.completedFuture(new Opened.Ready(c));
        }
        if (c.tls() == null) {
            return failed(HostFailure.temporary("4.7.0", describe(c.route())
                    + ": no TLS session, refusing to send the smart host credentials in plaintext"), c);
        }
        if (!c.capabilities().authMechanisms().contains("PLAIN")) {
            return failed(HostFailure.temporary("4.7.0", describe(c.route())
                    + " does not offer AUTH PLAIN (offers " + c.capabilities().authMechanisms() + ")"), c);
        }
        String token = Base64.getEncoder().encodeToString(("\0" + smart.username() + "\0" + smart.password())
                .getBytes(StandardCharsets.UTF_8));
        return c.command(new DefaultSmtpRequest(SmtpCommand.AUTH, "PLAIN", token), options.timeouts().command())
                .thenCompose(r -> r.code() == 235 ? CompletableFuture.completedFuture(new Opened.Ready(c))
                        : failed(HostFailure.temporary("4.7.0", "smart host " + describe(c.route())
                                + " rejected AUTH PLAIN for user " + smart.username() + ": " + r.diagnostic()
                                + " (check delivery.smarthost credentials)"), c));
    }

    private static CompletableFuture<Opened> failed(HostFailure f, SmtpConnection c) {
        return CompletableFuture.completedFuture(new Opened.Failed(f, c.tls()));
    }

    private static Verification verify(PeerVerifier verifier, List<X509Certificate> chain) {
        try {
            return verifier.verify(chain);
        } catch (RuntimeException e) {
            return Verification.failed(TlsFailure.VALIDATION_FAILURE, "verifier error: " + e);
        }
    }

    private static List<X509Certificate> peerChain(SSLSession session) {
        List<X509Certificate> chain = new ArrayList<>();
        try {
            for (Certificate cert : session.getPeerCertificates()) {
                if (cert instanceof X509Certificate x) {
                    chain.add(x);
                }
            }
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
            // An anonymous session: the empty chain fails any verifier that checks something.
        }
        return chain;
    }

    /** A host failure is never permanent: a 5xx greeting may come from one bad MX among several. */
    static String temporary(SmtpReply r) {
        String s = r.enhancedStatus();
        return s.startsWith("4") ? s : "4" + s.substring(1);
    }

    static String describe(Route r) {
        return r.host().name() + "[" + r.address().getAddress().getHostAddress() + "]:" + r.address().getPort();
    }

    static String policyName(TlsPolicy p) {
        return p.source().label() + " policy (level " + p.level().configName() + ")";
    }
}
