package io.stsdane.relay.smtp.inbound.internal;

import io.stsdane.relay.core.net.Cidr;
import java.net.InetAddress;
import java.util.List;

/** A set of networks: those allowed to relay without AUTH, or those exempt from a limit. Immutable and thread-safe. */
public final class NetworkAcl {

    private final List<Cidr> networks;

    public NetworkAcl(List<Cidr> networks) {
        this.networks = List.copyOf(networks);
    }

    public boolean contains(InetAddress address) {
        return networks.stream().anyMatch(n -> n.contains(address));
    }
}
