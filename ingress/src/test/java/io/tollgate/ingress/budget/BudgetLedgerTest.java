package io.tollgate.ingress.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.SpendTotal;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BudgetLedgerTest {
  private static final Instant NOW = Instant.parse("2026-03-07T10:15:00Z");
  private static final long CENT = 10_000_000L;
  private final MutableClock clock = new MutableClock(NOW);
  private final SpendTotals totals = new SpendTotals("gw-a");
  private final List<String> alerts = new ArrayList<>();
  private final BudgetLedger ledger = new BudgetLedger(totals, BudgetSettings.DEFAULTS, clock,
      (limits, period, spend, now) -> alerts.add(limits.id() + "@" + period.duration() + "=" + spend));

  static ScopeLimits key(String id, Long max, String duration) {
    return new ScopeLimits(Scope.KEY, id, "alias-" + id, max, null, duration, null, null, null, 0, null);
  }

  static ScopeLimits customer(String id, Long max) {
    return new ScopeLimits(Scope.CUSTOMER, id, id, max, null, null, null, null, null, 0, null);
  }

  private Reservation admit(List<ScopeLimits> scopes, long amount) {
    BudgetLedger.Decision d = ledger.reserve(scopes, amount);
    assertThat(d).isInstanceOf(BudgetLedger.Admit.class);
    return ((BudgetLedger.Admit) d).reservation();
  }

  @Test
  void worksUntilSpendReachesTheBudgetThenNamesIt() {
    ScopeLimits k = key("k1", CENT, null);
    for (int i = 0; i < 3; i++) {
      admit(List.of(k), 3 * CENT / 10).settle(4 * CENT / 10); // 0.4 ¢ each
    }
    // 1.2 ¢ spent: the third call crossed 1 ¢, the next is refused.
    BudgetLedger.Decision d = ledger.reserve(List.of(k), 1);
    assertThat(d).isInstanceOf(BudgetLedger.Refuse.class);
    assertThat(((BudgetLedger.Refuse) d).message())
        .isEqualTo("Budget has been exceeded! Key=alias-k1 Current cost: 0.012, Max budget: 0.01");
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(12 * CENT / 10);
  }

  @Test
  void zeroBudgetRefusesTheFirstCall() {
    assertThat(ledger.reserve(List.of(key("k0", 0L, null)), 0)).isInstanceOf(BudgetLedger.Refuse.class);
  }

  @Test
  void aPeriodEndsByTheClockAlone() {
    ScopeLimits k = key("k2", CENT, "30s");
    admit(List.of(k), CENT).settle(2 * CENT);
    assertThat(ledger.reserve(List.of(k), 1)).isInstanceOf(BudgetLedger.Refuse.class);
    clock.set(Instant.parse("2026-03-07T10:15:30Z"));
    Reservation next = admit(List.of(k), CENT);
    assertThat(next.periods()).containsExactly(PeriodRef.lifetime(Scope.KEY, "k2"),
        new PeriodRef(Scope.KEY, "k2", "30s", Instant.parse("2026-03-07T10:15:30Z").toEpochMilli()));
    next.release();
    assertThat(ledger.budgetResetAt("30s", clock.instant())).isEqualTo(Instant.parse("2026-03-07T10:16:00Z"));
  }

  @Test
  void theFirstBudgetReachedIsNamedAndNothingIsHeldWhenRefused() {
    ScopeLimits k = key("k3", 100 * CENT, null);
    ScopeLimits c = customer("acme", CENT);
    admit(List.of(c), 0).settle(CENT);
    BudgetLedger.Decision d = ledger.reserve(List.of(k, c), CENT);
    assertThat(((BudgetLedger.Refuse) d).scope().scope()).isEqualTo(Scope.CUSTOMER);
    assertThat(((BudgetLedger.Refuse) d).message()).startsWith("Budget has been exceeded! End User=acme");
    assertThat(ledger.spendNanos(k, NOW)).isZero(); // the key's check passed, but nothing was held
    assertThat(ledger.openReservations()).isZero();
    // The customer refuses on every key.
    assertThat(ledger.reserve(List.of(key("other-key", null, null), c), 1)).isInstanceOf(BudgetLedger.Refuse.class);
  }

  @Test
  void totalsCountOnceWithThisGatewaysOwnPartSubtracted() {
    ScopeLimits k = key("k4", 100 * CENT, "1d");
    totals.caughtUp(NOW);
    admit(List.of(k), CENT).settle(3 * CENT); // this gateway: 3 ¢, not aggregated yet
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(3 * CENT);
    long day = LocalDate.of(2026, 3, 7).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    // The aggregator now has 2 ¢ of ours and 5 ¢ of gw-b.
    totals.apply("key|k4|1d|" + day, total("k4", "1d", day, 7 * CENT, Map.of("gw-a", 2 * CENT, "gw-b", 5 * CENT), 1), NOW);
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(8 * CENT); // 7 + (3 − 2)
    totals.apply("key|k4|1d|" + day, total("k4", "1d", day, 8 * CENT, Map.of("gw-a", 3 * CENT, "gw-b", 5 * CENT), 2), NOW);
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(8 * CENT);
    // An older version arriving late changes nothing.
    totals.apply("key|k4|1d|" + day, total("k4", "1d", day, 7 * CENT, Map.of("gw-a", 2 * CENT), 1), NOW);
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(8 * CENT);
  }

  @Test
  void whatTheAggregatorHadBeforeThisProcessStartedIsNotSubtracted() {
    ScopeLimits k = key("k5", null, null);
    // Read during start-up: 4 ¢ of this gateway's earlier run are in the total.
    totals.apply("key|k5||0", total("k5", "", 0, 4 * CENT, Map.of("gw-a", 4 * CENT), 1), NOW);
    totals.caughtUp(NOW);
    admit(List.of(k), 0).settle(CENT);
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(5 * CENT);
    totals.apply("key|k5||0", total("k5", "", 0, 5 * CENT, Map.of("gw-a", 5 * CENT), 2), NOW);
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(5 * CENT);
  }

  @Test
  void recoveredEventsCountUntilAggregated() {
    ScopeLimits k = key("k6", null, null);
    totals.caughtUp(NOW);
    ledger.recovered(List.of(PeriodRef.lifetime(Scope.KEY, "k6").toEvent()), 2 * CENT);
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(2 * CENT);
    totals.apply("key|k6||0", total("k6", "", 0, 2 * CENT, Map.of("gw-a", 2 * CENT), 1), NOW);
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(2 * CENT);
  }

  @Test
  void carriedSpendCountsInItsPeriodAndInLifetime() {
    long day = Instant.parse("2026-03-07T00:00:00Z").toEpochMilli();
    ScopeLimits k = new ScopeLimits(Scope.KEY, "k7", "k7", CENT, null, "1d", null, null, null, CENT, day);
    assertThat(ledger.reserve(List.of(k), 0)).isInstanceOf(BudgetLedger.Refuse.class);
    clock.set(Instant.parse("2026-03-08T00:00:01Z"));
    admit(List.of(k), 0).release();
    assertThat(ledger.spendNanos(new ScopeLimits(Scope.KEY, "k7", "k7", null, null, null, null, null, null, CENT, day),
        clock.instant())).isEqualTo(CENT);
  }

  @Test
  void softBudgetAlertsOncePerPeriod() {
    ScopeLimits k = new ScopeLimits(Scope.KEY, "k8", "k8", null, 2 * CENT, "1h", null, null, null, 0, null);
    admit(List.of(k), 0).settle(CENT);
    assertThat(alerts).isEmpty();
    admit(List.of(k), 0).settle(CENT);
    admit(List.of(k), 0).settle(CENT);
    assertThat(alerts).containsExactly("k8@1h=" + 2 * CENT);
    clock.set(NOW.plusSeconds(3600));
    admit(List.of(k), 0).settle(5 * CENT);
    assertThat(alerts).hasSize(2);
  }

  @Test
  void staleTotalsFailClosedOnlyWhenConfigured() {
    BudgetLedger closed = new BudgetLedger(totals, new BudgetSettings(true, true, 60_000, List.of("log"), 1000), clock,
        SoftBudgetListener.NONE);
    ScopeLimits k = key("k9", 100 * CENT, null);
    assertThat(closed.reserve(List.of(k), 1)).isInstanceOf(BudgetLedger.Refuse.class); // never caught up
    assertThat(ledger.reserve(List.of(k), 1)).isInstanceOf(BudgetLedger.Admit.class); // fail-open default
    totals.caughtUp(NOW);
    assertThat(closed.reserve(List.of(k), 1)).isInstanceOf(BudgetLedger.Admit.class);
    clock.set(NOW.plusSeconds(61));
    BudgetLedger.Decision d = closed.reserve(List.of(k), 1);
    assertThat(((BudgetLedger.Refuse) d).scope()).isNull();
    // Scopes without a budget are never refused for staleness.
    assertThat(closed.reserve(List.of(key("free", null, null)), 1)).isInstanceOf(BudgetLedger.Admit.class);
  }

  @Test
  void settleAndReleaseTakeEffectOnce() {
    ScopeLimits k = key("k10", 10 * CENT, null);
    Reservation r = admit(List.of(k), 4 * CENT);
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(4 * CENT);
    r.settle(CENT);
    r.release();
    r.settle(CENT);
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(CENT);
    assertThat(ledger.openReservations()).isZero();
    Reservation r2 = admit(List.of(k), 4 * CENT);
    r2.release();
    r2.settle(9 * CENT);
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(CENT);
  }

  /**
   * Many threads reserve against one key, one team and one customer at once, settle or release at
   * random: the budget is never passed by more than one call's hold (each call sees every hold
   * before it), and when all calls are done no hold is left.
   */
  @Test
  void concurrentReservationsNeverOvershootAndNeverLeak() throws Exception {
    long budget = 100 * CENT;
    long hold = CENT;
    ScopeLimits k = key("hot", budget, "1d");
    ScopeLimits team = new ScopeLimits(Scope.TEAM, "t", "t", null, null, "1mo", null, null, null, 0, null);
    ScopeLimits c = customer("c-hot", null);
    int threads = 16;
    int callsEach = 2_000;
    AtomicInteger admitted = new AtomicInteger();
    ConcurrentLinkedQueue<Long> settled = new ConcurrentLinkedQueue<>();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      done.add(pool.submit(() -> {
        go.await();
        for (int n = 0; n < callsEach; n++) {
          BudgetLedger.Decision d = ledger.reserve(List.of(k, team, c), hold);
          if (d instanceof BudgetLedger.Admit a) {
            admitted.incrementAndGet();
            // Spend so far never passes the budget by more than one hold: every admitted call saw the others.
            assertThat(ledger.spendNanos(k, NOW)).isLessThan(budget + hold * threads);
            if (ThreadLocalRandom.current().nextInt(4) == 0) {
              a.reservation().release();
            } else {
              long cost = ThreadLocalRandom.current().nextLong(hold + 1);
              settled.add(cost);
              a.reservation().settle(cost);
            }
          }
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    long spent = settled.stream().mapToLong(Long::longValue).sum();
    assertThat(ledger.openReservations()).isZero();
    assertThat(ledger.spendNanos(k, NOW)).isEqualTo(spent);
    assertThat(ledger.spendNanos(team, NOW)).isEqualTo(spent);
    assertThat(ledger.spendNanos(c, NOW)).isEqualTo(spent);
    // Refused once spend reached the budget; the last admitted call added at most one hold.
    assertThat(spent).isLessThan(budget + hold);
    assertThat(admitted.get()).isGreaterThan(100);
  }

  /** Holds alone (nothing settles) admit exactly budget / hold calls however many threads race. */
  @Test
  void racingHoldsAdmitExactlyTheBudget() throws Exception {
    ScopeLimits k = key("race", 10 * CENT, null);
    int calls = 500;
    AtomicInteger admitted = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(16);
    List<Future<?>> done = new ArrayList<>();
    ConcurrentLinkedQueue<Reservation> held = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < calls; i++) {
      done.add(pool.submit(() -> {
        go.await();
        if (ledger.reserve(List.of(k), CENT) instanceof BudgetLedger.Admit a) {
          admitted.incrementAndGet();
          held.add(a.reservation());
        }
        return null;
      }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    assertThat(admitted.get()).isEqualTo(10);
    held.forEach(Reservation::release);
    assertThat(ledger.spendNanos(k, NOW)).isZero();
    assertThat(ledger.openReservations()).isZero();
  }

  @Test
  void idleAccountsAreDroppedAndOldPeriodsForgotten() {
    BudgetLedger small = new BudgetLedger(totals, BudgetSettings.DEFAULTS, clock, SoftBudgetListener.NONE, 10, 600_000);
    Reservation open = ((BudgetLedger.Admit) small.reserve(List.of(customer("held", null)), CENT)).reservation();
    for (int i = 0; i < 50; i++) {
      ((BudgetLedger.Admit) small.reserve(List.of(customer("c" + i, null)), 1)).reservation().settle(1);
    }
    assertThat(small.accounts()).isEqualTo(51);
    small.sweep();
    assertThat(small.accounts()).isEqualTo(1); // only the one with a call in flight
    open.settle(CENT);
    assertThat(small.spendNanos(customer("held", null), NOW)).isEqualTo(CENT);
    long day = Instant.parse("2026-03-07T00:00:00Z").toEpochMilli();
    totals.apply("key|x|1d|" + day, total("x", "1d", day, 1, Map.of(), 1), NOW);
    assertThat(totals.size()).isEqualTo(1);
    clock.set(NOW.plusSeconds(86_400));
    small.sweep();
    assertThat(totals.size()).isZero();
  }

  @Test
  void anAccountMadeAgainAfterEvictionStillCountsItsNewUnaggregatedSpend() {
    BudgetLedger small = new BudgetLedger(totals, BudgetSettings.DEFAULTS, clock, SoftBudgetListener.NONE, 1, 600_000);
    ScopeLimits k = key("k9", null, null);
    totals.caughtUp(NOW);
    ((BudgetLedger.Admit) small.reserve(List.of(k), 0)).reservation().settle(4 * CENT);
    // The aggregator has all 4 ¢ of ours; then the idle account is evicted (over the cap of 1).
    totals.apply("key|k9||0", total("k9", "", 0, 4 * CENT, Map.of("gw-a", 4 * CENT), 1), NOW);
    ((BudgetLedger.Admit) small.reserve(List.of(customer("other", null)), 0)).reservation().settle(0);
    small.sweep();
    assertThat(small.accounts()).isZero();
    // A new call of this gateway, not aggregated yet, must count on top of the 4 ¢ already in the total.
    ((BudgetLedger.Admit) small.reserve(List.of(k), 0)).reservation().settle(CENT);
    assertThat(small.spendNanos(k, NOW)).isEqualTo(5 * CENT);
  }

  static SpendTotal total(String id, String duration, long periodStart, long cost, Map<String, Long> byGateway, long version) {
    return SpendTotal.newBuilder().setScope("key").setScopeId(id).setDay(LocalDate.ofEpochDay(periodStart / 86_400_000))
        .setCostNanos(cost).setVersion(version).setUpdatedAt(NOW).setDuration(duration)
        .setPeriodStart(Instant.ofEpochMilli(periodStart)).setByGateway(Map.copyOf(byGateway)).build();
  }

  static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void totalsKeysParseWithBarsInTheIdAndTombstonesRemove() {
    assertThat(SpendTotals.parseKey("customer|a|b|1d|86400000"))
        .isEqualTo(new PeriodRef(Scope.CUSTOMER, "a|b", "1d", 86_400_000));
    assertThat(SpendTotals.parseKey("key|abc||0")).isEqualTo(PeriodRef.lifetime(Scope.KEY, "abc"));
    assertThat(SpendTotals.parseKey("key|abc|2026-03-07")).isNull(); // a day total
    assertThat(SpendTotals.parseKey("model|x|1d|0")).isNull();
    assertThat(SpendTotals.parseKey("key|x|1d|soon")).isNull();
    totals.apply("key|gone||0", total("gone", "", 0, CENT, Map.of(), 1), NOW);
    assertThat(ledger.spendNanos(key("gone", null, null), NOW)).isEqualTo(CENT);
    totals.apply("key|gone||0", null, NOW);
    assertThat(ledger.spendNanos(key("gone", null, null), NOW)).isZero();
  }
}
