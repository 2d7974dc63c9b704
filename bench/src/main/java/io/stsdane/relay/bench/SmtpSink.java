package io.stsdane.relay.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.stsdane.relay.bench.internal.Args;
import io.stsdane.relay.bench.internal.Json;
import io.stsdane.relay.bench.internal.SinkSession;
import io.stsdane.relay.testkit.pki.TestCertificate;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * A fast SMTP sink on loopback: accepts every message on any number of connections (many messages per
 * connection, PIPELINING advertised, optional STARTTLS), records each {@code X-Bench-Id} with its arrival time,
 * and answers on a small HTTP control port:
 * <ul>
 *   <li>{@code GET /stats?run=R}: one JSON line (distinct ids of run R, totals, connections, TLS sessions)</li>
 *   <li>{@code GET /ids?run=R}: one line per message number, {@code n arrivalEpochMicros arrivals}</li>
 * </ul>
 * Thread-safe; {@link #close()} stops both ports.
 */
public final class SmtpSink implements AutoCloseable {

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel channel;
    private final HttpServer control;
    private final DeliveryLog log = new DeliveryLog();

    private SmtpSink(InetSocketAddress smtp, InetSocketAddress controlAddress, SSLContext tls)
            throws IOException, InterruptedException {
        boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                NioIoHandler.newFactory());
        try {
            channel = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast("smtp", new SinkSession(log, tls));
                        }
                    }).bind(smtp).sync().channel();
            control = HttpServer.create(controlAddress, 16);
        } catch (IOException | InterruptedException | RuntimeException e) {
            boss.shutdownGracefully();
            workers.shutdownGracefully();
            throw e;
        }
        control.createContext("/stats", ex -> respond(ex, Json.write(stats(run(ex))) + "\n"));
        control.createContext("/ids", ex -> respond(ex, ids(run(ex))));
        control.setExecutor(Executors.newSingleThreadExecutor(r -> new Thread(r, "sink-control")));
        control.start();
    }

    /**
     * Starts a sink.
     *
     * @param smtp where to listen for SMTP (port 0 for any free port)
     * @param controlAddress where to answer control requests (port 0 for any free port)
     * @param tls the server context for STARTTLS, or null not to offer STARTTLS
     */
    public static SmtpSink start(InetSocketAddress smtp, InetSocketAddress controlAddress, SSLContext tls)
            throws IOException, InterruptedException {
        return new SmtpSink(smtp, controlAddress, tls);
    }

    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    public int controlPort() {
        return control.getAddress().getPort();
    }

    /** The control URL the load generator's {@code --sink-control} takes. */
    public String controlUrl() {
        return "http://127.0.0.1:" + controlPort() + "/";
    }

    public DeliveryLog log() {
        return log;
    }

    public Map<String, Object> stats(String run) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("run", run);
        m.put("delivered", log.distinct(run));
        m.put("messages_total", log.messages());
        m.put("unidentified", log.unidentified());
        m.put("connections", log.connections());
        m.put("tls_sessions", log.tlsSessions());
        return m;
    }

    private String ids(String run) {
        StringBuilder sb = new StringBuilder();
        log.arrivals(run).forEach((n, a) ->
                sb.append(n).append(' ').append(a.firstMicros()).append(' ').append(a.count()).append('\n'));
        return sb.toString();
    }

    private static String run(HttpExchange ex) {
        URI uri = ex.getRequestURI();
        String q = uri.getQuery() == null ? "" : uri.getQuery();
        for (String p : q.split("&")) {
            if (p.startsWith("run=")) {
                return p.substring(4);
            }
        }
        return "";
    }

    private static void respond(HttpExchange ex, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.US_ASCII);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, b.length);
        try (OutputStream os = ex.getResponseBody()) {
            os.write(b);
        }
    }

    @Override
    public void close() {
        control.stop(0);
        channel.close().syncUninterruptibly();
        boss.shutdownGracefully();
        workers.shutdownGracefully();
    }

    /**
     * {@code sink [--port 0] [--control-port 0] [--tls none|self] [--host-name mx.bench.test]}: runs until killed;
     * prints {@code SINK_PORT=.. SINK_CONTROL=..} lines (shell syntax) once listening.
     */
    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv, 0);
        SSLContext tls = a.string("tls", "none").equals("self")
                ? TestCertificate.builder().dnsNames(a.string("host-name", "mx.bench.test")).build().serverContext()
                : null;
        SmtpSink sink = start(new InetSocketAddress("127.0.0.1", a.integer("port", 0)),
                new InetSocketAddress("127.0.0.1", a.integer("control-port", 0)), tls);
        Runtime.getRuntime().addShutdownHook(new Thread(sink::close));
        System.out.println("SINK_PORT=" + sink.port());
        System.out.println("SINK_CONTROL=" + sink.controlUrl());
        System.out.flush();
        Thread.currentThread().join();
    }
}
