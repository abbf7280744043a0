package io.tollgate.ingress.budget;

import io.tollgate.schemas.BudgetPeriodRef;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Budget enforcement on one gateway, and the {@link SpendView} the management API reads.
 *
 * <p>Spend so far of a period = its total from {@code tollgate.spend-totals.v1} + this gateway's
 * settled spend the total does not have yet + carried spend + open reservations. "Not yet in the
 * total" is exact whatever the order of events: this process's settled spend minus what the
 * aggregator has added to {@code by_gateway[this gateway]} since the process started — both sums
 * run over the same events (see {@link SpendTotals}).
 *
 * <p>A call is refused when spend so far (others' holds included) has reached a budget — LiteLLM's
 * rule: the call that crosses the budget is let through, the next is not. Otherwise its maximum
 * cost is held against every period it counts against, atomically: the accounts of the call are
 * locked in scope order (key, team, customer), checked and charged, unlocked. The holds are
 * replaced by the real cost when the event is built ({@link Reservation#settle}) or dropped
 * ({@link Reservation#release}).
 */
public final class BudgetLedger implements SpendView {
  /** What one call holds against one period. */
  record Hold(PeriodSpend period, ScopeLimits limits, boolean budgetPeriod) {
  }

  /** What {@link #reserve} decided. */
  public sealed interface Decision permits Admit, Refuse {
  }

  /** The call may go; its reservation must be settled or released. */
  public record Admit(Reservation reservation) implements Decision {
  }

  /**
   * The call is refused.
   *
   * @param scope      the budget that tripped, or null when the totals are stale and enforcement fails closed
   * @param spendNanos its spend so far
   * @param maxNanos   its max budget
   */
  public record Refuse(ScopeLimits scope, long spendNanos, long maxNanos) implements Decision {
    /** LiteLLM's message: {@code Budget has been exceeded! Key=… Current cost: …, Max budget: …}. */
    public String message() {
      if (scope == null) {
        return "Budget cannot be checked: this gateway's spend totals are stale (budgets fail closed)";
      }
      String who = switch (scope.scope()) {
        case KEY -> "Key";
        case TEAM -> "Team";
        case CUSTOMER -> "End User";
      };
      // A key without alias or name is shown by the start of its hash (never the key itself).
      String label = scope.label() != null ? scope.label()
          : scope.scope() == Scope.KEY ? "hash:" + scope.id().substring(0, Math.min(12, scope.id().length())) : scope.id();
      return "Budget has been exceeded! " + who + "=" + label + " Current cost: " + usd(spendNanos)
          + ", Max budget: " + usd(maxNanos);
    }
  }

  private static final Admit UNLIMITED = new Admit(Reservation.NONE);

  private final SpendTotals totals;
  private final BudgetSettings settings;
  private final Clock clock;
  private final SoftBudgetListener soft;
  private final ConcurrentHashMap<String, ScopeAccount> accounts = new ConcurrentHashMap<>();
  private final int maxAccounts;
  private final long idleNanos;
  private final AtomicLong open = new AtomicLong();

  /**
   * @param maxAccounts accounts kept before idle ones are dropped early (customers named by clients
   *                    under a default end-user budget must not grow memory without bound)
   * @param idleMillis  an account with no call in flight for this long is dropped (its settled spend
   *                    has long reached the totals by then)
   */
  public BudgetLedger(SpendTotals totals, BudgetSettings settings, Clock clock, SoftBudgetListener soft,
                      int maxAccounts, long idleMillis) {
    this.totals = Objects.requireNonNull(totals, "totals");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.soft = Objects.requireNonNull(soft, "soft");
    this.maxAccounts = maxAccounts;
    this.idleNanos = idleMillis * 1_000_000L;
  }

  public BudgetLedger(SpendTotals totals, BudgetSettings settings, Clock clock, SoftBudgetListener soft) {
    this(totals, settings, clock, soft, 200_000, 600_000);
  }

  /**
   * Checks every budget of {@code scopes} and holds {@code amountNanos} against each of their
   * periods (lifetime and current budget period), or refuses naming the first budget reached.
   */
  public Decision reserve(List<ScopeLimits> scopes, long amountNanos) {
    if (scopes.isEmpty()) {
      return UNLIMITED;
    }
    Instant now = clock.instant();
    boolean budgeted = settings.enabled() && scopes.stream().anyMatch(s -> s.maxBudgetNanos() != null);
    if (budgeted && settings.failClosed() && stale(now)) {
      return new Refuse(null, 0, 0);
    }
    long amount = Math.max(0, amountNanos);
    List<ScopeAccount> locked = new ArrayList<>(scopes.size());
    List<Hold> holds = new ArrayList<>(scopes.size() * 2);
    try {
      for (ScopeLimits s : scopes) {
        ScopeAccount a = lock(s.scope(), s.id());
        locked.add(a);
        PeriodSpend lifetime = a.period(PeriodRef.lifetime(s.scope(), s.id()), this::aggregatedMine);
        BudgetDuration d = BudgetDuration.parseOrNull(s.budgetDuration());
        // An unreadable budget_duration counts as lifetime: never more lenient than the budget meant.
        PeriodSpend budget = d == null ? lifetime : a.period(PeriodRef.of(s.scope(), s.id(), d, now), this::aggregatedMine);
        holds.add(new Hold(lifetime, s, budget == lifetime));
        if (budget != lifetime) {
          holds.add(new Hold(budget, s, true));
        }
        if (budgeted && s.maxBudgetNanos() != null) {
          long spend = view(budget, s);
          if (spend >= s.maxBudgetNanos()) {
            return new Refuse(s, spend, s.maxBudgetNanos());
          }
        }
      }
      long nanoNow = System.nanoTime();
      for (Hold h : holds) {
        h.period().reservedNanos = Saturate.add(h.period().reservedNanos, amount);
        h.period().openReservations++;
        h.period().account.lastUsedNanos = nanoNow;
      }
      open.incrementAndGet();
    } finally {
      for (int i = locked.size() - 1; i >= 0; i--) {
        locked.get(i).lock.unlock();
      }
    }
    return new Admit(new Reservation(this, holds, holds.stream().map(h -> h.period().ref).toList(), amount));
  }

  /** Settles ({@code costNanos ≥ 0}) or releases ({@code -1}) a reservation's holds; once per reservation. */
  void finish(Reservation r, List<Hold> holds, long costNanos) {
    open.decrementAndGet();
    Instant now = null;
    for (Hold h : holds) {
      PeriodSpend p = h.period();
      long spend = -1;
      p.account.lock.lock();
      try {
        p.reservedNanos = Math.max(0, p.reservedNanos - r.amount());
        p.openReservations--;
        if (costNanos >= 0) {
          p.settledNanos = Saturate.add(p.settledNanos, costNanos);
        }
        Long softBudget = h.limits().softBudgetNanos();
        if (h.budgetPeriod() && softBudget != null && !p.softAlerted && costNanos > 0) {
          spend = view(p, h.limits());
          if (spend >= softBudget) {
            p.softAlerted = true;
          } else {
            spend = -1;
          }
        }
      } finally {
        p.account.lock.unlock();
      }
      if (spend >= 0) {
        now = now == null ? clock.instant() : now;
        soft.crossed(h.limits(), p.ref, spend, now);
      }
    }
  }

  /**
   * Counts spend of an earlier run that the totals may not have yet: the events a restarted gateway
   * resends from its hand-off log. Periods that are over are skipped.
   */
  public void recovered(List<BudgetPeriodRef> periods, long costNanos) {
    Instant now = clock.instant();
    for (BudgetPeriodRef ref : periods) {
      Scope scope = Scope.ofWire(ref.getScope());
      if (scope == null || costNanos <= 0) {
        continue;
      }
      BudgetDuration d = ref.getDuration().isEmpty() ? null : BudgetDuration.parseOrNull(ref.getDuration());
      if (!ref.getDuration().isEmpty() && (d == null
          || d.periodStart(now).toEpochMilli() != ref.getPeriodStart().toEpochMilli())) {
        continue;
      }
      ScopeAccount a = lock(scope, ref.getScopeId());
      try {
        PeriodSpend p = a.period(new PeriodRef(scope, ref.getScopeId(), ref.getDuration(),
            ref.getPeriodStart().toEpochMilli()), this::aggregatedMine);
        p.settledNanos = Saturate.add(p.settledNanos, costNanos);
        a.lastUsedNanos = System.nanoTime();
      } finally {
        a.lock.unlock();
      }
    }
  }

  @Override
  public long spendNanos(ScopeLimits scope, Instant now) {
    BudgetDuration d = BudgetDuration.parseOrNull(scope.budgetDuration());
    PeriodRef ref = PeriodRef.of(scope.scope(), scope.id(), d, now);
    ScopeAccount a = accounts.get(key(scope.scope(), scope.id()));
    if (a == null) {
      return view(new PeriodSpend(null, ref), scope);
    }
    a.lock.lock();
    try {
      PeriodSpend p = a.peek(ref);
      return view(p == null ? new PeriodSpend(a, ref) : p, scope);
    } finally {
      a.lock.unlock();
    }
  }

  @Override
  public Instant budgetResetAt(String budgetDuration, Instant now) {
    BudgetDuration d = BudgetDuration.parseOrNull(budgetDuration);
    return d == null ? null : d.periodEnd(now);
  }

  /** Calls holding a reservation now. */
  public long openReservations() {
    return open.get();
  }

  /** Whether the totals are older than the configured limit now. */
  public boolean stale() {
    return stale(clock.instant());
  }

  /** Whether the totals are older than the configured limit. */
  public boolean stale(Instant now) {
    return totals.stalenessSeconds(now) * 1000 > settings.maxStalenessMs();
  }

  public BudgetSettings settings() {
    return settings;
  }

  /** Accounts held (bounded by {@code maxAccounts} plus one sweep interval's new ones). */
  public int accounts() {
    return accounts.size();
  }

  /** Spend so far of one period; caller holds its account's lock (or owns a detached entry). */
  private long view(PeriodSpend p, ScopeLimits limits) {
    SpendTotals.Total t = totals.get(p.ref);
    long cost = t == null ? 0 : t.costNanos();
    long unaggregated = Math.max(0, p.settledNanos - Math.max(0, (t == null ? 0 : t.mineSinceStart()) - p.aggregatedBaseline));
    long carried = 0;
    if (p.ref.duration().isEmpty() || Objects.equals(limits.carriedPeriodStartMillis(), p.ref.periodStartMillis())) {
      carried = limits.carriedSpendNanos();
    }
    return Saturate.add(Saturate.add(Saturate.add(cost, unaggregated), carried), p.reservedNanos);
  }

  /** What the aggregator has counted of this gateway's spend in {@code ref} since this gateway started. */
  private long aggregatedMine(PeriodRef ref) {
    SpendTotals.Total t = totals.get(ref);
    return t == null ? 0 : t.mineSinceStart();
  }

  /** The scope's account, locked; an account evicted meanwhile is replaced by a fresh one. */
  private ScopeAccount lock(Scope scope, String id) {
    String key = key(scope, id);
    while (true) {
      ScopeAccount a = accounts.computeIfAbsent(key, k -> new ScopeAccount(scope, id));
      a.lock.lock();
      if (!a.evicted) {
        return a;
      }
      a.lock.unlock();
    }
  }

  /**
   * Drops idle accounts (all idle ones while over {@code maxAccounts}) and totals of periods that
   * are over. Called about once a second off the request path (by the totals follower).
   */
  public void sweep() {
    long now = System.nanoTime();
    boolean pressed = accounts.size() > maxAccounts;
    accounts.values().removeIf(a -> {
      if (!a.lock.tryLock()) {
        return false;
      }
      try {
        if (a.idle() && (pressed || now - a.lastUsedNanos > idleNanos)) {
          a.evicted = true;
          return true;
        }
        return false;
      } finally {
        a.lock.unlock();
      }
    });
    totals.evictOld(clock.instant());
  }

  private static String key(Scope scope, String id) {
    return scope.wire() + "|" + id;
  }

  /** Nano-USD as LiteLLM prints dollars ({@code 0.0123}). */
  static String usd(long nanos) {
    return java.math.BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
  }
}
