package io.tollgate.local.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tollgate.local.tls.SelfSignedCertificate;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseException;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client against a real ClickHouse over HTTPS (a certificate {@code keytool} makes for this
 * run) as a user with a password: DDL, a streaming insert and queries work with the CA
 * certificate and the credentials; without the CA certificate, or with a wrong password, nothing
 * does, and the password is in no message.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClickHouseHttpsIT {
  private static final String PASSWORD = "ch-" + UUID.randomUUID();
  @TempDir
  static Path dir;
  private static SelfSignedCertificate cert;
  private static LocalClickHouse server;

  @BeforeAll
  static void start() {
    cert = SelfSignedCertificate.generate(dir.resolve("tls"));
    server = LocalClickHouse.start(LocalClickHouse.Options.in(dir.resolve("clickhouse")).withTls(cert)
        .withUser("tollgate_sink", PASSWORD));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  private static ClickHouseSettings settings(String password, String rootCertificate) {
    return new ClickHouseSettings(server.httpsUrl(), "t_" + UUID.randomUUID().toString().replace("-", ""),
        "tollgate_sink", password, Duration.ofSeconds(20), rootCertificate, null);
  }

  @Test
  void ddlAStreamingInsertAndQueriesWorkOverHttpsWithCredentials() {
    ClickHouseClient ch = new ClickHouseClient(settings(PASSWORD, cert.certPem().toString()));
    ch.createDatabaseIfNotExists();
    try {
      ch.execute("CREATE TABLE t (id UInt64, customer String, ts DateTime) ENGINE = MergeTree ORDER BY id");
      long written = ch.insertRowBinary("t", List.of("id", "customer", "ts"), out -> {
        for (int i = 0; i < 1_000; i++) {
          out.writeUInt64(i);
          out.writeString("c-" + (i % 7));
          out.writeDateTime(Instant.parse("2026-12-01T00:00:00Z").plusSeconds(i));
        }
        return 1_000;
      });
      assertThat(written).isEqualTo(1_000);
      assertThat(ch.queryLong("SELECT count() FROM t")).isEqualTo(1_000);
      assertThat(ch.query("SELECT uniqExact(customer) AS n FROM t").get(0).get("n").toString()).isEqualTo("7");
    } finally {
      ch.dropDatabase();
    }
  }

  @Test
  void withoutTheCaCertificateOrWithAWrongPasswordNothingWorks() {
    assertThatThrownBy(() -> new ClickHouseClient(settings(PASSWORD, null)).queryLong("SELECT 1"))
        .as("the JVM's trust store does not know the certificate").isInstanceOf(ClickHouseException.class)
        .hasMessageNotContaining(PASSWORD);
    String wrong = "wrong-" + UUID.randomUUID();
    assertThatThrownBy(() -> new ClickHouseClient(settings(wrong, cert.certPem().toString())).queryLong("SELECT 1"))
        .isInstanceOf(ClickHouseException.class).hasMessageNotContaining(wrong);
    assertThatThrownBy(() -> new ClickHouseClient(new ClickHouseSettings(server.httpsUrl(), "default", "tollgate_sink",
        "", Duration.ofSeconds(20), cert.certPem().toString(), null)).queryLong("SELECT 1"))
        .as("no password").isInstanceOf(ClickHouseException.class);
  }
}
