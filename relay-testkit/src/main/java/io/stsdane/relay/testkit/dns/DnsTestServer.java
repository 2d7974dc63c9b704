package io.stsdane.relay.testkit.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * An in-process DNS server for tests: listens on a random loopback port (UDP and TCP, the same port number) and
 * answers like a recursive resolver in front of a tree of zones that it signs with DNSSEC at answer time. It
 * is the DNS fixture for every module's tests: point the resolver under test at {@link #address()} and give
 * it {@link #trustAnchorFile(Path)}.
 *
 * <pre>{@code
 * try (DnsTestServer dns = DnsTestServer.start()) {
 *     TestZone com = dns.root().child("com");                  // signed, DS in the root
 *     com.child("example.com")                                 // signed, DS in com: secure
 *        .mx("example.com", 10, "mx.example.com")
 *        .a("mx.example.com", "192.0.2.1")
 *        .tlsa("_25._tcp.mx.example.com", "3 1 1 " + sha256Hex);
 *     com.unsignedChild("plain.com").mx("plain.com", 10, "mx.plain.com");   // insecure
 *     com.childWithWrongDs("broken.com");                      // bogus: DS matches no key
 *     com.child("faulty.com").a("mx.faulty.com", "192.0.2.9")
 *        .corruptSignatures("mx.faulty.com");                  // bogus: bad RRSIG (or expireSignatures)
 *     dns.misbehave("slow.example.com", Misbehaviour.DROP);     // indeterminate: never answers
 *     dns.misbehave("big.example.com", Misbehaviour.TRUNCATE_UDP); // TC over UDP, full answer over TCP
 *
 *     DnsOptions options = new DnsOptions(List.of(dns.address()), DnssecMode.VALIDATE,
 *             dns.trustAnchorFile(tempDir), false, Duration.ofSeconds(2), 1, 1000);
 * }
 * }</pre>
 *
 * <p>By default the server answers as a <em>non-validating</em> recursive resolver (no AD bit; RRSIGs and NSEC
 * when the query has DO): the client must validate. {@link #validating(boolean)} makes it act like a validating
 * resolver (unbound on loopback): AD on secure answers, SERVFAIL on bogus ones; for {@code trust-ad} tests.
 *
 * <p>Negative answers carry SOA, NSEC records for the name and for the wildcard at the closest encloser, and
 * their RRSIGs (RFC 4035 §3.1.3); or, for a zone built with {@link TestZone#nsec3()}, NSEC3 closest-encloser
 * proofs (RFC 5155 §7.2). Thread-safe; zones may be changed while it runs.
 */
public final class DnsTestServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DnsTestServer.class);

    private final Map<Name, TestZone> zones = new HashMap<>();
    private final Map<Name, Misbehaviour> misbehaviours = new HashMap<>();
    private final Map<Name, Map<Integer, Misbehaviour>> typeMisbehaviours = new HashMap<>();
    private final ZoneAnswerer answerer = new ZoneAnswerer(zones);
    private final AtomicInteger queries = new AtomicInteger();
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "dns-test-server");
        t.setDaemon(true);
        return t;
    });
    private final TestZone root;
    private boolean validating;

    private DnsTestServer(DatagramSocket udp, ServerSocket tcp) {
        this.udp = udp;
        this.tcp = tcp;
        this.root = new TestZone(this, Name.root, null, TestZone.Delegation.SECURE);
        register(root);
        threads.execute(this::serveUdp);
        threads.execute(this::serveTcp);
    }

    /** Starts a server with a signed, empty root zone on 127.0.0.1 and a free port. */
    public static DnsTestServer start() {
        InetAddress loopback = InetAddress.getLoopbackAddress();
        for (int attempt = 0; attempt < 20; attempt++) {
            DatagramSocket udp = null;
            try {
                udp = new DatagramSocket(new InetSocketAddress(loopback, 0));
                ServerSocket tcp = new ServerSocket(udp.getLocalPort(), 50, loopback);
                return new DnsTestServer(udp, tcp);
            } catch (IOException e) {
                if (udp != null) {
                    udp.close();
                }
            }
        }
        throw new IllegalStateException("no loopback port free for both UDP and TCP");
    }

    /** The root zone; build the tree from here. */
    public TestZone root() {
        return root;
    }

    /** Where to send queries (UDP and TCP). */
    public InetSocketAddress address() {
        return new InetSocketAddress(udp.getLocalAddress(), udp.getLocalPort());
    }

    /** The root's DS record as a zone-file line: the trust anchor for a validator. */
    public String trustAnchor() {
        return root.dsText();
    }

    /** Writes {@link #trustAnchor()} to {@code dir/trust-anchors.txt} and returns the path. */
    public Path trustAnchorFile(Path dir) {
        try {
            return Files.writeString(dir.resolve("trust-anchors.txt"), trustAnchor() + "\n", StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Act as a validating resolver (AD bit, SERVFAIL on bogus) instead of a plain recursive one. */
    public synchronized DnsTestServer validating(boolean on) {
        this.validating = on;
        return this;
    }

    /** Misbehave for every query whose name is {@code name}, whatever the type. */
    public synchronized DnsTestServer misbehave(String name, Misbehaviour how) {
        misbehaviours.put(TestZone.absolute(name), how);
        return this;
    }

    /**
     * Misbehave only for queries of {@code type} (an {@code org.xbill.DNS.Type} value) at {@code name}; other
     * types at that name are answered normally. For example a SERVFAIL for AAAA beside a working A query.
     */
    public synchronized DnsTestServer misbehave(String name, int type, Misbehaviour how) {
        typeMisbehaviours.computeIfAbsent(TestZone.absolute(name), n -> new HashMap<>()).put(type, how);
        return this;
    }

    /** Back to normal answers for {@code name}, whatever the type. */
    public synchronized DnsTestServer behave(String name) {
        misbehaviours.remove(TestZone.absolute(name));
        typeMisbehaviours.remove(TestZone.absolute(name));
        return this;
    }

    /** How many queries arrived (UDP and TCP), for cache tests. */
    public int queryCount() {
        return queries.get();
    }

    synchronized void register(TestZone zone) {
        zones.put(zone.origin(), zone);
    }

    @Override
    public void close() {
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            log.debug("closing TCP listener", e);
        }
        threads.shutdownNow();
    }

    /** The reply bytes, or null for no reply. */
    private byte[] respond(byte[] request, boolean overUdp) {
        queries.incrementAndGet();
        Message query;
        try {
            query = new Message(request);
        } catch (IOException e) {
            return null;
        }
        Record question = query.getQuestion();
        Misbehaviour how;
        Message response;
        synchronized (this) {
            how = question == null ? null : misbehaviourFor(question);
            response = how == null || how == Misbehaviour.TRUNCATE_UDP && !overUdp
                    ? answerer.answer(query, validating) : null;
        }
        if (how != null && response == null) {
            return misbehaviour(query, how);
        }
        return overUdp ? response.toWire(udpLimit(query)) : response.toWire();
    }

    private Misbehaviour misbehaviourFor(Record question) {
        Misbehaviour byType = typeMisbehaviours.getOrDefault(question.getName(), Map.of()).get(question.getType());
        return byType != null ? byType : misbehaviours.get(question.getName());
    }

    private static byte[] misbehaviour(Message query, Misbehaviour how) {
        Message m = new Message(query.getHeader().getID());
        m.getHeader().setFlag(Flags.QR);
        m.getHeader().setFlag(Flags.RA);
        if (query.getQuestion() != null) {
            m.addRecord(query.getQuestion(), Section.QUESTION);
        }
        switch (how) {
            case DROP:
                return null;
            case SERVFAIL:
                m.getHeader().setRcode(Rcode.SERVFAIL);
                return m.toWire();
            case REFUSED:
                m.getHeader().setRcode(Rcode.REFUSED);
                return m.toWire();
            case WRONG_ID:
                m.getHeader().setID((query.getHeader().getID() + 1) & 0xffff);
                return m.toWire();
            case TRUNCATE_UDP:
                m.getHeader().setFlag(Flags.TC);
                return m.toWire();
            case GARBAGE:
                byte[] wire = m.toWire();
                wire[5] = 9; // claims nine questions, carries one
                return wire;
            default:
                throw new IllegalStateException(how.toString());
        }
    }

    private static int udpLimit(Message query) {
        OPTRecord opt = query.getOPT();
        return opt == null ? 512 : Math.max(512, Math.min(opt.getPayloadSize(), 4096));
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket in = new DatagramPacket(buffer, buffer.length);
                udp.receive(in);
                byte[] request = java.util.Arrays.copyOf(in.getData(), in.getLength());
                byte[] reply = respond(request, true);
                if (reply != null) {
                    udp.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
                }
            } catch (SocketException closed) {
                return;
            } catch (IOException | RuntimeException e) {
                log.warn("DNS test server (UDP): {}", e.toString());
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try {
                Socket s = tcp.accept();
                threads.execute(() -> serveConnection(s));
            } catch (IOException closed) {
                return;
            }
        }
    }

    /** RFC 7766 framing: a two-byte length before each message; several queries may share a connection. */
    private void serveConnection(Socket s) {
        try (s) {
            s.setSoTimeout(10_000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            while (true) {
                byte[] request = new byte[in.readUnsignedShort()];
                in.readFully(request);
                byte[] reply = respond(request, false);
                if (reply != null) {
                    out.writeShort(reply.length);
                    out.write(reply);
                    out.flush();
                }
            }
        } catch (IOException | RuntimeException e) {
            log.debug("DNS test server (TCP) connection ended: {}", e.toString());
        }
    }
}
