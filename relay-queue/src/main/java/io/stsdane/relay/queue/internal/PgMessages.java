package io.stsdane.relay.queue.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import io.stsdane.relay.core.queue.Envelope;
import io.stsdane.relay.core.queue.QueueId;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rows of {@code queue_message} and {@code queue_recipient} to and from {@link StoredMessage}s. Envelopes and
 * attempt histories are JSON (the same mapping as the file spool); everything the scheduler or an operator
 * queries on has a column of its own. Stateless; every method runs on the connection it is given.
 */
final class PgMessages {

    private static final TypeReference<List<Attempt>> HISTORY = new TypeReference<>() { };

    private PgMessages() {
    }

    /**
     * A message about to be inserted: its id, envelope and whole content (at most one chunk, {@link PgContent#CHUNK}
     * bytes), or null content when it is streamed in afterwards ({@link PgContent#write}; size 0 until
     * {@link #setSize}).
     */
    record NewMessage(QueueId id, Envelope envelope, byte[] content) {

        NewMessage {
            if (content != null && content.length > PgContent.CHUNK) {
                throw new IllegalArgumentException(id + " does not fit in one chunk");
            }
        }

        long size() {
            return content == null ? 0 : content.length;
        }
    }

    /**
     * Inserts the rows of {@code messages} (message, recipients and content held whole; empty content has no
     * chunk) in one statement whatever their number, each column bound as one array: a group of accepted
     * messages costs one statement and one round trip.
     */
    static void insert(Connection c, List<NewMessage> messages, String acceptedBy) throws SQLException {
        Columns m = new Columns(4);
        Columns r = new Columns(13);
        Columns content = new Columns(2);
        for (NewMessage n : messages) {
            Envelope env = n.envelope();
            String received = timestamp(env.receivedAt());
            m.add(n.id().value(), json(env), received, n.size());
            MessageState state = MessageState.initial(env.recipients().size(), env.receivedAt());
            for (int i = 0; i < state.recipients().size(); i++) {
                r.add(n.id().value(), i, env.recipients().get(i).address());
                r.add(3, recipientState(state.recipients().get(i)));
            }
            if (n.content() != null && n.content().length > 0) {
                content.add(n.id().value(), n.content());
            }
        }
        try (PreparedStatement ps = c.prepareStatement("WITH m AS (INSERT INTO queue_message (id, envelope, "
                + "received_at, size, next_due, accepted_by) SELECT id, envelope, received_at, size, received_at, ? "
                + "FROM unnest(?::text[], ?::jsonb[], ?::timestamptz[], ?::bigint[]) AS x(id, envelope, received_at, "
                + "size)), r AS (INSERT INTO queue_recipient (message_id, idx, address, status, attempts, "
                + "next_attempt, last_attempt, last_status, last_diagnostic, remote_mta, report, delay_warned, "
                + "history) SELECT * FROM unnest(?::text[], ?::int[], ?::text[], ?::text[], ?::int[], "
                + "?::timestamptz[], ?::timestamptz[], ?::text[], ?::text[], ?::text[], ?::text[], ?::boolean[], "
                + "?::jsonb[])) INSERT INTO queue_content (message_id, seq, data) SELECT id, 0, data "
                + "FROM unnest(?::text[], ?::bytea[]) AS x(id, data)")) {
            ps.setString(1, acceptedBy);
            int p = m.bind(c, ps, 2, "text", "text", "text", "int8");
            p = r.bind(c, ps, p, "text", "int4", "text");
            p = r.bind(c, ps, p, 3, RECIPIENT_STATE_TYPES);
            content.bind(c, ps, p, "text", "bytea");
            ps.executeUpdate();
        }
    }

    /**
     * Values collected by column, to bind each column as one array parameter ({@code unnest}). Times go as text
     * ({@link #timestamp}) and JSON as text, cast in the statement.
     */
    private static final class Columns {
        private final List<List<Object>> columns = new ArrayList<>();

        Columns(int n) {
            for (int i = 0; i < n; i++) {
                columns.add(new ArrayList<>());
            }
        }

        void add(Object... row) {
            add(0, row);
        }

        /** Adds {@code values} to the columns from {@code first} on. */
        void add(int first, Object... values) {
            for (int i = 0; i < values.length; i++) {
                columns.get(first + i).add(values[i]);
            }
        }

        /**
         * Binds column i as an array of {@code types[i]} ({@code text}, {@code int4}, {@code int8}, {@code bool}
         * or {@code bytea}) at parameter {@code p + i}; returns the next index. The driver encodes an array by
         * its Java element type, so each goes as one.
         */
        int bind(Connection c, PreparedStatement ps, int p, String... types) throws SQLException {
            return bind(c, ps, p, 0, types);
        }

        /** {@link #bind} of the columns from {@code first} on. */
        int bind(Connection c, PreparedStatement ps, int p, int first, String... types) throws SQLException {
            for (int i = 0; i < types.length; i++) {
                List<Object> values = columns.get(first + i);
                Object[] typed = switch (types[i]) {
                    case "text" -> values.toArray(new String[0]);
                    case "int4" -> values.toArray(new Integer[0]);
                    case "int8" -> values.toArray(new Long[0]);
                    case "bool" -> values.toArray(new Boolean[0]);
                    case "bytea" -> values.toArray(new byte[0][]);
                    default -> throw new IllegalArgumentException("no array binding for " + types[i]);
                };
                ps.setArray(p + i, c.createArrayOf(types[i], typed));
            }
            return p + types.length;
        }
    }

    /** An instant as PostgreSQL reads a {@code timestamptz} (ISO 8601, UTC), or null. */
    private static String timestamp(Instant t) {
        return t == null ? null : t.toString();
    }

    static void setSize(Connection c, QueueId id, long size) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE queue_message SET size = ? WHERE id = ?")) {
            ps.setLong(1, size);
            ps.setString(2, id.value());
            ps.executeUpdate();
        }
    }

    /**
     * Deletes messages with nothing left to do that nobody holds: the scheduler removes a message as soon as
     * it is finished, but when that removal fails (database gone at that moment) nothing would ever lease
     * the message again to retry it. Returns how many went. Quarantined messages are never deleted.
     */
    static int deleteFinished(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM queue_message WHERE next_due IS NULL "
                + "AND quarantined_at IS NULL AND (lease_until IS NULL OR lease_until < clock_timestamp())")) {
            return ps.executeUpdate();
        }
    }

    /** Runs {@code ps} and collects the queue ids of its first column. */
    static List<QueueId> ids(PreparedStatement ps) throws SQLException {
        List<QueueId> ids = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(new QueueId(rs.getString(1)));
            }
        }
        return ids;
    }

    /** Clears the lease of {@code id} if {@code owner} holds it (never another node's); false when it did not. */
    static boolean releaseLease(Connection c, QueueId id, String owner) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("UPDATE queue_message SET lease_owner = NULL, "
                + "lease_until = NULL WHERE id = ? AND lease_owner = ?")) {
            ps.setString(1, id.value());
            ps.setString(2, owner);
            return ps.executeUpdate() > 0;
        }
    }

    /** Deletes a message with its recipients and content (V5's trigger); false when it was not there. */
    static boolean delete(Connection c, QueueId id) throws SQLException {
        return deleteAll(c, List.of(id)) > 0;
    }

    /** {@link #delete} of many messages in one statement; returns how many were there. */
    static int deleteAll(Connection c, List<QueueId> ids) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM queue_message WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("text", ids.stream().map(QueueId::value).toArray()));
            return ps.executeUpdate();
        }
    }

    /**
     * What {@link #loadAll} read for one queued message: the message, or why its rows do not read back. Kept
     * apart per message so that one bad row in a batch does not hide the others.
     */
    record Loaded(QueueId id, StoredMessage message, UnreadableRowException unreadable) {

        /** The message; throws {@link UnreadableRowException} when its rows did not read back. */
        StoredMessage get() {
            if (unreadable != null) {
                throw unreadable;
            }
            return message;
        }
    }

    /**
     * Envelope, size and state of {@code id}; with {@code lock}, the row stays locked until commit. Empty when
     * it is not queued or is quarantined; throws {@link UnreadableRowException} when its rows do not read back
     * as a message.
     */
    static Optional<StoredMessage> load(Connection c, QueueId id, boolean lock) throws SQLException {
        List<Loaded> loaded = loadAll(c, List.of(id), lock);
        return loaded.isEmpty() ? Optional.empty() : Optional.of(loaded.get(0).get());
    }

    /**
     * {@link #load} of many messages in one query (their {@code queue_message} rows joined with their
     * recipients), whatever their number: a leased batch or a state update costs one round trip. In the order
     * of {@code ids}; ids not queued or quarantined are left out.
     */
    static List<Loaded> loadAll(Connection c, List<QueueId> ids, boolean lock) throws SQLException {
        Map<String, Row> rows = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT m.id, m.envelope, m.size, m.held, m.report_due, r.idx, "
                + "r.status, r.attempts, r.next_attempt, r.last_attempt, r.last_status, r.last_diagnostic, "
                + "r.remote_mta, r.report, r.delay_warned, r.history FROM queue_message m "
                + "LEFT JOIN queue_recipient r ON r.message_id = m.id AND r.message_id = ANY (?) "
                + "WHERE m.id = ANY (?) AND m.quarantined_at IS NULL ORDER BY m.id, r.idx"
                + (lock ? " FOR UPDATE OF m" : ""))) {
            // The ids bound on both sides: recipients are looked up in their primary key whatever the statistics
            // say (joined on m.id alone, a planner whose statistics lagged behind a fast-growing queue read all of
            // queue_recipient for every batch).
            Array array = c.createArrayOf("text", ids.stream().map(QueueId::value).toArray());
            ps.setArray(1, array);
            ps.setArray(2, array);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Row row = rows.get(rs.getString(1));
                    if (row == null) { // the first of its rows: the message columns
                        row = new Row(new QueueId(rs.getString(1)));
                        rows.put(row.id.value(), row);
                        try {
                            row.env = parse(row.id, rs.getString(2), Envelope.class);
                        } catch (UnreadableRowException e) {
                            row.unreadable = e;
                        }
                        row.size = rs.getLong(3);
                        row.held = rs.getBoolean(4);
                        row.reportDue = instant(rs, 5);
                    }
                    rs.getInt(6);
                    if (!rs.wasNull() && row.unreadable == null) { // null: no recipient row at all
                        try {
                            row.recipients.add(recipient(row.id, row.recipients.size(), rs));
                        } catch (UnreadableRowException e) {
                            row.unreadable = e;
                        }
                    }
                }
            }
        }
        List<Loaded> out = new ArrayList<>(rows.size());
        for (QueueId id : ids) {
            Row row = rows.remove(id.value());
            if (row != null) {
                out.add(row.toLoaded());
            }
        }
        return out;
    }

    /** One message while {@link #loadAll} reads its rows. */
    private static final class Row {
        final QueueId id;
        final List<RecipientState> recipients = new ArrayList<>();
        Envelope env;
        long size;
        boolean held;
        Instant reportDue;
        UnreadableRowException unreadable;

        Row(QueueId id) {
            this.id = id;
        }

        Loaded toLoaded() {
            if (unreadable == null && recipients.size() != env.recipients().size()) {
                unreadable = new UnreadableRowException(id, recipients.size() + " queue_recipient rows for "
                        + env.recipients().size() + " envelope recipients");
            }
            return unreadable != null ? new Loaded(id, null, unreadable)
                    : new Loaded(id, new StoredMessage(id, env, size, new MessageState(held, recipients, reportDue)),
                            null);
        }
    }

    /** The recipient at the cursor of {@link #loadAll}'s query (its columns start at 7). */
    private static RecipientState recipient(QueueId id, int idx, ResultSet rs) throws SQLException {
        RecipientState r;
        try {
            r = new RecipientState(RecipientState.Status.valueOf(rs.getString(7)), rs.getInt(8), instant(rs, 9),
                    instant(rs, 10), rs.getString(11), rs.getString(12), rs.getString(13),
                    RecipientState.Report.valueOf(rs.getString(14)), rs.getBoolean(15), parse(id, rs.getString(16),
                    HISTORY));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new UnreadableRowException(id, "queue_recipient " + idx + ": " + e.getMessage(), e);
        }
        if (!r.isFinal() && r.nextAttempt() == null) {
            // The scheduler could never tell when it is due.
            throw new UnreadableRowException(id, "queue_recipient " + idx + ": pending without next_attempt");
        }
        return r;
    }

    /** A new state of message {@code id} to write over the one it had, {@code before}. */
    record StateWrite(QueueId id, MessageState before, MessageState next) {
    }

    /** Writes {@code next} over {@code before}: the message row and only the recipients that changed. */
    static void store(Connection c, QueueId id, MessageState before, MessageState next) throws SQLException {
        storeAll(c, List.of(new StateWrite(id, before, next)));
    }

    /** {@link #store} of many messages: one batch of each kind of row, whatever their number. */
    static void storeAll(Connection c, List<StateWrite> writes) throws SQLException {
        if (writes.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE queue_message SET held = ?, report_due = ?, next_due = ? WHERE id = ?")) {
            for (StateWrite w : writes) {
                ps.setBoolean(1, w.next().held());
                setTime(ps, 2, w.next().reportDue());
                setTime(ps, 3, w.next().nextDue().orElse(null));
                ps.setString(4, w.id().value());
                ps.addBatch();
            }
            ps.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE queue_recipient SET status = ?, attempts = ?, "
                + "next_attempt = ?::timestamptz, last_attempt = ?::timestamptz, last_status = ?, "
                + "last_diagnostic = ?, remote_mta = ?, report = ?, delay_warned = ?, history = ?::jsonb "
                + "WHERE message_id = ? AND idx = ?")) {
            boolean any = false;
            for (StateWrite w : writes) {
                List<RecipientState> next = w.next().recipients();
                for (int i = 0; i < next.size(); i++) {
                    if (!next.get(i).equals(w.before().recipients().get(i))) {
                        Object[] state = recipientState(next.get(i));
                        for (int v = 0; v < state.length; v++) {
                            ps.setObject(1 + v, state[v]);
                        }
                        ps.setString(state.length + 1, w.id().value());
                        ps.setInt(state.length + 2, i);
                        ps.addBatch();
                        any = true;
                    }
                }
            }
            if (any) {
                ps.executeBatch();
            }
        }
    }

    /** The array types of {@link #recipientState}'s values, for {@link Columns#bind}. */
    private static final String[] RECIPIENT_STATE_TYPES =
            {"text", "int4", "text", "text", "text", "text", "text", "text", "bool", "text"};

    /**
     * The values of a recipient's columns status, attempts, next_attempt, last_attempt, last_status,
     * last_diagnostic, remote_mta, report, delay_warned and history, in that order: for the intake's INSERT and the
     * state UPDATE alike. Times and the JSON history go as text, cast in the statements.
     */
    private static Object[] recipientState(RecipientState r) throws SQLException {
        return new Object[] {r.status().name(), r.attempts(), timestamp(r.nextAttempt()), timestamp(r.lastAttempt()),
                r.lastStatus(), r.lastDiagnostic(), r.remoteMta(), r.report().name(), r.delayWarned(),
                json(r.history())};
    }

    static void setTime(PreparedStatement ps, int p, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(p, Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(p, t.atOffset(ZoneOffset.UTC));
        }
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    private static String json(Object value) throws SQLException {
        try {
            return SpoolJson.MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new SQLException("cannot encode " + value.getClass().getSimpleName() + " as JSON", e);
        }
    }

    private static <T> T parse(QueueId id, String json, Class<T> type) {
        try {
            return SpoolJson.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new UnreadableRowException(id, "unreadable " + type.getSimpleName() + ": " + firstLine(e), e);
        }
    }

    private static <T> T parse(QueueId id, String json, TypeReference<T> type) {
        try {
            return SpoolJson.MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new UnreadableRowException(id, "unreadable attempt history: " + firstLine(e), e);
        }
    }

    /** Jackson's message without the source excerpt and location it appends on further lines. */
    private static String firstLine(JsonProcessingException e) {
        String m = e.getOriginalMessage();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse("");
    }
}
