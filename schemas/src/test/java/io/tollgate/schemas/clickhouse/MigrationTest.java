package io.tollgate.schemas.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MigrationTest {

  @Test
  void shippedMigrationsAreNumberedAndSplitIntoStatements() {
    List<Migration> migrations = Migration.load(getClass().getClassLoader(), ClickHouseMigrations.ROOT);
    assertThat(migrations).isNotEmpty();
    assertThat(migrations.get(0).name()).isEqualTo("001_initial.sql");
    assertThat(migrations.get(0).statements()).hasSize(5)
        .anySatisfy(s -> assertThat(s).isEqualTo("CREATE TABLE IF NOT EXISTS spend_1d AS spend_1m"))
        .allSatisfy(s -> assertThat(s).startsWith("CREATE TABLE IF NOT EXISTS").doesNotContain("--").doesNotEndWith(";"));
    assertThat(migrations.get(0).checksum()).hasSize(64);
  }

  @Test
  void splitsOnSemicolonsAtLineEndsAndDropsComments() {
    List<String> statements = Migration.split("""
        -- a comment; with a semicolon
        CREATE TABLE a (x String DEFAULT 'a;b')
        ENGINE = Memory;

        -- another
        INSERT INTO a VALUES ('1');
        SELECT 1
        """);
    assertThat(statements).containsExactly(
        "CREATE TABLE a (x String DEFAULT 'a;b')\nENGINE = Memory",
        "INSERT INTO a VALUES ('1')",
        "SELECT 1");
  }

  @Test
  void checksumIgnoresLineEndingsButNotContent() {
    Migration unix = Migration.parse(1, "001_x.sql", "CREATE TABLE a (x String);\n");
    Migration windows = Migration.parse(1, "001_x.sql", "CREATE TABLE a (x String);\r\n");
    Migration edited = Migration.parse(1, "001_x.sql", "CREATE TABLE a (y String);\n");
    assertThat(unix.checksum()).isEqualTo(windows.checksum()).isNotEqualTo(edited.checksum());
  }
}
