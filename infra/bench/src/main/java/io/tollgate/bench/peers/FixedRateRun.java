package io.tollgate.bench.peers;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Fixed-rate (open-loop) load: request {@code n} is due at {@code start + n / rate}, whatever
 * happened to the earlier ones, and its latency runs from that due time, so a proxy that stalls
 * is charged for the queue it causes (no coordinated omission). A scheduler thread sleeps until
 * each due time and hands the send to one Vert.x event loop, which owns every counter; requests
 * still open at the deadline are recorded with the time they had waited by then and counted as
 * errors ({@code unfinished}), so an overloaded proxy cannot look fast by never answering.
 * {@link #open} runs the same schedule with a request and an observer per call, for harnesses
 * that keep their own account of every call (the whole-system benchmark's ledger).
 */
public final class FixedRateRun implements AutoCloseable {
  private final Vertx vertx;
  private final Context loop;
  private final int connections;
  private final ProcStat proc;

  /**
   * What {@link #open} sends and who hears each outcome. {@link #request} and {@link #body} run
   * on the generator's event loop, as does {@link #finished}, exactly once per call.
   */
  public interface Calls {
    /** Method, URI and headers of call {@code n}. */
    RequestOptions request(long n);

    /** The body of call {@code n}. */
    Buffer body(long n);

    /**
     * Call {@code n}, due at {@code dueNanos} (System.nanoTime), finished at {@code doneNanos}:
     * {@code status} 0 and null headers/body when it got no complete answer (connection failed,
     * body cut, or still open at the deadline: then {@code unfinished}).
     */
    void finished(long n, long dueNanos, long doneNanos, int status, MultiMap headers, Buffer body, boolean unfinished);
  }

  public FixedRateRun(int connections, ProcStat proc) {
    this.vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    this.loop = vertx.getOrCreateContext();
    this.connections = connections;
    this.proc = proc;
  }

  /** A fresh pool per phase: closing it aborts what an overloaded proxy still owes the last one. */
  private HttpClient newClient() {
    return vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true).setPipelining(false).setIdleTimeout(0))
        .with(new PoolOptions().setHttp1MaxSize(connections)).build();
  }

  /**
   * Warms the generator itself (its JIT, its buffers) against a throwaway server in this JVM
   * that answers like the upstream does, so the first measured cell is not the generator's own
   * cold start: measured on a busy machine, a cold generator fell seconds behind a 5k/s schedule
   * that the same process kept with sub-millisecond latency once warm.
   */
  public void warmSelf(LoadSpec spec, int rate, int seconds, String reply) throws InterruptedException {
    if (seconds <= 0) {
      return;
    }
    Buffer answer = Buffer.buffer(reply);
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onComplete(b ->
        req.response().putHeader("content-type", "application/json").end(answer)));
    int port;
    try {
      port = server.listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    } catch (TimeoutException e) {
      throw new IllegalStateException("warm-up server did not start", e);
    }
    try {
      phase(new LoadSpec("http://127.0.0.1:" + port + "/v1/messages", spec.body(), spec.headers()), rate, seconds, 5);
    } finally {
      awaitQuietly(server.close());
    }
  }

  /**
   * Warms up at the same rate for {@code warmupSeconds} (not recorded; its stragglers are awaited
   * so they do not leak into the measurement), then measures {@code seconds}.
   */
  CellRecord run(CellRecord labels, LoadSpec spec, int rate, int warmupSeconds, int seconds, int graceSeconds,
                 long proxyPid) throws IOException, InterruptedException {
    if (warmupSeconds > 0) {
      phase(spec, rate, warmupSeconds, graceSeconds);
    }
    ProcStat.Sample before = proc.read(proxyPid);
    Phase p = phase(spec, rate, seconds, graceSeconds);
    ProcStat.Sample after = proc.read(proxyPid);
    double elapsed = Math.max(1e-9, (p.lastCompletion - p.start) / 1e9);
    CellRecord r = labels.with("offered_rps", rate).with("sent", p.total)
        .with("requests", p.ok).with("errors", p.failed + p.unfinished).with("unfinished", p.unfinished)
        .with("seconds", String.format("%.2f", elapsed))
        .with("rps", String.format("%.0f", p.ok / elapsed))
        .with("p50_us", p.latency.percentile(50)).with("p90_us", p.latency.percentile(90))
        .with("p99_us", p.latency.percentile(99)).with("p999_us", p.latency.percentile(99.9))
        .with("max_us", p.latency.max())
        .with("ttfb_p50_us", p.firstByte.percentile(50)).with("ttfb_p99_us", p.firstByte.percentile(99));
    return WrkRun.withProcess(r, before, after, proxyPid);
  }

  /** One schedule's state; touched only on the event loop, except {@code issued} (scheduler). */
  private static final class Phase {
    final long total;
    final long start;
    final int rate;
    final boolean[] done;
    final LogHistogram latency = new LogHistogram();
    final LogHistogram firstByte = new LogHistogram();
    final CountDownLatch finished = new CountDownLatch(1);
    volatile long issued;
    long completed;
    long ok;
    long failed;
    long unfinished;
    long lastCompletion;

    Phase(long total, long start, int rate) {
      this.total = total;
      this.start = start;
      this.rate = rate;
      this.done = new boolean[(int) total];
      this.lastCompletion = start;
    }

    long due(long n) {
      return start + n * 1_000_000_000L / rate;
    }
  }

  private Phase phase(LoadSpec spec, int rate, int seconds, int graceSeconds) throws InterruptedException {
    long total = (long) rate * seconds;
    Phase p = new Phase(total, System.nanoTime() + 20_000_000L, rate);
    Buffer body = Buffer.buffer(spec.body());
    HttpClient client = newClient();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(spec.url());
    spec.headers().forEach(options::addHeader);
    schedule(p.start, rate, total, (from, to) -> {
      p.issued = to;
      loop.runOnContext(v -> {
        for (long i = from; i < to; i++) {
          send(client, p, i, options, body);
        }
      });
    });
    if (!p.finished.await(seconds + graceSeconds, TimeUnit.SECONDS)) {
      CountDownLatch closed = new CountDownLatch(1);
      loop.runOnContext(v -> {
        long now = System.nanoTime();
        for (int i = 0; i < p.total; i++) {
          if (!p.done[i]) {
            p.done[i] = true;
            p.unfinished++;
            p.latency.record((now - p.due(i)) / 1000);
            p.firstByte.record((now - p.due(i)) / 1000);
          }
        }
        p.lastCompletion = now;
        closed.countDown();
      });
      closed.await(10, TimeUnit.SECONDS);
    }
    awaitQuietly(client.close());
    return p;
  }

  /** Hands calls [from, to) to the event loop. */
  private interface Batch {
    void issue(long from, long to);
  }

  /** Sleeps until each call's due time ({@code start + n / rate}); everything due at a wake-up goes in one batch. */
  private static void schedule(long start, int rate, long total, Batch batch) {
    long n = 0;
    while (n < total) {
      long wait = start + n * 1_000_000_000L / rate - System.nanoTime();
      if (wait > 0) {
        LockSupport.parkNanos(wait);
        continue;
      }
      // Everything already due goes in one hand-off, so a late wake-up costs one task, not many.
      long from = n;
      long now = System.nanoTime();
      while (n < total && start + n * 1_000_000_000L / rate <= now) {
        n++;
      }
      batch.issue(from, n);
    }
  }

  /**
   * Sends calls {@code 0 .. rate × seconds - 1} open loop, call {@code n} due at
   * {@code start + n / rate}, each on a fresh pool of this run's connections, and reports every
   * outcome to {@code calls}. Returns the schedule's start (System.nanoTime) once every call has
   * finished, or at {@code seconds + graceSeconds}, when the calls still open are reported as
   * unfinished.
   */
  public long open(Calls calls, int rate, int seconds, int graceSeconds) throws InterruptedException {
    long total = (long) rate * seconds;
    long start = System.nanoTime() + 20_000_000L;
    boolean[] done = new boolean[(int) total];
    long[] completed = {0};
    CountDownLatch finished = new CountDownLatch(total == 0 ? 0 : 1);
    HttpClient client = newClient();
    schedule(start, rate, total, (from, to) -> loop.runOnContext(v -> {
      for (long i = from; i < to; i++) {
        long n = i;
        long due = start + n * 1_000_000_000L / rate;
        int[] status = {0};
        MultiMap[] headers = {null};
        Runnable count = () -> {
          done[(int) n] = true;
          if (++completed[0] == total) {
            finished.countDown();
          }
        };
        client.request(calls.request(n)).compose(req -> req.send(calls.body(n))).compose(resp -> {
          status[0] = resp.statusCode();
          headers[0] = resp.headers();
          return resp.body();
        }).onComplete(ar -> {
          if (done[(int) n]) {
            return; // written off at the deadline
          }
          count.run();
          if (ar.succeeded()) {
            calls.finished(n, due, System.nanoTime(), status[0], headers[0], ar.result(), false);
          } else {
            calls.finished(n, due, System.nanoTime(), 0, null, null, false);
          }
        });
      }
    }));
    if (!finished.await(seconds + graceSeconds, TimeUnit.SECONDS)) {
      CountDownLatch closed = new CountDownLatch(1);
      loop.runOnContext(v -> {
        long now = System.nanoTime();
        for (int i = 0; i < total; i++) {
          if (!done[i]) {
            done[i] = true;
            calls.finished(i, start + i * 1_000_000_000L / rate, now, 0, null, null, true);
          }
        }
        closed.countDown();
      });
      closed.await(10, TimeUnit.SECONDS);
    }
    awaitQuietly(client.close());
    return start;
  }

  private static void send(HttpClient client, Phase p, long n, RequestOptions options, Buffer body) {
    long due = p.due(n);
    long[] firstByte = {0};
    client.request(options).compose(req -> req.send(body)).onComplete(ar -> {
      if (ar.failed()) {
        complete(p, n, due, 0, false);
        return;
      }
      var resp = ar.result();
      boolean good = resp.statusCode() == 200;
      resp.handler(chunk -> {
        if (firstByte[0] == 0) {
          firstByte[0] = System.nanoTime();
        }
      });
      resp.exceptionHandler(e -> complete(p, n, due, firstByte[0], false));
      resp.endHandler(v -> complete(p, n, due, firstByte[0], good));
    });
  }

  private static void complete(Phase p, long n, long due, long firstByteAt, boolean good) {
    if (p.done[(int) n]) {
      return; // already written off at the deadline, or a second failure callback
    }
    long now = System.nanoTime();
    p.done[(int) n] = true;
    p.latency.record((now - due) / 1000);
    p.firstByte.record(((firstByteAt == 0 ? now : firstByteAt) - due) / 1000);
    if (good) {
      p.ok++;
    } else {
      p.failed++;
    }
    p.lastCompletion = Math.max(p.lastCompletion, now);
    if (++p.completed == p.total) {
      p.finished.countDown();
    }
  }

  @Override
  public void close() {
    awaitQuietly(vertx.close());
  }

  private static void awaitQuietly(Future<?> f) {
    try {
      f.await(10, TimeUnit.SECONDS);
    } catch (TimeoutException | RuntimeException e) {
      // closing is best effort: the process ends right after
    }
  }
}
