package io.tollgate.ingress.provider;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes client connections that sit idle between requests for longer than the idle timeout, and
 * connections whose first request's headers have not arrived within the request read timeout.
 * Not Netty's idle handler: a call may legitimately send nothing for minutes while a model
 * thinks (a long non-streaming answer), and that must not cut it; only a connection with no call
 * in flight is idle.
 *
 * <p>Slowloris: a client that opens a connection and sends its headers a byte at a time never
 * starts a request, so the idle timeout (120 s) was the only bound and any byte kept Netty's own
 * idle detection quiet. A fresh connection must therefore start its first request within the read
 * timeout (60 s) — the same bound a started request has for its headers and body. On a keep-alive
 * connection the wait for the next request is bounded by the idle timeout, counted from the end of
 * the previous answer, however slowly its headers trickle in.
 *
 * <p>One timer per connection, re-armed only when it fires: a request records when it ended
 * instead of cancelling and setting a timer (two timer-table and scheduler-queue updates per
 * request on a keep-alive connection were a measurable part of the gateway's per-call CPU).
 */
final class IdleConnections {
  private final Vertx vertx;
  private final long idleMs;
  private final long firstRequestMs;
  private final Map<HttpConnection, State> states = new ConcurrentHashMap<>();

  private static final class State {
    int inFlight;
    boolean served;
    long timer = -1;
    /** When the last request ended (or the connection opened), System.nanoTime(). */
    long idleSince = System.nanoTime();
  }

  /**
   * @param idleMs          a connection with no request in flight for this long is closed
   * @param firstRequestMs  a new connection whose first request has not started (its headers not
   *                        complete) after this long is closed
   */
  IdleConnections(Vertx vertx, long idleMs, long firstRequestMs) {
    this.vertx = vertx;
    this.idleMs = idleMs;
    this.firstRequestMs = Math.min(idleMs, firstRequestMs);
  }

  void opened(HttpConnection c) {
    State s = new State();
    states.put(c, s);
    c.closeHandler(v -> {
      State gone = states.remove(c);
      if (gone != null && gone.timer >= 0) {
        vertx.cancelTimer(gone.timer);
      }
    });
    arm(c, s, firstRequestMs);
  }

  void requestStarted(HttpConnection c) {
    State s = states.get(c);
    if (s != null) {
      s.inFlight++;
      s.served = true;
    }
  }

  void requestEnded(HttpConnection c) {
    State s = states.get(c);
    if (s != null && --s.inFlight <= 0) {
      s.inFlight = 0;
      s.idleSince = System.nanoTime();
      if (s.timer < 0) {
        arm(c, s, idleMs);
      }
    }
  }

  private void arm(HttpConnection c, State s, long delayMs) {
    s.timer = vertx.setTimer(Math.max(1, delayMs), id -> {
      s.timer = -1;
      if (s.inFlight > 0) {
        return; // re-armed when the call ends
      }
      long limit = s.served ? idleMs : firstRequestMs;
      long idleFor = (System.nanoTime() - s.idleSince) / 1_000_000;
      if (idleFor >= limit) {
        c.close();
      } else {
        arm(c, s, limit - idleFor);
      }
    });
  }
}
