package io.stsdane.relay.dns.internal;

import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TSIG;
import org.xbill.DNS.Type;

/**
 * Sends each query to the configured servers in their configured order and moves on to the next server when one
 * gives no answer (timeout, unreadable reply) or answers with an error instead of data or a denial (SERVFAIL,
 * REFUSED, NOTIMP, FORMERR...), as stub resolvers do with the servers in resolv.conf. dnsjava's
 * {@code ExtendedResolver} moves on only when no answer came. A SERVFAIL carrying a bogus Extended DNS Error
 * (RFC 8914: a validating resolver's verdict on the data) is final: it is not a failure of the server.
 *
 * <p>A server that gave no answer to its last query is asked after the others until it answers again: otherwise
 * a dead first server would cost a full timeout on every query, and a validator makes several per lookup.
 *
 * <p>The servers are tried in rounds, {@code rounds} at most: a server that answered with an error is not asked
 * that query again (it answered; asking again only costs time), one that gave no answer is, in the next round.
 * Each attempt is bounded by its server's own timeout, and there is no overall deadline on top: dnsjava notices a
 * UDP timeout only when its NIO selector thread wakes, up to a second late, so a deadline of the attempts' timeouts
 * added up would cut the last attempts short. When no server answers, the result is the last failure: the error
 * response itself, so that a validating resolver's SERVFAIL keeps its Extended DNS Errors for
 * {@link SecurityClassifier} (a failure stays a failure, bogus stays bogus), or a {@link NoAnswer} naming each
 * server that gave no answer and why, once each.
 *
 * <p>Thread-safe: the state of one query lives in its own {@code Attempts}; the setters configure every server.
 */
final class ServerFailover implements Resolver {

    private static final Logger log = LoggerFactory.getLogger(ServerFailover.class);

    private final List<Resolver> servers;
    /** How the servers are named to the operator, by index. */
    private final List<String> names;
    private final int rounds;
    /** 1 for a server whose last attempt got no answer. */
    private final AtomicIntegerArray silent;

    /**
     * @param servers in the configured order, each with its own per-attempt timeout
     * @param rounds how many times a server that gives no answer is asked, 1 or more
     */
    ServerFailover(List<Resolver> servers, int rounds) {
        if (servers.isEmpty() || rounds < 1) {
            throw new IllegalArgumentException("need at least one server and one round");
        }
        this.servers = List.copyOf(servers);
        this.names = servers.stream().map(ServerFailover::name).toList();
        this.rounds = rounds;
        this.silent = new AtomicIntegerArray(servers.size());
    }

    /** {@code 127.0.0.1:53} for a dnsjava {@link SimpleResolver}; any other resolver by its own description. */
    private static String name(Resolver server) {
        return server instanceof SimpleResolver simple ? ResolverFactory.describe(simple.getAddress())
                : server.toString();
    }

    /** True for a response that answers nothing: neither data nor a denial (NOERROR and NXDOMAIN carry those). */
    static boolean isServerFailure(Message response) {
        int rcode = response.getRcode();
        return rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN;
    }

    @Override
    public CompletionStage<Message> sendAsync(Message query, Executor executor) {
        return new Attempts(query, executor).from(0, null);
    }

    /** One query's way through the servers; each stage runs after the previous one completed. */
    private final class Attempts {
        private final Message query;
        private final Executor executor;
        private final boolean[] answeredWithError = new boolean[servers.size()];
        /** Each "server: what happened" once, for a server that gave no answer (stages run one after another). */
        private final Set<String> noAnswer = new LinkedHashSet<>();
        /** Server indexes, those that answered last time first, each group in the configured order. */
        private final int[] order = IntStream.range(0, servers.size()).boxed()
                .sorted(Comparator.comparingInt(silent::get)).mapToInt(Integer::intValue).toArray();

        Attempts(Message query, Executor executor) {
            this.query = query;
            this.executor = executor;
        }

        /** Sends to the server at {@code step} or the first one after it still worth asking. */
        CompletableFuture<Message> from(int step, Failure last) {
            int n = servers.size();
            int next = step;
            while (next < n * rounds && answeredWithError[order[next % n]]) {
                next++;
            }
            if (next >= n * rounds) {
                return last.error() == null ? CompletableFuture.completedFuture(last.response())
                        : CompletableFuture.failedFuture(new NoAnswer(noAnswer, last.error()));
            }
            int server = order[next % n];
            CompletionStage<Message> sent;
            try {
                sent = servers.get(server).sendAsync(query, executor);
            } catch (RuntimeException e) {
                sent = CompletableFuture.failedFuture(e);
            }
            int sentStep = next;
            return sent.handle((response, error) -> {
                silent.set(server, error == null ? 0 : 1);
                // A validating resolver's "bogus" is a DNSSEC verdict, not a server failure: asking another server
                // could only turn it into an answer that was never validated (a DANE downgrade if that server does
                // not validate), so it is final.
                if (error == null && (!isServerFailure(response) || SecurityClassifier.reportsBogus(response))) {
                    return CompletableFuture.completedFuture(response);
                }
                answeredWithError[server] = error == null;
                if (error != null) {
                    noAnswer.add(NoAnswer.at(names.get(server), error));
                }
                log.debug("DNS {}/{} from server {} failed ({}), trying the next one", query.getQuestion().getName(),
                        Type.string(query.getQuestion().getType()), names.get(server),
                        error == null ? Rcode.string(response.getRcode()) : NoAnswer.what(error));
                return from(sentStep + 1, new Failure(response, error));
            }).thenCompose(f -> f).toCompletableFuture();
        }
    }

    /** Exactly one of the two is set. */
    private record Failure(Message response, Throwable error) {
    }

    @Override
    public void setPort(int port) {
        servers.forEach(s -> s.setPort(port));
    }

    @Override
    public void setTCP(boolean flag) {
        servers.forEach(s -> s.setTCP(flag));
    }

    @Override
    public void setIgnoreTruncation(boolean flag) {
        servers.forEach(s -> s.setIgnoreTruncation(flag));
    }

    @Override
    public void setEDNS(int version, int payloadSize, int flags, List<EDNSOption> options) {
        servers.forEach(s -> s.setEDNS(version, payloadSize, flags, options));
    }

    @Override
    public void setTSIGKey(TSIG key) {
        servers.forEach(s -> s.setTSIGKey(key));
    }

    /** Each attempt's timeout, on every server. */
    @Override
    public void setTimeout(Duration timeout) {
        servers.forEach(s -> s.setTimeout(timeout));
    }

    /** The first server's per-attempt timeout. */
    @Override
    public Duration getTimeout() {
        return servers.get(0).getTimeout();
    }

    @Override
    public String toString() {
        return "ServerFailover" + servers;
    }
}
