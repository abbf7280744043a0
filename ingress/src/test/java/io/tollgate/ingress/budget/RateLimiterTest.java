package io.tollgate.ingress.budget;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.tollgate.schemas.metrics.Prometheus;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The limiter's arithmetic, with a clock the test moves: sliding minute, estimates, slots, caps, threads. */
class RateLimiterTest {
  /** A bucket boundary, so the expected retry-after values are exact. */
  private static final long T0 = 1_800_000_000_000L;
  private final ManualClock clock = new ManualClock(T0);
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private RateLimiter limiter = new RateLimiter(clock, 1, 1000, new RateLimitMetrics(registry));

  static ScopeLimits key(Long rpm, Long tpm, Integer parallel) {
    return new ScopeLimits(Scope.KEY, "hash-1", "dev-key", null, null, null, rpm, tpm, parallel, 0, null);
  }

  static ScopeLimits customer(String id, Long rpm, Long tpm, Integer parallel) {
    return new ScopeLimits(Scope.CUSTOMER, id, id, null, null, null, rpm, tpm, parallel, 0, null);
  }

  private RateLimitPermit admit(ScopeLimits... scopes) {
    return limiter.admit(List.of(scopes), 0);
  }

  @Test
  void theCallAfterRpmInAMinuteIsRefusedUntilTheFirstLeavesTheSlidingWindow() {
    for (int i = 0; i < 3; i++) {
      assertThat(admit(key(3L, null, null)).refusal()).isNull();
    }
    RateLimitRefusal r = admit(key(3L, null, null)).refusal();
    assertThat(r).isNotNull();
    assertThat(r.kind()).isEqualTo(RateLimitKind.RPM);
    assertThat(r.scope().scope()).isEqualTo(Scope.KEY);
    assertThat(r.requests()).isEqualTo(3);
    // The window is 31 buckets of 2 s: the first calls' bucket leaves it 62 s after it began.
    assertThat(r.retryAfterSeconds()).isEqualTo(62);
    clock.advanceMillis(61_999);
    assertThat(admit(key(3L, null, null)).refusal()).as("still within the sliding minute").isNotNull();
    clock.advanceMillis(1);
    assertThat(admit(key(3L, null, null)).refusal()).isNull();
  }

  @Test
  void aMinuteBoundaryDoesNotDoubleTheLimit() {
    clock.advanceMillis(50_000); // 10 s before a calendar minute ends
    for (int i = 0; i < 3; i++) {
      assertThat(admit(key(3L, null, null)).refusal()).isNull();
    }
    clock.advanceMillis(20_000); // a fixed per-minute window would have reset here
    RateLimitRefusal r = admit(key(3L, null, null)).refusal();
    assertThat(r).isNotNull();
    assertThat(r.retryAfterSeconds()).isEqualTo(42);
  }

  @Test
  void requestsSpreadOverTheMinuteLeaveOneByOne() {
    for (int i = 0; i < 3; i++) {
      assertThat(admit(key(3L, null, null)).refusal()).isNull();
      clock.advanceMillis(10_000);
    }
    // Now t = 30 s: calls at 0, 10, 20 s. The one at 0 s leaves at 62 s.
    assertThat(admit(key(3L, null, null)).refusal().retryAfterSeconds()).isEqualTo(32);
    clock.advanceMillis(32_000);
    assertThat(admit(key(3L, null, null)).refusal()).isNull();
    assertThat(admit(key(3L, null, null)).refusal()).as("the 10 s call is still in the window").isNotNull();
  }

  @Test
  void tokensCountTheEstimateWhileInFlightAndTheRealUsageAfter() {
    ScopeLimits k = key(null, 100L, null);
    RateLimitPermit first = limiter.admit(List.of(k), 60);
    RateLimitPermit second = limiter.admit(List.of(k), 60);
    assertThat(first.refusal()).isNull();
    assertThat(second.refusal()).as("admitted while under the limit (LiteLLM's current < limit)").isNull();
    RateLimitRefusal r = limiter.admit(List.of(k), 1).refusal();
    assertThat(r.kind()).isEqualTo(RateLimitKind.TPM);
    assertThat(r.tokens()).isEqualTo(120);
    first.release(10); // it used far less than estimated
    second.release(20);
    RateLimitPermit third = limiter.admit(List.of(k), 0);
    assertThat(third.refusal()).isNull();
    assertThat(third.statuses().get(0).tpmRemaining()).isEqualTo(70);
  }

  @Test
  void aLongCallsTokensCountWhenItEndsNotWhenItStarted() {
    ScopeLimits k = key(null, 100L, null);
    RateLimitPermit slow = limiter.admit(List.of(k), 50);
    clock.advanceMillis(120_000); // its estimate has left the window
    assertThat(limiter.admit(List.of(k), 0).refusal()).isNull();
    slow.release(500);
    RateLimitRefusal r = limiter.admit(List.of(k), 0).refusal();
    assertThat(r).isNotNull();
    assertThat(r.tokens()).isEqualTo(500);
    assertThat(r.retryAfterSeconds()).isEqualTo(62);
  }

  @Test
  void unknownUsageKeepsTheEstimate() {
    ScopeLimits k = key(null, 100L, null);
    limiter.admit(List.of(k), 70).release(-1);
    assertThat(limiter.admit(List.of(k), 0).statuses().get(0).tpmRemaining()).isEqualTo(30);
  }

  @Test
  void parallelSlotsAreHeldUntilReleasedAndReleasedOnlyOnce() {
    ScopeLimits k = key(null, null, 2);
    RateLimitPermit a = admit(k);
    RateLimitPermit b = admit(k);
    RateLimitRefusal r = admit(k).refusal();
    assertThat(r.kind()).isEqualTo(RateLimitKind.PARALLEL);
    assertThat(r.retryAfterSeconds()).isEqualTo(1);
    assertThat(limiter.inFlight()).isEqualTo(2);
    a.release(0);
    a.release(0); // a second release must not free b's slot
    assertThat(limiter.inFlight()).isEqualTo(1);
    assertThat(limiter.inFlight(Scope.KEY, "hash-1")).isEqualTo(1);
    RateLimitPermit c = admit(k);
    assertThat(c.refusal()).isNull();
    assertThat(admit(k).refusal()).isNotNull();
    b.release(0);
    c.release(0);
    assertThat(limiter.inFlight()).isZero();
    assertThat(limiter.inFlight(Scope.KEY, "hash-1")).isZero();
  }

  @Test
  void aCallCountsInEveryScopeOrInNone() {
    ScopeLimits k = key(10L, null, null);
    ScopeLimits c = customer("cust-a", 1L, null, null);
    assertThat(admit(k, c).refusal()).isNull();
    RateLimitRefusal r = admit(k, c).refusal();
    assertThat(r.scope().scope()).isEqualTo(Scope.CUSTOMER);
    assertThat(r.message()).contains("rate limit type = customer").contains("'cust-a'");
    // The refused call was not counted against the key.
    RateLimitPermit other = admit(k, customer("cust-b", 1L, null, null));
    assertThat(other.statuses().get(0).rpmRemaining()).isEqualTo(8);
  }

  @Test
  void eachInstanceEnforcesItsShareRoundedUp() {
    limiter = new RateLimiter(clock, 2, 1000, new RateLimitMetrics(new PrometheusRegistry()));
    for (int i = 0; i < 3; i++) {
      assertThat(admit(key(5L, null, null)).refusal()).isNull();
    }
    RateLimitRefusal r = admit(key(5L, null, null)).refusal();
    assertThat(r.rpmLimit()).isEqualTo(3);
    assertThat(r.message()).contains("1/2 of the configured limit");
  }

  @Test
  void aZeroLimitRefusesEverythingAndANegativeOneCountsAsZero() {
    assertThat(admit(key(0L, null, null)).refusal().retryAfterSeconds()).isEqualTo(60);
    assertThat(admit(key(-5L, null, null)).refusal()).isNotNull();
    assertThat(admit(key(null, null, 0)).refusal().kind()).isEqualTo(RateLimitKind.PARALLEL);
  }

  @Test
  void scopesWithoutRateLimitsCostNothing() {
    RateLimitPermit p = admit(new ScopeLimits(Scope.KEY, "h", "a", 5L, null, null, null, null, null, 0, null));
    assertThat(p).isSameAs(RateLimitPermit.UNLIMITED);
    assertThat(limiter.trackedScopes()).isZero();
  }

  @Test
  void messageIsLiteLlmsAndNamesTheLimit() {
    admit(key(1L, null, null)).release(0);
    String m = admit(key(1L, null, null)).refusal().message();
    assertThat(m).startsWith("LiteLLM Rate Limit Handler for rate limit type = key. Crossed TPM / RPM / Max Parallel "
        + "Request Limit. current rpm: 1, rpm limit: 1, current tpm: 0, tpm limit: 9223372036854775807, current "
        + "max_parallel_requests: 0, max_parallel_requests: 9223372036854775807.");
    assertThat(m).contains("requests of key 'dev-key'").contains("Retry after 62 s").doesNotContain("hash-1");
  }

  @Test
  void aFloodOfCustomerIdsIsCappedAndCountedAndIdleEntriesExpire() {
    PrometheusRegistry registry = new PrometheusRegistry();
    limiter = new RateLimiter(clock, 1, 100, new RateLimitMetrics(registry));
    List<RateLimitPermit> held = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      RateLimitPermit p = admit(customer("flood-" + i, 1_000_000L, null, null));
      assertThat(p.refusal()).isNull();
      if (i < 5) {
        held.add(p); // in flight: must survive every sweep
      } else {
        p.release(0);
      }
    }
    assertThat(limiter.trackedScopes()).isEqualTo(100);
    assertThat(Prometheus.scrape(registry)).contains("tollgate_rate_limit_overflow_total{scope=\"customer\"} 9900.0");
    // A key is never pushed into a shared entry by the customers' flood: it keeps its own allowance.
    ScopeLimits ownKey = new ScopeLimits(Scope.KEY, "key-after-flood", "k", null, null, null, 1L, null, null, 0, null);
    RateLimitPermit keyCall = admit(ownKey);
    assertThat(keyCall.refusal()).isNull();
    assertThat(limiter.inFlight(Scope.KEY, "key-after-flood")).isEqualTo(1);
    assertThat(admit(ownKey).refusal()).as("its own rpm of 1, not the overflow entry's").isNotNull();
    keyCall.release(0);
    clock.advanceMillis(RateLimitWindow.WINDOW_MS + 2 * RateLimitWindow.BUCKET_MS);
    admit(customer("after", 1_000_000L, null, null)); // the once-a-minute sweep runs here
    assertThat(limiter.trackedScopes()).as("idle entries left, in-flight ones stayed").isEqualTo(6);
    assertThat(limiter.inFlight(Scope.CUSTOMER, "flood-0")).isEqualTo(1);
    held.forEach(p -> p.release(0));
    assertThat(limiter.inFlight(Scope.CUSTOMER, "flood-0")).isZero();
  }

  @Test
  void concurrentCallsFromManyThreadsNeverExceedALimit() throws Exception {
    int threads = 8;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      AtomicInteger admitted = new AtomicInteger();
      AtomicInteger running = new AtomicInteger();
      AtomicInteger maxRunning = new AtomicInteger();
      CountDownLatch start = new CountDownLatch(1);
      List<java.util.concurrent.Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < 2_000; i++) {
            RateLimitPermit p = limiter.admit(List.of(key(1_000L, null, 3), customer("c", null, null, 4)), 0);
            if (p.refusal() == null) {
              admitted.incrementAndGet();
              maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
              running.decrementAndGet();
              p.release(0);
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (var f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
      assertThat(admitted.get()).as("exactly the rpm limit within one minute").isEqualTo(1_000);
      assertThat(maxRunning.get()).isLessThanOrEqualTo(3);
      assertThat(limiter.inFlight()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aWallClockSteppedBackDoesNotForgetTheMinute() {
    for (int i = 0; i < 3; i++) {
      assertThat(admit(key(3L, null, null)).refusal()).isNull();
    }
    clock.advanceMillis(-3_600_000); // NTP steps the clock back an hour
    assertThat(admit(key(3L, null, null)).refusal()).isNotNull();
  }

  @Test
  void aKeyWithoutAliasIsNamedByTheStartOfItsHash() {
    ScopeLimits bare = new ScopeLimits(Scope.KEY, "0123456789abcdef0123", null, null, null, null, 0L, null, null, 0, null);
    assertThat(admit(bare).refusal().message()).contains("key 'hash 0123456789ab'").doesNotContain("0123456789abcdef0123");
  }

  @Test
  void theEstimatesOfLongCallsCountUntilTheyEndAndOnlyTheirEndMakesRoom() {
    ScopeLimits k = key(null, 100L, null);
    RateLimitPermit first = limiter.admit(List.of(k), 60);
    clock.advanceMillis(120_000); // a two-minute stream: its estimate must still count
    RateLimitPermit second = limiter.admit(List.of(k), 60);
    assertThat(second.refusal()).isNull();
    RateLimitRefusal r = limiter.admit(List.of(k), 1).refusal();
    assertThat(r.tokens()).isEqualTo(120);
    assertThat(r.retryAfterSeconds()).as("only a call ending makes room").isEqualTo(1);
    first.release(30);
    second.release(30);
    assertThat(limiter.admit(List.of(k), 0).statuses().get(0).tpmRemaining()).isEqualTo(40);
  }
}
