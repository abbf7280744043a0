package io.tollgate.bench.chaos;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Upstream misbehaves for a while: among the normal calls, one in ten answers 500, one 429, one
 * stream is reset after two events, one JSON answer is cut mid-body (the mock's failure modes).
 * Each kind of failure is billed to a customer of its own, so the check is by customer: every
 * failed call has exactly one row, recorded as a failure (never as a 2xx), and the normal calls
 * around them are exact as in every scenario.
 */
final class UpstreamFaults {
  private record Kind(String name, String failure, boolean streamed) {
  }

  private static final List<Kind> KINDS = List.of(new Kind("500", "status:500", false), new Kind("429", "status:429", false),
      new Kind("reset", "cut:2", true), new Kind("cutjson", "cut:1", false));

  private UpstreamFaults() {
  }

  static Result run(ChaosMain.Context ctx, String id, String title) throws Exception {
    try (Run run = ctx.run(id)) {
      AtomicLong[] sent = {new AtomicLong(), new AtomicLong(), new AtomicLong(), new AtomicLong()};
      run.begin();
      int span = run.scale.secs(30, 6);
      run.faultStart("upstream failures for " + span + " s");
      run.load.plan(n -> {
        int k = (int) (n % 10) - 1;
        if (k >= 0 && k < KINDS.size()) {
          sent[k].incrementAndGet();
          return new LoadGen.Call(run.customer + "-" + KINDS.get(k).name(), KINDS.get(k).streamed(), KINDS.get(k).failure());
        }
        return new LoadGen.Call(run.customer, n % 2 == 0, null);
      });
      run.pause(span);
      run.load.plan(n -> new LoadGen.Call(run.customer, n % 2 == 0, null));
      run.faultEnd();
      Result base = run.finish(title, ctx.command(id), true);
      boolean pass = base.pass();
      List<String> notes = new java.util.ArrayList<>(base.notes());
      for (int k = 0; k < KINDS.size(); k++) {
        String customer = run.customer + "-" + KINDS.get(k).name();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (run.readback.count(customer) < sent[k].get() && System.nanoTime() < deadline) {
          Thread.sleep(500);
        }
        long rows = 0;
        long ok = 0;
        StringBuilder how = new StringBuilder();
        for (Map<String, Object> o : run.readback.outcomes(customer)) {
          long n = ((Number) o.get("n")).longValue();
          int status = ((Number) o.get("status")).intValue();
          rows += n;
          if (status / 100 == 2) {
            ok += n;
          }
          how.append(how.isEmpty() ? "" : ", ").append("status ").append(status).append(" `")
              .append(o.get("error")).append("` ").append(o.get("source")).append(" ×").append(n);
        }
        pass &= rows == sent[k].get() && ok == 0;
        notes.add(KINDS.get(k).name() + ": " + sent[k].get() + " calls, " + rows + " rows (" + how + ")"
            + (ok > 0 ? ", **" + ok + " recorded as 2xx**" : ""));
      }
      return new Result(base.id(), base.title(), base.command(), base.answered(), base.failures(), base.account(),
          base.windows(), base.usageRows(), base.usageCostNanos(), base.recoveryS(), base.freshS(), notes, pass, base.error());
    }
  }
}
