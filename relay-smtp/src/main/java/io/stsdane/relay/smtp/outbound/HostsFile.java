package io.stsdane.relay.smtp.outbound;

import io.stsdane.relay.core.net.IpLiterals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The local hosts file ({@code /etc/hosts}) as the delivery engine reads it for the smart host, as every MTA
 * does for a configured next hop: a name listed there is not looked up in DNS. {@code localhost} always names the
 * loopback addresses (RFC 6761 §6.3), listed or not. MX host names never come from here: they come from DNS.
 *
 * <p>Read once, when built. Immutable and thread-safe.
 */
public final class HostsFile {

    /** The system's hosts file. */
    public static final Path SYSTEM = Path.of("/etc/hosts");

    private static final String LOCALHOST = "localhost";

    private final Map<String, List<InetAddress>> byName;

    private HostsFile(Map<String, List<InetAddress>> byName) {
        Map<String, List<InetAddress>> copy = new LinkedHashMap<>();
        byName.forEach((name, addresses) -> copy.put(name, List.copyOf(addresses)));
        this.byName = Map.copyOf(copy);
    }

    /** Parses hosts-file text: {@code address name [alias...]} per line, {@code #} starts a comment. */
    public static HostsFile parse(String text) {
        Map<String, List<InetAddress>> byName = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int hash = line.indexOf('#');
            String[] fields = (hash < 0 ? line : line.substring(0, hash)).trim().split("\\s+");
            if (fields.length < 2) {
                continue;
            }
            InetAddress address;
            try {
                address = IpLiterals.parse(fields[0].replaceFirst("%.*$", ""));
            } catch (IllegalArgumentException e) {
                continue; // not an address line: ignored, as the C library ignores it
            }
            for (int i = 1; i < fields.length; i++) {
                List<InetAddress> list = byName.computeIfAbsent(canonical(fields[i]), n -> new ArrayList<>());
                if (!list.contains(address)) {
                    list.add(address);
                }
            }
        }
        byName.computeIfAbsent(LOCALHOST, n -> new ArrayList<>(List.of(
                IpLiterals.parse("::1"), IpLiterals.parse("127.0.0.1"))));
        return new HostsFile(byName);
    }

    /** Reads {@code file}; a file that does not exist is an empty one (only {@code localhost}). */
    public static HostsFile read(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.ISO_8859_1));
        } catch (NoSuchFileException e) {
            return parse("");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The addresses listed for {@code name} (case-insensitive, without trailing dot), if it is listed. */
    public Optional<List<InetAddress>> lookup(String name) {
        List<InetAddress> found = byName.get(canonical(name));
        return Optional.ofNullable(found);
    }

    private static String canonical(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
