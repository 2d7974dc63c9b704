package io.stsdane.relay.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** A private server that survives a crash-like stop with its committed data. */
class PostgresServerTest {

    @Test
    void committedRowsSurviveAnImmediateStopTheServerComesBackOnTheSamePortAndCloseDeletesIt() throws Exception {
        Path dir;
        try (PostgresServer pg = PostgresServer.create()) {
            dir = pg.directory();
            try (Connection c = connect(pg); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE kept (n int)");
                s.execute("INSERT INTO kept VALUES (42)");
            }
            int port = pg.port();

            pg.stop();
            assertThat(pg.running()).isFalse();
            assertThatThrownBy(() -> connect(pg).close()).isInstanceOf(SQLException.class);

            pg.start();
            assertThat(pg.port()).isEqualTo(port);
            assertThat(pg.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + port + "/postgres");
            try (Connection c = connect(pg); Statement s = c.createStatement();
                    ResultSet r = s.executeQuery("SELECT n FROM kept")) {
                assertThat(r.next()).isTrue();
                assertThat(r.getInt(1)).isEqualTo(42);
            }
        }
        assertThat(dir).doesNotExist();
    }

    private static Connection connect(PostgresServer pg) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", PostgresServer.USER);
        p.setProperty("password", "anything: trust authentication");
        p.setProperty("connectTimeout", "5");
        return DriverManager.getConnection(pg.jdbcUrl(), p);
    }
}
