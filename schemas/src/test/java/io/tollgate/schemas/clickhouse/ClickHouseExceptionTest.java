package io.tollgate.schemas.clickhouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class ClickHouseExceptionTest {

  @Test
  void serverSideOverloadIsRetryable() {
    for (int code : new int[] {252, 241, 202, 159, 319, 210, 209}) {
      ClickHouseException e = ClickHouseException.from("insert", new SQLException("busy", "", code), "");
      assertThat(e.isRetryable()).as("code %d", code).isTrue();
      assertThat(e.code()).isEqualTo(code);
      assertThat(e).hasMessageEndingWith("(retry may help)");
    }
  }

  @Test
  void wrongRequestsAreNotRetryable() {
    for (int code : new int[] {62, 60, 47, 16, 53, 57, 81}) {
      ClickHouseException e = ClickHouseException.from("query", new SQLException("bad", "", code), "");
      assertThat(e.isRetryable()).as("code %d", code).isFalse();
      assertThat(e).hasMessageEndingWith("(retry will not help)");
    }
  }

  @Test
  void transportFailuresAreRetryableWhereverTheyHideInTheCauseChain() {
    SQLException refused = new SQLException("wrapper", new ConnectException("Connection refused"));
    assertThat(ClickHouseException.from("query", refused, "").isRetryable()).isTrue();
    SQLException timeout = new SQLException("wrapper", new SocketTimeoutException("Read timed out"));
    assertThat(ClickHouseException.from("query", timeout, "").isRetryable()).isTrue();
  }

  @Test
  void thePasswordNeverAppears() {
    ClickHouseException e = ClickHouseException.from("query",
        new SQLException("Authentication failed: password hunter2 is incorrect", "", 516), "hunter2");
    assertThat(e).hasMessageNotContaining("hunter2").hasMessageContaining("****");
    ClickHouseSettings settings = new ClickHouseSettings("http://h:8123", "db", "u", "hunter2", null);
    assertThat(settings.toString()).doesNotContain("hunter2").contains("****");
    assertThat(new ClickHouseClient(settings).toString()).doesNotContain("hunter2");
  }

  @Test
  void settingsRejectNonsense() {
    assertThatThrownBy(() -> ClickHouseSettings.of("127.0.0.1:8123", "db"))
        .hasMessageContaining("http://host:8123");
    assertThatThrownBy(() -> ClickHouseSettings.of("http://h:8123", "drop table;"))
        .hasMessageContaining("identifier");
  }
}
