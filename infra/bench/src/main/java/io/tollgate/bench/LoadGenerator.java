package io.tollgate.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends POSTs at a fixed rate (open loop) and measures latency from the moment each request was
 * due, so a stalled server cannot hide its queueing (no coordinated omission). Bounded in time and
 * count; loopback only.
 */
final class LoadGenerator {
  /** What one run measured. */
  record Result(String name, long sent, long ok, long failed, double seconds, long[] latenciesMicros) {
    double throughput() {
      return ok / seconds;
    }

    long percentileMicros(double p) {
      if (latenciesMicros.length == 0) {
        return 0;
      }
      int i = (int) Math.min(latenciesMicros.length - 1, Math.ceil(p / 100.0 * latenciesMicros.length) - 1);
      return latenciesMicros[Math.max(0, i)];
    }
  }

  private final Vertx vertx;
  private final HttpClient client;

  LoadGenerator(Vertx vertx) {
    this.vertx = vertx;
    this.client = vertx.httpClientBuilder()
        .with(new HttpClientOptions().setKeepAlive(true).setPipelining(false))
        .with(new PoolOptions().setHttp1MaxSize(256)).build();
  }

  Result run(String name, String url, String body, Map<String, String> headers, int ratePerSecond, int seconds)
      throws InterruptedException {
    long total = (long) ratePerSecond * seconds;
    long[] latencies = new long[(int) total];
    AtomicLong done = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    CountDownLatch finished = new CountDownLatch(1);
    Buffer payload = Buffer.buffer(body);
    long start = System.nanoTime();
    long intervalNanos = 1_000_000_000L / ratePerSecond;
    AtomicLong issued = new AtomicLong();
    vertx.setPeriodic(1, id -> {
      long due = (System.nanoTime() - start) / intervalNanos + 1;
      while (issued.get() < Math.min(due, total)) {
        long n = issued.getAndIncrement();
        long scheduled = start + n * intervalNanos;
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url);
        headers.forEach(options::addHeader);
        client.request(options).compose(r -> r.send(payload)).compose(resp -> resp.body().map(b -> resp.statusCode()))
            .onComplete(ar -> {
              latencies[(int) n] = (System.nanoTime() - scheduled) / 1000;
              if (ar.succeeded() && ar.result() == 200) {
                ok.incrementAndGet();
              } else {
                failed.incrementAndGet();
              }
              if (done.incrementAndGet() == total) {
                finished.countDown();
              }
            });
      }
      if (issued.get() >= total) {
        vertx.cancelTimer(id);
      }
    });
    if (!finished.await(seconds + 60L, TimeUnit.SECONDS)) {
      failed.addAndGet(total - done.get());
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] sorted = Arrays.copyOf(latencies, (int) done.get());
    Arrays.sort(sorted);
    return new Result(name, total, ok.get(), failed.get(), elapsed, sorted);
  }

  void close() {
    client.close();
  }
}
