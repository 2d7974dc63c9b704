package io.stsdane.relay.core.util;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** The failure inside the wrappers that asynchronous stages put around it. Stateless and thread-safe. */
public final class Throwables {

    private Throwables() {
    }

    /**
     * The innermost failure worth showing: past {@link CompletionException} and {@link ExecutionException}, bare
     * {@link RuntimeException} wrappers, and causes without a message.
     */
    public static Throwable unwrap(Throwable e) {
        Throwable t = e;
        while ((t instanceof CompletionException || t instanceof ExecutionException
                || t.getClass() == RuntimeException.class || t.getMessage() == null) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The message of {@link #unwrap}'s answer, or its class and nothing else when it has none. */
    public static String rootMessage(Throwable e) {
        Throwable t = unwrap(e);
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
