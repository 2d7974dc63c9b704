package io.stsdane.relay.dkim;

import io.micrometer.core.instrument.MeterRegistry;
import io.stsdane.relay.core.queue.MessageIntake;
import io.stsdane.relay.dkim.internal.SigningIntake;
import java.nio.file.Path;
import java.time.Clock;

/** Puts DKIM signing in front of the queue. */
public final class DkimSigning {

    private DkimSigning() {
    }

    /**
     * An intake that signs what {@code settings} says and hands every message on to {@code queue}; registers the
     * DKIM meters of every configured domain in {@code registry} at once.
     *
     * @param spillDir where message bodies wait, unlinked, while their hash is computed: a directory on the
     *     spool's disk (never a RAM file system: a body is as large as the size limit allows)
     */
    public static DkimIntake intake(MessageIntake queue, DkimSettings settings, Path spillDir, Clock clock,
            MeterRegistry registry) {
        return new SigningIntake(queue, settings, spillDir, clock, registry);
    }
}
