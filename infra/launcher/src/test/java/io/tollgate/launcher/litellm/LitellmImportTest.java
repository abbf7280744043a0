package io.tollgate.launcher.litellm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LitellmImportTest {
  @Test
  void optionsComeFromTheCommandLineOrLitellmsEnvironment() {
    LitellmImport.Options o = LitellmImport.parse(new String[] {"--dry-run"},
        Map.of("DATABASE_URL", "postgresql://u:pw@h:5432/litellm", "TOLLGATE_KAFKA", "k1:9092"));
    assertThat(o.dryRun()).isTrue();
    assertThat(o.bootstrapServers()).isEqualTo("k1:9092");
    assertThat(o.database().jdbcUrl()).isEqualTo("jdbc:postgresql://h:5432/litellm");
    LitellmImport.Options given = LitellmImport.parse(new String[] {"--database-url=postgresql://x@db/y",
        "--bootstrap-servers", "k2:9093"}, Map.of("DATABASE_URL", "postgresql://u:pw@h/litellm"));
    assertThat(given.database().jdbcUrl()).isEqualTo("jdbc:postgresql://db/y");
    assertThat(given.bootstrapServers()).isEqualTo("k2:9093");
    assertThat(given.dryRun()).isFalse();
    assertThat(LitellmImport.parse(new String[] {"--database-url", "postgresql://h/d"}, Map.of()).bootstrapServers())
        .isEqualTo("127.0.0.1:9092");
  }

  @Test
  void badOptionsAreAllReportedAndExitTwoWithoutEchoingValues() {
    assertThatThrownBy(() -> LitellmImport.parse(new String[] {"--bogus", "--bootstrap-servers"}, Map.of()))
        .hasMessageContaining("unknown option '--bogus'").hasMessageContaining("--bootstrap-servers needs a value")
        .hasMessageContaining("--database-url is required");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = LitellmImport.run(new String[] {"--database-url", "mysql://u:hunter2@h/db"}, Map.of(),
        Clock.systemUTC(), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(LitellmImport.USAGE);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("must start with postgresql://").doesNotContain("hunter2");
  }

  @Test
  void anUnreachableDatabaseIsAnErrorThatNamesItWithoutThePassword() {
    int port = io.tollgate.local.kafka.FreePorts.pick();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int status = LitellmImport.run(new String[] {"--database-url", "postgresql://u:hunter2@127.0.0.1:" + port + "/db",
        "--dry-run"}, Map.of(), Clock.systemUTC(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(status).isEqualTo(LitellmImport.ERROR);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot read the LiteLLM database", "127.0.0.1:" + port)
        .doesNotContain("hunter2");
    assertThat(out.toString(StandardCharsets.UTF_8)).doesNotContain("hunter2");
  }

  @Test
  void theProducerIsAcksAllAndIdempotentAndRefusesPropertiesThatWouldChangeThat() {
    Map<String, Object> config = new TopicWriter("k:9092", Map.of("security.protocol", "SSL")).producerConfig();
    assertThat(config).containsEntry("acks", "all").containsEntry("enable.idempotence", true)
        .containsEntry("security.protocol", "SSL").containsEntry("bootstrap.servers", "k:9092");
    assertThatThrownBy(() -> new TopicWriter("k:9092", Map.of("acks", "1")).producerConfig())
        .hasMessageContaining("acks");
  }

  @Test
  void shortHashShowsEightHexDigitsAtMost() {
    assertThat(LitellmImport.shortHash("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"))
        .isEqualTo("01234567…");
    assertThat(LitellmImport.shortHash("abc")).isEqualTo("…");
    assertThat(LitellmImport.shortHash(null)).isEqualTo("(none)");
  }
}
