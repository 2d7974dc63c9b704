package io.stsdane.relay.dns.internal;

import java.util.function.Function;
import org.xbill.DNS.Record;
import org.xbill.DNS.Type;

/**
 * One kind of question the resolver asks: a DNS record type and how its records are read into the relay's type
 * {@code T}. Compared by identity, and half of the {@link AnswerCache} key: an answer read by one query is handed
 * out only to that query, never to another reader of the same DNS type. Each is a constant.
 *
 * @param <T> what one record becomes
 */
final class RecordQuery<T> {

    private final int type;
    private final Function<Record, T> reader;

    /** @param reader maps one record of {@code type} (and only of that type) */
    RecordQuery(int type, Function<Record, T> reader) {
        this.type = type;
        this.reader = reader;
    }

    int type() {
        return type;
    }

    Function<Record, T> reader() {
        return reader;
    }

    @Override
    public String toString() {
        return Type.string(type);
    }
}
