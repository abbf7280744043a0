package io.tollgate.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.local.kafka.FreePorts;
import io.tollgate.local.process.ChildJvm;
import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./tollgate run --demo-minutes 1} as a child process (the launcher's own stack: Kafka,
 * ClickHouse, aggregator, alerting, mock provider, gateway), and every page of the web UI in a
 * real browser shows data of the demo: usage by customer, team, tag and key, customers, a customer's page, coding
 * tools, logs, the demo team's key, the demo team and budgeted customers, and the spike's alert.
 * Screenshots {@code demo-<page>-1280.png} / {@code -phone.png} in {@code target/ui-screenshots}.
 * Skipped, saying why, without chromium.
 */
class DemoUiIT {

  @Test
  @Timeout(value = 300, unit = TimeUnit.SECONDS)
  void everyPageShowsTheDemosData(@TempDir Path home) throws Exception {
    Browser.assumeInstalled();
    int chPort = FreePorts.pick();
    int gatewayPort = FreePorts.pick();
    List<String> args = List.of("--home", home.toString(), "--kafka-port", Integer.toString(FreePorts.pick()),
        "--clickhouse-port", Integer.toString(chPort), "--clickhouse-tcp-port", Integer.toString(FreePorts.pick()),
        "--mock-port", Integer.toString(FreePorts.pick()), "--port", Integer.toString(gatewayPort), "--demo-minutes", "1");
    String classpath = System.getProperty("tollgate.launcher.jar") + java.io.File.pathSeparator
        + Files.readString(Path.of(System.getProperty("tollgate.launcher.classpath"))).strip();
    List<String> cmd = new ArrayList<>(ChildJvm.javaCommand("768m"));
    cmd.addAll(List.of("-cp", classpath, Main.class.getName()));
    cmd.addAll(args);
    // No SLACK_WEBHOOK_URL: the demo's alerts go to its local webhook (a free port when 4011 is taken).
    ChildJvm.Started started = ChildJvm.start(cmd, java.util.Map.of(), Main.READY_LINE, Duration.ofSeconds(150),
        line -> System.out.println("[demo] " + line));
    Process launcher = started.process();
    try {
      String master = Files.readString(home.resolve(MasterKey.FILE)).strip();
      ClickHouseClient ch = new ClickHouseClient(ClickHouseSettings.of("http://127.0.0.1:" + chPort, "tollgate"));
      // Each page reads its data once as it opens: first wait until the demo put it there.
      WebUiIT.waitFor(Duration.ofSeconds(120), "the demo's calls in the day windows",
          () -> ch.queryLong("SELECT count() FROM spend_1d") > 0);
      WebUiIT.waitFor(Duration.ofSeconds(60), "the spike's alert in the alerts table",
          () -> ch.queryLong("SELECT count() FROM alerts WHERE scope_id = '" + DemoTraffic.SPIKE_CUSTOMER + "'") > 0);

      try (Browser b = Browser.start("http://127.0.0.1:" + gatewayPort)) {
        b.signIn(master);
        b.open("usage");
        assertThat(b.find("#total-requests").getText()).isNotEqualTo("0");
        assertThat(b.attributes("#by-customer tbody tr[data-name]", "data-name")).contains(DemoTraffic.SPIKE_CUSTOMER);
        // The gateway does not yet put a key's team on its usage events: the calls show under "(none)".
        assertThat(b.attributes("#by-team tbody tr[data-name]", "data-name")).isNotEmpty();
        assertThat(b.attributes("#by-tag tbody tr[data-name]", "data-name")).contains(DemoTraffic.SPIKE_FEATURE);
        assertThat(b.attributes("#by-key tbody tr[data-name]", "data-name")).hasSizeGreaterThanOrEqualTo(2);
        b.shoot("demo-usage");

        b.open("customers");
        assertThat(b.attributes("#customers-table tbody tr[data-customer]", "data-customer"))
            .hasSizeGreaterThanOrEqualTo(4).contains(DemoTraffic.CACHE_BREAK_CUSTOMER);
        b.shoot("demo-customers");
        b.open("customer/" + DemoTraffic.BUDGETED.get(0));
        assertThat(b.texts("#view table tbody tr")).isNotEmpty().noneMatch(t -> t.contains("Nothing in this range"));
        b.shoot("demo-customer");

        b.open("tools");
        assertThat(b.find("#tools-table").getText()).contains("claude-code").contains("codex").contains("gemini-cli");
        b.shoot("demo-tools");

        b.open("logs");
        assertThat(b.attributes("#logs-table tbody tr[data-id]", "data-id")).isNotEmpty();
        b.shoot("demo-logs");

        b.open("keys");
        assertThat(b.attributes("#keys-table tbody tr[data-alias]", "data-alias"))
            .anyMatch(a -> a.startsWith(DemoTraffic.TEAM_KEY_ALIAS));
        b.shoot("demo-keys");

        b.open("manage");
        assertThat(b.attributes("#team-accounts tbody tr[data-id]", "data-id")).contains(DemoTraffic.TEAM);
        assertThat(b.attributes("#customer-accounts tbody tr[data-id]", "data-id"))
            .containsAll(DemoTraffic.BUDGETED);
        assertThat(b.texts("#customer-accounts td.budget")).allMatch(t -> t.endsWith("/ 30d"));
        b.shoot("demo-manage");

        b.open("alerts");
        assertThat(b.find("#alerts-table").getText()).contains(DemoTraffic.SPIKE_CUSTOMER);
        b.shoot("demo-alerts");
      }
    } finally {
      launcher.toHandle().destroy();
      if (!launcher.waitFor(60, TimeUnit.SECONDS)) {
        launcher.destroyForcibly();
      }
      started.output().join(10_000);
    }
  }
}
