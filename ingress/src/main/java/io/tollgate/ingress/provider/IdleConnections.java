package io.tollgate.ingress.provider;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Closes client connections that sit idle between requests for longer than the idle timeout.
 * Not Netty's idle handler: a call may legitimately send nothing for minutes while a model
 * thinks (a long non-streaming answer), and that must not cut it; only a connection with no call
 * in flight is idle.
 */
final class IdleConnections {
  private final Vertx vertx;
  private final long idleMs;
  private final Map<HttpConnection, State> states = new ConcurrentHashMap<>();

  private static final class State {
    int inFlight;
    long timer = -1;
  }

  IdleConnections(Vertx vertx, long idleMs) {
    this.vertx = vertx;
    this.idleMs = idleMs;
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
    arm(c, s);
  }

  void requestStarted(HttpConnection c) {
    State s = states.get(c);
    if (s != null) {
      s.inFlight++;
      if (s.timer >= 0) {
        vertx.cancelTimer(s.timer);
        s.timer = -1;
      }
    }
  }

  void requestEnded(HttpConnection c) {
    State s = states.get(c);
    if (s != null && --s.inFlight <= 0) {
      s.inFlight = 0;
      arm(c, s);
    }
  }

  private void arm(HttpConnection c, State s) {
    s.timer = vertx.setTimer(idleMs, id -> {
      s.timer = -1;
      if (s.inFlight == 0) {
        c.close();
      }
    });
  }
}
