package io.tollgate.bench.system;

import io.tollgate.bench.chaos.Ledger;
import io.tollgate.bench.chaos.LoadGen;
import io.tollgate.bench.peers.FixedRateRun;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * The calls of one step and the client's account of each: Anthropic Messages (JSON) to the
 * gateway with the master key, all for the step's own customer, each asking the mock provider
 * for a usage of its own ({@code x-mock-usage}, as the demo traffic does), so the client knows
 * every call's price. A call is answered when it got a 2xx, the upstream {@code request-id}
 * and a whole message body; it then goes into the {@link Ledger}. Touched by the generator's
 * event loop only, read once the step is over.
 */
final class StepCalls implements FixedRateRun.Calls {
  /** About 1 KB of prompt, as in the measurements of the gateway. */
  private static final String FILLER = "x".repeat(900);

  private final String host;
  private final int port;
  private final String key;
  private final String customer;
  final Ledger ledger = new Ledger();
  final long[] due;
  final long[] done;
  final boolean[] ok;
  final boolean[] unfinished;

  StepCalls(String host, int port, String key, String customer, int total) {
    this.host = host;
    this.port = port;
    this.key = key;
    this.customer = customer;
    this.due = new long[total];
    this.done = new long[total];
    this.ok = new boolean[total];
    this.unfinished = new boolean[total];
  }

  static long input(long n) {
    return 100 + n % 900;
  }

  static long output(long n) {
    return 1 + n % 64;
  }

  @Override
  public RequestOptions request(long n) {
    return new RequestOptions().setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI("/v1/messages")
        .setIdleTimeout(60_000)
        .putHeader("content-type", "application/json").putHeader("x-api-key", key)
        .putHeader("anthropic-version", "2023-06-01").putHeader("x-litellm-customer-id", customer)
        .putHeader("x-mock-usage", "input=" + input(n) + ",output=" + output(n));
  }

  @Override
  public Buffer body(long n) {
    return Buffer.buffer("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
        + "\"content\":\"system bench call " + n + " " + FILLER + "\"}]}");
  }

  @Override
  public void finished(long n, long dueNanos, long doneNanos, int status, MultiMap headers, Buffer body,
                       boolean cut) {
    int i = (int) n;
    due[i] = dueNanos;
    done[i] = doneNanos;
    unfinished[i] = cut;
    if (cut) {
      ledger.failed("no answer by the deadline");
    } else if (status == 0) {
      ledger.failed("no answer (connection failed or cut)");
    } else if (status / 100 != 2) {
      ledger.failed("status " + status);
    } else if (headers.get("request-id") == null) {
      ledger.failed("2xx without request-id");
    } else if (!LoadGen.complete(body, false)) {
      ledger.failed("2xx with an incomplete body");
    } else {
      ok[i] = true;
      ledger.answered(new Ledger.Answer(headers.get("request-id"), Ledger.cost(input(n), output(n)), doneNanos,
          (doneNanos - dueNanos) / 1_000));
    }
  }
}
