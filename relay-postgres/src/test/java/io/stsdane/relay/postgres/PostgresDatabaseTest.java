package io.stsdane.relay.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stsdane.relay.testkit.postgres.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PostgresDatabaseTest {

    @RegisterExtension
    final TestDatabase testDb = new TestDatabase();

    private final PostgresDatabase db = open(testDb.url(), 2);

    @AfterEach
    void close() {
        db.close();
    }

    private PostgresDatabase open(String url, int pool) {
        return new PostgresDatabase(PostgresOptions.of(url, testDb.user(), testDb.password(), testDb.schema(), pool,
                Duration.ofSeconds(2), "relay-postgres-test"));
    }

    @Test
    void migrationsCreateTheSchemaAndTwoSetsOfTablesShareItInEitherOrder() throws SQLException {
        db.migrate("classpath:db/migration/pgtest-tags", "tags_schema_history");
        db.migrate("classpath:db/migration/pgtest-notes", "notes_schema_history");
        db.migrate("classpath:db/migration/pgtest-notes", "notes_schema_history"); // again: nothing to do

        assertThat(testDb.count("SELECT count(*) FROM note")).isZero();
        assertThat(testDb.count("SELECT count(*) FROM tag")).isZero();
        assertThat(testDb.count("SELECT count(*) FROM notes_schema_history WHERE success AND version = '1'"))
                .isEqualTo(1);
    }

    @Test
    void aTransactionCommitsWhenItsWorkReturns() throws SQLException {
        db.migrate("classpath:db/migration/pgtest-notes", "notes_schema_history");

        int inserted = db.inTransaction(c -> insert(c, 1));

        assertThat(inserted).isEqualTo(1);
        assertThat(testDb.count("SELECT count(*) FROM note")).isEqualTo(1);
    }

    @Test
    void aCheckedExceptionOfTheWorkRollsBackAndReachesTheCallerAsItIs() throws SQLException {
        db.migrate("classpath:db/migration/pgtest-notes", "notes_schema_history");
        IOException own = new IOException("client went away");

        assertThatThrownBy(() -> db.inTransaction(c -> {
            insert(c, 1);
            throw own;
        })).isSameAs(own);
        assertThatThrownBy(() -> db.inTransaction(c -> insert(c, 1) + insert(c, 1)))
                .isInstanceOf(SQLException.class); // the duplicate key: the first insert goes too

        assertThat(testDb.count("SELECT count(*) FROM note")).isZero();
    }

    @Test
    void workNestedOnTheSameThreadJoinsTheOuterTransactionAndGoesWithIt() throws SQLException {
        db.migrate("classpath:db/migration/pgtest-notes", "notes_schema_history");

        assertThatThrownBy(() -> db.inTransaction(outer -> {
            insert(outer, 1);
            assertThat(db.nested()).isTrue();
            db.inTransaction(inner -> {
                assertThat(inner).isSameAs(outer);
                return insert(inner, 2);
            });
            throw new IllegalStateException("the outer work fails after the nested one returned");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(db.nested()).isFalse();
        assertThat(testDb.count("SELECT count(*) FROM note")).isZero();
    }

    @Test
    void anotherDatabaseOnTheSameThreadRunsATransactionOfItsOwn() throws SQLException {
        db.migrate("classpath:db/migration/pgtest-notes", "notes_schema_history");
        try (PostgresDatabase other = open(testDb.url(), 1)) {
            db.inTransaction(c -> {
                insert(c, 1);
                assertThat(other.nested()).isFalse();
                return other.inTransaction(o -> insert(o, 2)); // a connection and a commit of its own
            });
            assertThatThrownBy(() -> db.inTransaction(c -> {
                insert(c, 3);
                other.inTransaction(o -> insert(o, 4));
                throw new IllegalStateException("only this database's work is rolled back");
            })).isInstanceOf(IllegalStateException.class);
        }

        assertThat(testDb.count("SELECT count(*) FROM note")).isEqualTo(3);
        assertThat(testDb.count("SELECT count(*) FROM note WHERE id = 3")).isZero();
    }

    @Test
    void aPoolOnADatabaseThatIsDownStartsAndItsCallsFailUntilItIsThere() throws IOException {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        try (PostgresDatabase down = open(testDb.urlVia(closedPort), 1)) {
            assertThatThrownBy(down::ping).isInstanceOf(SQLException.class);
            assertThatThrownBy(() -> down.inTransaction(c -> insert(c, 1))).isInstanceOf(SQLException.class);
        }
    }

    private static int insert(Connection c, int id) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO note (id, body) VALUES (?, 'x')")) {
            ps.setInt(1, id);
            return ps.executeUpdate();
        }
    }
}
