package io.stsdane.relay.core.util;

import java.time.Duration;
import java.util.Objects;

/**
 * Argument checks of the modules' option values, in the manner of {@link Objects#requireNonNull}: each returns
 * its argument, and a failure names the Java parameter (the configuration layer maps it to its key).
 */
public final class Require {

    private Require() {
    }

    /**
     * @throws NullPointerException when {@code d} is null
     * @throws IllegalArgumentException when {@code d} is zero or negative
     */
    public static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, was " + d);
        }
        return d;
    }

    /** @throws IllegalArgumentException when {@code n} is zero or negative */
    public static long positive(long n, String name) {
        if (n <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + n);
        }
        return n;
    }

    /** @throws IllegalArgumentException when {@code n} is zero or negative */
    public static int positive(int n, String name) {
        return (int) positive((long) n, name);
    }
}
