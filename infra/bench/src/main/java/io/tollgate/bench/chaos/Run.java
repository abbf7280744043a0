package io.tollgate.bench.chaos;

import io.tollgate.schemas.clickhouse.ClickHouseClient;
import io.tollgate.schemas.clickhouse.ClickHouseSettings;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * The running scenario: its stack, its traffic and ledger, the fault's start and end, and the
 * recovery watch. A scenario calls {@link #begin}, pauses, injects its fault between
 * {@link #faultStart} and {@link #faultEnd}, and {@link #finish} compares the ledger with ClickHouse.
 */
final class Run implements AutoCloseable {
  final String id;
  final Scale scale;
  final Path dir;
  final Stack stack;
  final Ledger ledger = new Ledger();
  final LoadGen load;
  final Readback readback;
  final String customer;
  final List<String> notes = new ArrayList<>();
  /** Every customer this run's traffic was billed to ({@link #customer}, then the one after a {@link #faultEndFresh}). */
  private final List<String> customers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final ChaosMain.ClickHouseServer clickhouse;
  private final ClickHouseClient ch;
  private long faultEndNanos = -1;
  private CompletableFuture<Double> recovery = CompletableFuture.completedFuture(Double.NaN);
  /** Seconds from the fault's end until spend was fresh (see {@link #faultEndFresh}); -1 = not measured. */
  private CompletableFuture<Double> freshness = CompletableFuture.completedFuture(-1.0);
  private long trafficStartNanos;
  private int rate;
  private volatile boolean closed;

  Run(String id, Scale scale, Path dir, Vertx vertx, ChaosMain.ClickHouseServer clickhouse, Stack.Net net, int proxyPort,
      String alertingYaml) {
    this.id = id;
    this.scale = scale;
    this.dir = dir;
    this.clickhouse = clickhouse;
    String database = "chaos_" + id.replace('-', '_');
    this.ch = new ClickHouseClient(ClickHouseSettings.of(clickhouse.url(), database));
    ch.dropDatabase();
    this.stack = new Stack(dir, clickhouse.url(), database, net, proxyPort, alertingYaml);
    this.customer = "chaos-" + id;
    customers.add(customer);
    this.load = new LoadGen(vertx, ledger, customer);
    this.readback = new Readback(ch);
  }

  ChaosMain.ClickHouseServer clickhouse() {
    return clickhouse;
  }

  /** Starts the stack and the traffic, then lets it run for the scale's lead-in. */
  void begin() throws InterruptedException {
    begin(scale.rate());
  }

  /** The same at {@code callsPerSecond} instead of the scale's rate. */
  void begin(int callsPerSecond) throws InterruptedException {
    long t0 = System.nanoTime();
    stack.start();
    log("stack up in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    load.target(stack.gatewayHost(), stack.gatewayPort());
    rate = callsPerSecond;
    trafficStartNanos = System.nanoTime();
    load.rate(callsPerSecond);
    // Warm-up: the first answers of fresh JVMs are slow; the lead-in starts once calls flow.
    long warm = System.nanoTime() + Stack.ready().toNanos();
    while (ledger.answeredCount() < 20 && System.nanoTime() < warm) {
      Thread.sleep(200);
    }
    log("warm after " + (System.nanoTime() - t0) / 1_000_000 + " ms (" + ledger.answeredCount() + " answered)");
    pause(scale.beforeS());
  }

  void pause(double seconds) throws InterruptedException {
    Thread.sleep((long) (seconds * 1000));
  }

  void faultStart(String what) {
    log("fault: " + what + " (" + ledger.answeredCount() + " calls answered so far)");
  }

  /**
   * Pauses {@code seconds} while sampling the gateway's readiness and hand-off backlog once a
   * second; adds what it saw to the notes.
   */
  void observe(double seconds, String label) throws InterruptedException {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    int ready = 0;
    int unready = 0;
    int silent = 0;
    double peakBacklog = 0;
    while (System.nanoTime() < end) {
      int r = stack.gatewayReadiness();
      if (r == 200) {
        ready++;
      } else if (r < 0) {
        silent++;
      } else {
        unready++;
      }
      double b = stack.gatewayMetric("tollgate_handoff_backlog_records");
      if (!Double.isNaN(b)) {
        peakBacklog = Math.max(peakBacklog, b);
      }
      Thread.sleep(Math.max(0, Math.min(1000, (end - System.nanoTime()) / 1_000_000)));
    }
    notes.add(label + ": readiness 200×" + ready + ", 503×" + unready + (silent > 0 ? ", no answer×" + silent : "")
        + "; hand-off backlog peaked at " + (long) peakBacklog + " events");
  }

  /** The fault is over: from now on the recovery watch waits for spend to be fresh again. */
  void faultEnd() {
    faultEndNanos = System.nanoTime();
    List<Ledger.Answer> before = ledger.answeredBefore(faultEndNanos);
    Set<String> wanted = before.stream().map(Ledger.Answer::upstreamId).collect(Collectors.toCollection(HashSet::new));
    log("fault over; watching for the " + wanted.size() + " calls answered so far");
    long end = faultEndNanos;
    recovery = CompletableFuture.supplyAsync(() -> {
      long deadline = end + scale.settleS() * 1_000_000_000L;
      while (!closed && System.nanoTime() < deadline) {
        try {
          if (readback.ids(customer).containsAll(wanted) && readback.windows(customer)[0] >= wanted.size()) {
            return (System.nanoTime() - end) / 1e9;
          }
        } catch (RuntimeException e) {
          // ClickHouse away (the ClickHouse scenario) or the database not there yet: try again
        }
        try {
          Thread.sleep(500);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Double.NaN;
        }
      }
      return Double.NaN;
    });
  }

  /**
   * The fault is over (the broker is back): {@link #faultEnd} plus the freshness watch. From now
   * on the traffic is billed to a second customer, so the calls answered until now form a closed
   * set; spend is fresh again once (a) the gateway's hand-off log is drained — its oldest
   * unacknowledged event is younger than {@value #DRAINED_S} s (with calls flowing, the events of
   * the last milliseconds are always in flight, so the backlog is never exactly 0) — and (b)
   * {@code spend_1m} holds exactly the ledger's cost of that set (every answered call's minute
   * reflected), all of them finished. Both times and the larger ("fresh after") are reported.
   */
  void faultEndFresh() {
    String after = customer + "-after";
    customers.add(after);
    load.plan(n -> new LoadGen.Call(after, n % 2 == 0, null));
    faultEnd();
    long end = faultEndNanos;
    freshness = CompletableFuture.supplyAsync(() -> {
      long deadline = end + scale.settleS() * 1_000_000_000L;
      double drained = Double.NaN;
      double windows = Double.NaN;
      while (!closed && System.nanoTime() < deadline && (Double.isNaN(drained) || Double.isNaN(windows))) {
        if (Double.isNaN(drained)) {
          double oldest = stack.gatewayMetric("tollgate_handoff_oldest_unacked_seconds");
          if (!Double.isNaN(oldest) && oldest < DRAINED_S) {
            drained = (System.nanoTime() - end) / 1e9;
          }
        }
        if (Double.isNaN(windows)) {
          try {
            long expected = ledger.costOf(customer);
            if (load.inFlight(customer) == 0 && expected > 0 && readback.windows(customer)[1] == expected) {
              windows = (System.nanoTime() - end) / 1e9;
            }
          } catch (RuntimeException e) {
            // ClickHouse busy or the table not there yet: try again
          }
        }
        java.util.concurrent.locks.LockSupport.parkNanos(250_000_000L); // polling two outside systems, with a deadline
      }
      freshNote = (String.format("fresh after the broker returned: hand-off drained (oldest unacknowledged < %.0f s) after %s,"
          + " spend_1m equal to the ledger's cost of the %d calls answered until then after %s", DRAINED_S,
          Double.isNaN(drained) ? "—" : String.format("%.1f s", drained), ledger.countOf(customer),
          Double.isNaN(windows) ? "— (not in time)" : String.format("%.1f s", windows)));
      log(freshNote);
      return Double.isNaN(drained) || Double.isNaN(windows) ? Double.NaN : Math.max(drained, windows);
    });
  }

  /** {@link #faultEndFresh}: the hand-off counts as drained once nothing older than this waits for Kafka. */
  static final double DRAINED_S = 1.0;
  private volatile String freshNote;

  /** Stops the traffic, waits for ClickHouse to catch up and compares; {@code extraPass} adds the scenario's own checks. */
  Result finish(String title, String command, boolean extraPass) throws InterruptedException {
    pause(scale.afterS());
    double trafficS = (System.nanoTime() - trafficStartNanos) / 1e9;
    load.drain(35_000);
    String[] billed = customers.toArray(String[]::new);
    long deadline = System.nanoTime() + scale.settleS() * 1_000_000_000L;
    Set<String> wanted = ledger.answers().stream().map(Ledger.Answer::upstreamId).collect(Collectors.toSet());
    long waitFrom = System.nanoTime();
    int seenNow = -1;
    String lastError = null;
    while (System.nanoTime() < deadline) {
      try {
        Set<String> ids = readback.ids(billed);
        seenNow = (int) wanted.stream().filter(ids::contains).count();
        if (seenNow == wanted.size()) {
          break;
        }
      } catch (RuntimeException e) {
        lastError = e.getMessage(); // ClickHouse away or the tables not there yet
      }
      Thread.sleep(1000);
    }
    log(String.format("after %.1f s ClickHouse holds %d of the %d answered calls%s", (System.nanoTime() - waitFrom) / 1e9,
        seenNow, wanted.size(), lastError == null ? "" : " (last error: " + lastError + ")"));
    // The windows follow the rows' topic through Streams; give them a moment to agree.
    long[] windows = {0, 0};
    long rows = 0;
    long windowsDeadline = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < windowsDeadline) {
      try {
        windows = readback.windows(billed);
        rows = readback.count(billed);
        if (windows[0] == rows) {
          break;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      Thread.sleep(1000);
    }
    double recoveryS = recovery.join();
    double freshS = freshness.join();
    if (freshNote != null) {
      notes.add(freshNote);
    }
    notes.add(String.format("traffic asked: %d calls/s; answered %,d calls in %.0f s of traffic (%.0f/s)", rate,
        ledger.answeredCount(), trafficS, ledger.answeredCount() / Math.max(1, trafficS)));
    List<Ledger.Row> all = readback.rows(billed);
    Ledger.Account account = Ledger.account(ledger.answers(), all);
    long usageCost = all.stream().mapToLong(Ledger.Row::costNanos).sum();
    if (load.notSent() > 0) {
      notes.add(load.notSent() + " calls not sent (" + LoadGen.MAX_IN_FLIGHT + " already in flight)");
    }
    if (account.wrongCost() > 0) {
      notes.add(account.wrongCost() + " rows of answered calls with a cost other than the client's");
    }
    if (account.notOk() > 0) {
      notes.add(account.notOk() + " rows of answered calls not recorded as 2xx");
    }
    if (!account.lostSample().isEmpty()) {
      notes.add("lost, e.g. " + String.join(", ", account.lostSample()));
    }
    if (windows[0] != rows) {
      notes.add("spend_1m counts " + windows[0] + " requests against " + rows + " usage_events rows");
    }
    boolean pass = extraPass && account.lost() == 0 && account.duplicated() == 0 && account.wrongCost() == 0
        && windows[0] == rows && usageCost == windows[1] && !Double.isNaN(recoveryS) && ledger.answeredCount() > 0;
    log("answered " + ledger.answeredCount() + ", lost " + account.lost() + ", duplicated " + account.duplicated()
        + ", recovery " + recoveryS + " s" + (freshS == -1 ? "" : ", fresh after " + freshS + " s") + ", "
        + (pass ? "PASS" : "FAIL"));
    return new Result(id, title, command, ledger.answeredCount(), ledger.failures(), account, windows, rows, usageCost,
        recoveryS, freshS, List.copyOf(notes), pass, null);
  }

  void log(String message) {
    System.out.printf("[chaos %s %s] %s%n", id, java.time.LocalTime.now().withNano(0), message);
  }

  @Override
  public void close() {
    closed = true;
    load.close();
    stack.close();
  }

  Map<String, Long> failures() {
    return ledger.failures();
  }
}
