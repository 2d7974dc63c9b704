package io.stsdane.relay.dkim;

import io.stsdane.relay.core.queue.MessageIntake;

/** The queue's intake with DKIM signing in front of it (docs/dkim.md). Thread-safe. */
public interface DkimIntake extends MessageIntake {

    /**
     * Signs with {@code settings} from now on (a configuration reload: new keys, selectors, domains); messages
     * already being signed finish with the keys they began with.
     */
    void reload(DkimSettings settings);
}
