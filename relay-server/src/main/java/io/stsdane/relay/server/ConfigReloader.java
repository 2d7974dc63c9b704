package io.stsdane.relay.server;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.joran.util.ConfigurationWatchListUtil;
import io.stsdane.relay.server.config.ConfigException;
import io.stsdane.relay.server.config.LoadedConfig;
import io.stsdane.relay.server.config.RelayConfig;
import io.stsdane.relay.server.config.ServerConfig;
import java.net.URL;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reloads the configuration of a running relay (SIGHUP): reads and validates it again; an invalid one is logged
 * and the running configuration kept. A valid one is put in force where that needs no restart ({@link LiveConfig}:
 * {@code policies}, {@code server.allowed-networks}, {@code server.auth.users-file}, {@code server.tls}), the
 * logging configuration file is read again, and the changes that need a restart are named in the log.
 * Thread-safe (reloads are serialized).
 */
public final class ConfigReloader {

    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    /** Reads and validates the configuration (file and environment). */
    @FunctionalInterface
    public interface Source {
        LoadedConfig load() throws ConfigException;
    }

    private final Source source;
    private final LiveConfig live;
    private RelayConfig current;

    public ConfigReloader(Source source, RelayConfig current, LiveConfig live) {
        this.source = source;
        this.current = current;
        this.live = live;
    }

    /** One reload; true when the new configuration is in force. Never throws. */
    public synchronized boolean reload() {
        RelayConfig next;
        try {
            next = source.load().config();
        } catch (ConfigException e) {
            log.error("Reload refused, the running configuration stays in force: configuration error: {}",
                    e.getMessage());
            return false;
        }
        List<String> reloaded;
        try {
            reloaded = new ArrayList<>(live.apply(next));
        } catch (RuntimeException e) {
            log.error("Reload refused, the running configuration stays in force: {}", e.getMessage());
            return false;
        }
        reloaded.add(reloadLogging());
        List<String> restart = needRestart(current, next);
        current = next;
        log.info("Configuration reloaded: {}{}", String.join(", ", reloaded), restart.isEmpty() ? ""
                : "; changed but only applied after a restart: " + String.join(", ", restart));
        return true;
    }

    /** The logging configuration read again from where logback first read it (levels, appenders). */
    private static String reloadLogging() {
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext lc)) {
            return "logging (not logback: unchanged)";
        }
        URL url = ConfigurationWatchListUtil.getMainWatchURL(lc);
        if (url == null) {
            return "logging (no configuration file: unchanged)";
        }
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(lc);
        lc.reset();
        try {
            configurator.doConfigure(url);
        } catch (JoranException e) {
            return "logging (" + url + " is invalid, logback's defaults apply: " + e.getMessage() + ")";
        }
        return "logging (" + url + ")";
    }

    /** The sections (or keys) that differ between {@code a} and {@code b} but are only read at start-up. */
    static List<String> needRestart(RelayConfig a, RelayConfig b) {
        List<String> out = new ArrayList<>();
        if (!withoutReloadable(a.server()).equals(withoutReloadable(b.server()))) {
            out.add("server (other than allowed-networks, auth.users-file, tls)");
        }
        compare(out, "spool", a.spool(), b.spool());
        compare(out, "dns", a.dns(), b.dns());
        compare(out, "delivery", a.delivery(), b.delivery());
        compare(out, "tls", a.tls(), b.tls());
        compare(out, "mta-sts", a.mtaSts(), b.mtaSts());
        compare(out, "admin", a.admin(), b.admin());
        compare(out, "tls-reporting", a.tlsReporting(), b.tlsReporting());
        if (a.dkim().isEmpty() != b.dkim().isEmpty()) {
            out.add("dkim (turning signing on or off)");
        }
        return out;
    }

    private static void compare(List<String> out, String name, Object a, Object b) {
        if (!a.equals(b)) {
            out.add(name);
        }
    }

    private static ServerConfig withoutReloadable(ServerConfig s) {
        return new ServerConfig(s.listen(), s.hostname(), List.of(), s.maxMessageSize(), s.maxRecipients(),
                java.util.Optional.empty(), new ServerConfig.Auth(java.util.Optional.empty(), s.auth().requireTls()),
                s.spfCheck(), s.drainTimeout(), s.limits());
    }
}
