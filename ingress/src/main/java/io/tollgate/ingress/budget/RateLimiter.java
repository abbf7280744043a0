package io.tollgate.ingress.budget;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code rpm_limit}, {@code tpm_limit} and {@code max_parallel_requests} of the key, team and
 * customer of each call, for this instance. One instance serves every event loop of the gateway:
 * state lives in a concurrent table of per-scope entries, each guarded by its own monitor; a call
 * locks its (at most three) entries in scope order, checks every limit, and counts itself in all
 * of them or in none. No lock is held across I/O.
 *
 * <p>Memory is bounded: an entry leaves the table once nothing is in flight and its minute is
 * empty (swept at most once a second when the table is full, else once a minute), and the table
 * holds at most {@code maxTrackedScopes} entries (plus one per event loop racing past the check).
 * A scope that finds the table full of live entries is charged to one shared overflow entry of
 * its kind, with its own limits, and counted in {@code tollgate_rate_limit_overflow_total}: a flood
 * of distinct customer ids then competes for one customer's allowance instead of growing memory
 * or pushing out the entries of scopes already tracked.
 *
 * <p>Across instances each enforces {@code ceil(limit / instances)} (docs/rate-limits.md).
 */
public final class RateLimiter {
  /** Retry-after when calls in flight are what fills a limit (parallel slots, token estimates): room comes when one ends. */
  static final long PARALLEL_RETRY_MS = 1_000;
  private static final long SWEEP_EVERY_MS = RateLimitWindow.WINDOW_MS;
  private static final long SWEEP_WHEN_FULL_EVERY_MS = 1_000;

  private final Clock clock;
  private final int instances;
  private final int maxTrackedScopes;
  private final RateLimitMetrics metrics;
  private final ConcurrentHashMap<String, RateLimitEntry> table = new ConcurrentHashMap<>();
  private final Map<Scope, RateLimitEntry> overflow = new EnumMap<>(Scope.class);
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong lastSweep = new AtomicLong(Long.MIN_VALUE / 2);
  /** The latest time seen: a wall clock stepped back must not drop calls out of the window uncounted. */
  private final AtomicLong latest = new AtomicLong(Long.MIN_VALUE);

  /**
   * @param instances        gateway instances sharing the limits (1 = this one enforces them whole)
   * @param maxTrackedScopes cap of entries in the table
   */
  public RateLimiter(Clock clock, int instances, int maxTrackedScopes, RateLimitMetrics metrics) {
    if (instances < 1 || maxTrackedScopes < 1) {
      throw new IllegalArgumentException("instances and maxTrackedScopes must be at least 1");
    }
    this.clock = Objects.requireNonNull(clock, "clock");
    this.instances = instances;
    this.maxTrackedScopes = maxTrackedScopes;
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    for (Scope s : Scope.values()) {
      overflow.put(s, new RateLimitEntry("overflow|" + s.wire()));
    }
    metrics.watch(size::get, inFlight::get);
  }

  /**
   * Admits a call or refuses it. An admitted call's permit must be released when the call ends.
   *
   * @param scopes          the call's scopes ({@link CallScopes}); those without a rate limit are skipped
   * @param estimatedTokens the call's input + output tokens as far as they can be told before it runs
   */
  public RateLimitPermit admit(List<ScopeLimits> scopes, long estimatedTokens) {
    List<ScopeLimits> limited = new ArrayList<>(scopes.size());
    for (ScopeLimits s : scopes) {
      if (s.rpmLimit() != null || s.tpmLimit() != null || s.maxParallel() != null) {
        limited.add(s);
      }
    }
    if (limited.isEmpty()) {
      return RateLimitPermit.UNLIMITED;
    }
    // One lock order for everyone (key, team, customer): two calls never wait on each other in a cycle.
    limited.sort(Comparator.comparing(ScopeLimits::scope));
    long estimate = Math.max(0, estimatedTokens);
    long now = now();
    long bucket = RateLimitWindow.bucket(now);
    maybeSweep(now, SWEEP_EVERY_MS);
    while (true) {
      RateLimitEntry[] entries = new RateLimitEntry[limited.size()];
      for (int i = 0; i < entries.length; i++) {
        entries[i] = entry(limited.get(i), now);
      }
      RateLimitPermit decided = lockAndDecide(limited, entries, 0, now, bucket, estimate);
      if (decided != null) {
        return decided;
      }
      // An entry was swept between lookup and lock: look the scopes up again.
    }
  }

  /** Calls holding a permit on this instance (0 when every call has ended). */
  public int inFlight() {
    return inFlight.get();
  }

  /** Calls in flight for one scope (tests, diagnostics). */
  public int inFlight(Scope scope, String id) {
    RateLimitEntry e = table.get(mapKey(scope, id));
    if (e == null) {
      return 0;
    }
    synchronized (e) {
      return e.inFlight();
    }
  }

  /** Scopes with an entry in the table (without the overflow entries). */
  public int trackedScopes() {
    return size.get();
  }

  /** This instance's share of a limit: {@code ceil(limit / instances)}; a negative limit counts as 0. */
  Long share(Number limit) {
    if (limit == null) {
      return null;
    }
    long l = Math.max(0, limit.longValue());
    return l / instances + (l % instances == 0 ? 0 : 1);
  }

  private RateLimitPermit lockAndDecide(List<ScopeLimits> scopes, RateLimitEntry[] entries, int i, long now,
                                        long bucket, long estimate) {
    if (i < entries.length) {
      synchronized (entries[i]) {
        return entries[i].dead() ? null : lockAndDecide(scopes, entries, i + 1, now, bucket, estimate);
      }
    }
    for (int k = 0; k < entries.length; k++) {
      ScopeLimits s = scopes.get(k);
      RateLimitEntry e = entries[k];
      Long rpm = share(s.rpmLimit());
      Long tpm = share(s.tpmLimit());
      Long parallel = share(s.maxParallel());
      e.advance(bucket, rpm != null, tpm != null);
      RateLimitKind tripped = null;
      long retryMs = 0;
      if (rpm != null && e.requests() >= rpm) {
        tripped = RateLimitKind.RPM;
        retryMs = e.millisUntilRequestsBelow(rpm, now);
      } else if (tpm != null && e.tokens() >= tpm) {
        tripped = RateLimitKind.TPM;
        retryMs = e.millisUntilTokensBelow(tpm, now);
        if (retryMs < 0) {
          retryMs = PARALLEL_RETRY_MS; // calls in flight hold the tokens: room comes when one ends
        }
      } else if (parallel != null && e.inFlight() >= parallel) {
        tripped = RateLimitKind.PARALLEL;
        retryMs = PARALLEL_RETRY_MS;
      }
      if (tripped != null) {
        metrics.refused(s.scope(), tripped);
        long retryS = Math.max(1, (retryMs + 999) / 1000);
        return RateLimitPermit.refused(new RateLimitRefusal(s, tripped, retryS, Instant.ofEpochMilli(now + retryS * 1000),
            e.requests(), e.tokens(), e.inFlight(), rpm, tpm, parallel, instances));
      }
    }
    boolean[] countsTokens = new boolean[entries.length];
    List<RateLimitPermit.Status> statuses = new ArrayList<>(entries.length);
    for (int k = 0; k < entries.length; k++) {
      ScopeLimits s = scopes.get(k);
      RateLimitEntry e = entries[k];
      countsTokens[k] = s.tpmLimit() != null;
      e.admit(bucket, countsTokens[k] ? estimate : 0);
      Long rpm = share(s.rpmLimit());
      Long tpm = share(s.tpmLimit());
      Long parallel = share(s.maxParallel());
      statuses.add(new RateLimitPermit.Status(s.scope(), rpm, rpm == null ? 0 : rpm - e.requests(), tpm,
          tpm == null ? 0 : tpm - e.tokens(), parallel, parallel == null ? 0 : parallel - e.inFlight()));
    }
    inFlight.incrementAndGet();
    return new RateLimitPermit(this, entries, countsTokens, estimate, statuses, null);
  }

  void release(RateLimitPermit permit, long actualTokens) {
    long nowBucket = RateLimitWindow.bucket(now());
    for (int k = 0; k < permit.entries.length; k++) {
      RateLimitEntry e = permit.entries[k];
      boolean tokens = permit.countsTokens[k];
      synchronized (e) {
        e.release(nowBucket, tokens ? permit.estimatedTokens : 0, tokens ? actualTokens : 0);
      }
    }
    inFlight.decrementAndGet();
  }

  private RateLimitEntry entry(ScopeLimits s, long now) {
    String key = mapKey(s.scope(), s.id());
    RateLimitEntry e = table.get(key);
    if (e != null) {
      return e;
    }
    // Only customers can be named by clients: keys and teams are bounded by the management state,
    // so a flood of customer ids never pushes a key or a team into a shared overflow entry.
    if (s.scope() == Scope.CUSTOMER && size.get() >= maxTrackedScopes) {
      maybeSweep(now, SWEEP_WHEN_FULL_EVERY_MS);
      if (size.get() >= maxTrackedScopes) {
        metrics.overflow(s.scope());
        return overflow.get(s.scope());
      }
    }
    RateLimitEntry created = new RateLimitEntry(key);
    e = table.putIfAbsent(key, created);
    if (e != null) {
      return e;
    }
    size.incrementAndGet();
    return created;
  }

  /** Removes idle entries, at most once per {@code everyMs} (one caller sweeps, the others go on). */
  private void maybeSweep(long now, long everyMs) {
    long last = lastSweep.get();
    if (now - last < everyMs || !lastSweep.compareAndSet(last, now)) {
      return;
    }
    long bucket = RateLimitWindow.bucket(now);
    for (RateLimitEntry e : table.values()) {
      boolean expired;
      synchronized (e) {
        expired = e.expireIfIdle(bucket);
      }
      if (expired && table.remove(e.mapKey, e)) {
        size.decrementAndGet();
      }
    }
  }

  private long now() {
    return latest.accumulateAndGet(clock.millis(), Math::max);
  }

  private static String mapKey(Scope scope, String id) {
    return scope.wire() + '|' + id;
  }
}
