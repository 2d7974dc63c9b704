package io.stsdane.relay.smtp.outbound.internal;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The native epoll transport when this platform has it, NIO otherwise. Immutable. */
record Transport(EventLoopGroup group, Class<? extends SocketChannel> channelClass, String name) {

    static Transport create(int threads) {
        DefaultThreadFactory tf = new DefaultThreadFactory("relay-delivery", true);
        // The epoll jars are a runtime-only dependency (parent POM), so they are bound by name.
        try {
            Class<?> epoll = Class.forName("io.netty.channel.epoll.Epoll");
            if ((Boolean) epoll.getMethod("isAvailable").invoke(null)) {
                IoHandlerFactory factory = (IoHandlerFactory) Class.forName("io.netty.channel.epoll.EpollIoHandler")
                        .getMethod("newFactory").invoke(null);
                Class<? extends SocketChannel> channel = Class.forName("io.netty.channel.epoll.EpollSocketChannel")
                        .asSubclass(SocketChannel.class);
                return new Transport(new MultiThreadIoEventLoopGroup(threads, tf, factory), channel, "epoll");
            }
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            // Not on this platform: NIO below.
        }
        return new Transport(new MultiThreadIoEventLoopGroup(threads, tf, NioIoHandler.newFactory()),
                NioSocketChannel.class, "nio");
    }
}
