package io.stsdane.relay.smtp.outbound.internal;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.smtp.LastSmtpContent;
import io.netty.handler.codec.smtp.SmtpRequest;
import io.netty.handler.codec.smtp.SmtpRequests;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One SMTP client connection: sends commands, returns their replies as futures, streams message bodies.
 *
 * <p>Confined to the channel's event loop: every method except {@link #onLoop}, {@link #isUsable} and the
 * accessors must be called on it. Futures complete on the event loop.
 */
final class SmtpConnection {

    private final Channel channel;
    private final ReplyHandler replies;
    private final ReplyDecoder decoder;
    private final Route route;
    private volatile Capabilities capabilities = Capabilities.NONE;
    private volatile TlsInfo tls;
    private int messages;
    private boolean pooled;

    SmtpConnection(Channel channel, ReplyHandler replies, ReplyDecoder decoder, Route route) {
        this.channel = channel;
        this.replies = replies;
        this.decoder = decoder;
        this.route = route;
    }

    Channel channel() {
        return channel;
    }

    Route route() {
        return route;
    }

    Capabilities capabilities() {
        return capabilities;
    }

    void capabilities(Capabilities c) {
        this.capabilities = c;
    }

    /** The TLS session, or null while in plaintext. */
    TlsInfo tls() {
        return tls;
    }

    void tls(TlsInfo t) {
        this.tls = t;
    }

    int messages() {
        return messages;
    }

    void countMessage() {
        messages++;
    }

    /** True the first time only: whether this is the first time the session goes back to the pool. */
    boolean firstPooled() {
        boolean first = !pooled;
        pooled = true;
        return first;
    }

    /** Whether the connection is open and no error has broken it. */
    boolean isUsable() {
        return channel.isActive() && !replies.isBroken();
    }

    /** Runs {@code s} on this connection's event loop. */
    <T> CompletableFuture<T> onLoop(Supplier<CompletableFuture<T>> s) {
        if (channel.eventLoop().inEventLoop()) {
            return s.get();
        }
        CompletableFuture<T> f = new CompletableFuture<>();
        channel.eventLoop().execute(() -> s.get().whenComplete((v, e) -> {
            if (e != null) {
                f.completeExceptionally(e);
            } else {
                f.complete(v);
            }
        }));
        return f;
    }

    CompletableFuture<SmtpReply> greeting() {
        return replies.greeting();
    }

    CompletableFuture<SmtpReply> command(SmtpRequest request, Duration timeout) {
        CompletableFuture<SmtpReply> f = replies.expect(request.command().name().toString(), timeout);
        channel.writeAndFlush(request).addListener(writeFailure());
        return f;
    }

    /** STARTTLS, with the decoder told to report any bytes that follow its reply (RFC 3207 §6). */
    CompletableFuture<SmtpReply> startTls(SmtpRequest request, Duration timeout) {
        decoder.watchNextReplyForTrailingData();
        return command(request, timeout);
    }

    /** Writes all commands in one flush (RFC 2920) and returns their replies in order. */
    CompletableFuture<List<SmtpReply>> pipeline(List<SmtpRequest> requests, List<Duration> timeouts) {
        List<CompletableFuture<SmtpReply>> fs = new ArrayList<>();
        for (int i = 0; i < requests.size(); i++) {
            fs.add(replies.expect(requests.get(i).command().name().toString(), timeouts.get(i)));
            channel.write(requests.get(i)).addListener(writeFailure());
        }
        channel.flush();
        return CompletableFuture.allOf(fs.toArray(new CompletableFuture<?>[0]))
                .thenApply(v -> fs.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Streams the body after a 354 reply and returns the reply to the final dot. The body is pulled chunk by
     * chunk as the socket drains; if no chunk is taken for {@code block}, the session times out. {@code size} is
     * the body's size in octets.
     */
    CompletableFuture<SmtpReply> sendBody(InputStream body, long size, Duration block, Duration end) {
        DotStuffingInput input = new DotStuffingInput(body, size);
        CompletableFuture<SmtpReply> reply = new CompletableFuture<>();
        ScheduledFuture<?> watchdog = channel.eventLoop().scheduleAtFixedRate(() -> {
            if (System.nanoTime() - input.lastProgressNanos() > block.toNanos()) {
                replies.fail(new SmtpIoException("timeout after " + block.toMillis()
                        + " ms: the server stopped taking message data"));
            }
        }, block.toNanos() / 4, block.toNanos() / 4, TimeUnit.NANOSECONDS);
        channel.writeAndFlush(input).addListener(w -> {
            watchdog.cancel(false);
            if (!w.isSuccess()) {
                replies.fail(new SmtpIoException("writing the message failed: " + w.cause(), w.cause()));
            }
            // The end-of-data timeout starts once the last octet is written (RFC 5321 §4.5.3.2.6).
            replies.expect("end of data", end).whenComplete((r, e) -> {
                if (e != null) {
                    reply.completeExceptionally(e);
                } else {
                    reply.complete(r);
                }
            });
        });
        return reply;
    }

    /**
     * The end-of-data line alone, after a 354 that no accepted recipient can use (RFC 2920 §3.1); returns the
     * reply to it, whatever it says: with no recipient, nothing was delivered.
     */
    CompletableFuture<SmtpReply> endEmptyData(Duration end) {
        CompletableFuture<SmtpReply> f = replies.expect("end of data", end);
        channel.writeAndFlush(LastSmtpContent.EMPTY_LAST_CONTENT).addListener(writeFailure());
        return f;
    }

    /** Says QUIT and closes without waiting (RFC 5321 §4.1.1.10: the reply carries nothing we need). */
    void quit() {
        if (channel.isActive()) {
            channel.writeAndFlush(SmtpRequests.quit()).addListener(ChannelFutureListener.CLOSE);
        }
    }

    void abort() {
        channel.close();
    }

    private ChannelFutureListener writeFailure() {
        return f -> {
            if (!f.isSuccess()) {
                replies.fail(new SmtpIoException("write failed: " + f.cause(), f.cause()));
            }
        };
    }
}
