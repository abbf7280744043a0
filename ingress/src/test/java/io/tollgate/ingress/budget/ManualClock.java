package io.tollgate.ingress.budget;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand (thread-safe), so time-dependent limits are tested without sleeping. */
public final class ManualClock extends Clock {
  private final AtomicLong millis;

  public ManualClock(long epochMillis) {
    this.millis = new AtomicLong(epochMillis);
  }

  public void advanceMillis(long ms) {
    millis.addAndGet(ms);
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
