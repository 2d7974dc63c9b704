package io.stsdane.relay.testkit.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** One server per JVM, a schema per instance, dropped on close. */
class TestDatabaseTest {

    @Test
    void instancesShareTheServerButNotTheirSchemaWhichCloseDrops() throws Exception {
        try (TestDatabase a = new TestDatabase(); TestDatabase b = new TestDatabase()) {
            assertThat(a.url()).isEqualTo(b.url()).startsWith("jdbc:postgresql://");
            assertThat(a.schema()).isNotEqualTo(b.schema()).matches("t_[0-9a-f]{16}");

            a.execute("CREATE SCHEMA " + a.schema());
            a.execute("CREATE TABLE kept (n int)");
            assertThat(a.execute("INSERT INTO kept VALUES (?), (?)", 1, 2)).isEqualTo(2);
            assertThat(a.count("SELECT count(*) FROM kept")).isEqualTo(2);
            assertThat(a.string("SELECT max(n) FROM kept")).isEqualTo("2");
            assertThat(b.queryOne("SELECT to_regclass('kept')")).as("b's search path is its own schema").isNull();

            a.close();
            assertThat(b.queryOne("SELECT count(*) FROM information_schema.schemata WHERE schema_name = '"
                    + a.schema() + "'")).isEqualTo(0L);
        }
    }
}
