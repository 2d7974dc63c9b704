package io.stsdane.relay.smtp.outbound.internal;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Matches replies to the commands awaiting them, in order (RFC 2920 keeps replies in command order), and enforces
 * a timeout per reply that starts when the reply becomes the next one due. A reply nobody waits for, a decoder
 * error or a timeout closes the connection and fails every waiter.
 *
 * <p>Confined to the channel's event loop: {@link #expect} must be called on it.
 */
final class ReplyHandler extends ChannelInboundHandlerAdapter {

    private record Pending(String what, Duration timeout, CompletableFuture<SmtpReply> future) {
    }

    private final Deque<Pending> pending = new ArrayDeque<>();
    private final Duration greetingTimeout;
    private CompletableFuture<SmtpReply> greeting;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private SmtpIoException broken;

    ReplyHandler(Duration greetingTimeout) {
        this.greetingTimeout = greetingTimeout;
    }

    /**
     * The greeting is claimed when the handler is installed, before the connection is up: it may arrive before
     * the connect listener runs (Netty completes the connect promise before firing channelActive). Its timeout
     * therefore includes the TCP handshake, which the shorter connect timeout bounds anyway.
     */
    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        this.ctx = c;
        greeting = expect("greeting", greetingTimeout);
    }

    /** The server's greeting. */
    CompletableFuture<SmtpReply> greeting() {
        return greeting;
    }

    /** A future for the next reply not yet claimed; {@code what} names the command for error messages. */
    CompletableFuture<SmtpReply> expect(String what, Duration timeout) {
        CompletableFuture<SmtpReply> f = new CompletableFuture<>();
        if (broken != null) {
            f.completeExceptionally(broken);
            return f;
        }
        pending.add(new Pending(what, timeout, f));
        if (pending.size() == 1) {
            armTimer();
        }
        return f;
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        if (!(msg instanceof SmtpReply reply)) {
            io.netty.util.ReferenceCountUtil.release(msg);
            return;
        }
        Pending head = pending.poll();
        if (head == null) {
            fail(new SmtpIoException("unexpected reply from server: " + reply.diagnostic()));
            return;
        }
        cancelTimer();
        if (!pending.isEmpty()) {
            armTimer();
        }
        head.future().complete(reply);
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        fail(new SmtpIoException("connection closed by the server"));
        c.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        Throwable t = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        fail(new SmtpIoException("protocol error: " + t.getMessage(), t));
    }

    /** Fails every waiter with {@code e} and closes the connection; later {@link #expect} calls fail at once. */
    void fail(SmtpIoException e) {
        if (broken == null) {
            broken = e;
        }
        cancelTimer();
        Pending p;
        while ((p = pending.poll()) != null) {
            p.future().completeExceptionally(e);
        }
        if (ctx != null) {
            ctx.close();
        }
    }

    boolean isBroken() {
        return broken != null;
    }

    private void armTimer() {
        Pending head = pending.peek();
        timer = ctx.executor().schedule(() -> fail(new SmtpIoException(
                "timeout after " + head.timeout().toMillis() + " ms waiting for the reply to " + head.what())),
                head.timeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
