package io.tollgate.bench.chaos;

/**
 * A cut link, not a stopped process: gateway and broker in their own network namespaces
 * ({@link NetNs}), the link between them taken down for the fault's length while the broker keeps
 * running and the aggregator keeps reaching it. Skipped, with the reason, without root.
 */
final class Partition {
  private Partition() {
  }

  static Result run(ChaosMain.Context ctx, String id, String title) throws Exception {
    String why = NetNs.whyNot();
    if (why != null) {
      return new Result(id, title, ctx.command(id), 0, java.util.Map.of(), null, null, 0, 0, Double.NaN, -1,
          java.util.List.of(), false, why);
    }
    try (NetNs ns = NetNs.create(); Run run = ctx.run(id, ns.net(), 0, null)) {
      run.begin();
      int span = run.scale.secs(30, 6);
      run.faultStart("gateway ↔ broker link down for " + span + " s");
      ns.cut();
      run.observe(span, "link down " + span + " s");
      ns.heal();
      run.faultEnd();
      return run.finish(title + " " + span + " s", ctx.command(id), true);
    }
  }
}
