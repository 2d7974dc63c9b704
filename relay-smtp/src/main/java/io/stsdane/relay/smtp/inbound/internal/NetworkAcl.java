package io.stsdane.relay.smtp.inbound.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** The networks allowed to relay without AUTH. Immutable and thread-safe. */
public final class NetworkAcl {

    // Only literal addresses: InetAddress.getByName must never trigger a DNS lookup for a config value.
    private static final Pattern LITERAL = Pattern.compile("[0-9.]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final List<Block> blocks;

    private NetworkAcl(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
    }

    /**
     * Parses CIDR blocks such as {@code 10.0.0.0/8}, {@code 2001:db8::/32} or a single address.
     *
     * @throws IllegalArgumentException naming the entry that is not a CIDR block
     */
    public static NetworkAcl parse(List<String> cidrs) {
        List<Block> blocks = new ArrayList<>();
        for (String cidr : cidrs) {
            blocks.add(Block.parse(cidr.trim()));
        }
        return new NetworkAcl(blocks);
    }

    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        for (Block b : blocks) {
            if (b.contains(a)) {
                return true;
            }
        }
        return false;
    }

    private record Block(byte[] network, int prefix) {

        static Block parse(String cidr) {
            int slash = cidr.indexOf('/');
            String host = slash < 0 ? cidr : cidr.substring(0, slash);
            if (!LITERAL.matcher(host).matches()) {
                throw invalid(cidr);
            }
            byte[] network;
            try {
                network = InetAddress.getByName(host).getAddress();
            } catch (UnknownHostException e) {
                throw invalid(cidr);
            }
            int bits = network.length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(cidr.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw invalid(cidr);
                }
                if (prefix < 0 || prefix > bits) {
                    throw invalid(cidr);
                }
            }
            return new Block(network, prefix);
        }

        private static IllegalArgumentException invalid(String cidr) {
            return new IllegalArgumentException("server.allowed-networks: '" + cidr
                    + "' is not a CIDR block (write 192.0.2.0/24, 2001:db8::/32 or a single address)");
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xFF << (8 - rest)) & 0xFF;
            return (address[full] & mask) == (network[full] & mask);
        }
    }
}
