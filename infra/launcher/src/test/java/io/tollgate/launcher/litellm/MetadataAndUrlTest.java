package io.tollgate.launcher.litellm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class MetadataAndUrlTest {
  @Test
  void metadataBecomesASortedStringMapWithTagsTakenOut() {
    MetadataMap.Metadata m = MetadataMap.of("""
        {"team":"search","budget":12.5,"nested":{"a":[1,2]},"flag":true,"none":null,
         "tags":["prod","claude-code","prod"]}""", true);
    assertThat(m.entries()).containsExactly(
        java.util.Map.entry("budget", "12.5"), java.util.Map.entry("flag", "true"),
        java.util.Map.entry("nested", "{\"a\":[1,2]}"), java.util.Map.entry("team", "search"));
    assertThat(m.tags()).containsExactly("prod", "claude-code");
    assertThat(m.notes()).isEmpty();
    // On a team, tags stay an ordinary entry.
    assertThat(MetadataMap.of("{\"tags\":[\"x\"]}", false).entries()).containsEntry("tags", "[\"x\"]");
  }

  @Test
  void entriesThatMayHoldCredentialsAreLeftOutByName() {
    MetadataMap.Metadata m = MetadataMap.of("""
        {"logging":[{"callback_name":"langfuse","callback_vars":{"langfuse_secret_key":"sk-lf-SECRET"}}],
         "OpenAI_API_Key":"sk-SECRET","slack_webhook_token":"xoxb-SECRET","owner":"ana"}""", true);
    assertThat(m.entries()).containsOnlyKeys("owner");
    assertThat(m.notes()).hasSize(3).allSatisfy(n -> assertThat(n).contains("may hold credentials").doesNotContain("SECRET"));
  }

  @Test
  void metadataIsCapped() {
    StringBuilder json = new StringBuilder("{");
    for (int i = 0; i < 100; i++) {
      json.append(i == 0 ? "" : ",").append("\"k").append(String.format("%03d", i)).append("\":").append(i);
    }
    json.append(",\"long\":\"").append("x".repeat(2000)).append("\"}");
    MetadataMap.Metadata m = MetadataMap.of(json.toString(), true);
    assertThat(m.entries()).hasSize(MetadataMap.MAX_ENTRIES).containsKey("k000").doesNotContainKey("long");
    assertThat(m.notes()).anyMatch(n -> n.contains("'long'") && n.contains("longer than 1024"))
        .anyMatch(n -> n.contains("more than 64 entries"));
    assertThat(MetadataMap.of("[1,2]", true).notes()).containsExactly("metadata is not a JSON object; left out");
    assertThat(MetadataMap.of("{nope", true).notes()).containsExactly("metadata is not valid JSON; left out");
    assertThat(MetadataMap.of(null, true).entries()).isEmpty();
  }

  @Test
  void litellmDatabaseUrlBecomesJdbcWithTheCredentialsAsProperties() {
    DatabaseUrl u = DatabaseUrl.parse("postgresql://llmproxy:dbpass%40word@db.internal:5433/litellm?schema=proxy&connection_limit=5&sslmode=require");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://db.internal:5433/litellm");
    Properties p = u.properties();
    assertThat(p.getProperty("user")).isEqualTo("llmproxy");
    assertThat(p.getProperty("password")).isEqualTo("dbpass@word");
    assertThat(p.getProperty("currentSchema")).isEqualTo("proxy");
    assertThat(p.getProperty("sslmode")).isEqualTo("require");
    assertThat(p.getProperty("readOnly")).isEqualTo("true");
    assertThat(p).doesNotContainKeys("schema", "connection_limit");
    assertThat(u.redacted()).doesNotContain("dbpass").contains("db.internal:5433/litellm", "llmproxy");
    assertThat(u.toString()).doesNotContain("dbpass");
  }

  @Test
  void unencodedSpecialCharactersInThePasswordStillSplitAtTheHost() {
    DatabaseUrl u = DatabaseUrl.parse("postgres://u:p@ss:w/rd+x@127.0.0.1/db");
    assertThat(u.password()).isEqualTo("p@ss:w/rd+x");
    assertThat(u.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1/db");
    assertThat(DatabaseUrl.parse("jdbc:postgresql://h:1/x").user()).isNull();
    assertThat(DatabaseUrl.parse("postgresql://ana@h").database()).isEqualTo("ana");
  }

  @Test
  void otherSchemesAreRefusedWithoutEchoingTheUrl() {
    assertThatThrownBy(() -> DatabaseUrl.parse("mysql://u:topsecret@h/db"))
        .hasMessageContaining("postgresql://").hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> DatabaseUrl.parse("postgresql://u:topsecret@/db"))
        .hasMessageContaining("no host").hasMessageNotContaining("topsecret");
    assertThatThrownBy(() -> DatabaseUrl.parse(" ")).hasMessageContaining("empty");
  }
}
