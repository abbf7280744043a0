package io.tollgate.bench.peers;

import io.vertx.core.buffer.Buffer;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The gateway's usage tap alone — {@code ResponseTap}, the code every chunk of an answer passes
 * through on its way to the client — of two builds in one JVM: each ingress jar in a class loader
 * of its own (child-first for {@code io.tollgate.ingress}, everything else shared), rounds
 * alternating between them, cost as this thread's CPU time (so other load on the machine delays
 * a round but does not bill it). The same recorded answers as the peers run: the 51-event
 * Anthropic stream fed whole (as the bench upstream sends it) and one event per chunk (as a
 * provider streams), and the JSON answer. Prints one {@code TAP} line per build and case: the
 * median of the second half of the rounds (the first half is JIT warm-up).
 */
public final class TapBench {
  private TapBench() {
  }

  /** One build's ResponseTap, driven by reflection (it is package-private in the gateway). */
  private static final class Build {
    final String name;
    final Method of;
    final Method onChunk;
    final Method onEnd;
    final Method reading;
    final Object messages;

    Build(String name, Path ingressJar) throws Exception {
      this.name = name;
      ClassLoader loader = new ChildFirst(ingressJar.toUri().toURL(), TapBench.class.getClassLoader());
      Class<?> tap = loader.loadClass("io.tollgate.ingress.provider.ResponseTap");
      Class<?> api = loader.loadClass("io.tollgate.ingress.usage.Api");
      of = tap.getDeclaredMethod("of", api, int.class, String.class, String.class, boolean.class);
      onChunk = tap.getDeclaredMethod("onChunk", Buffer.class);
      onEnd = tap.getDeclaredMethod("onEnd");
      reading = tap.getDeclaredMethod("reading");
      for (Method m : List.of(of, onChunk, onEnd, reading)) {
        m.setAccessible(true);
      }
      messages = api.getMethod("valueOf", String.class).invoke(null, "MESSAGES");
    }

    /** One answer through a fresh tap; returns the bytes forwarded (so nothing is optimised away). */
    long call(String contentType, List<Buffer> chunks) throws Exception {
      Object t = of.invoke(null, messages, 200, contentType, null, false);
      long forwarded = 0;
      for (Buffer c : chunks) {
        forwarded += ((Buffer) onChunk.invoke(t, c)).length();
      }
      onEnd.invoke(t);
      return forwarded + reading.invoke(t).toString().length();
    }
  }

  /** Loads the gateway's classes from its jar first, so two builds can live side by side. */
  private static final class ChildFirst extends URLClassLoader {
    ChildFirst(URL jar, ClassLoader parent) {
      super(new URL[] {jar}, parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (!name.startsWith("io.tollgate.ingress.")) {
        return super.loadClass(name, resolve);
      }
      synchronized (getClassLoadingLock(name)) {
        Class<?> c = findLoadedClass(name);
        return c != null ? c : findClass(name);
      }
    }
  }

  private record Case(String payload, String chunking, String contentType, List<Buffer> chunks, int events) {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    byte[] sse = Files.readAllBytes(Path.of(opt.get("sse")));
    byte[] json = Files.readAllBytes(Path.of(opt.get("json")));
    int rounds = Integer.parseInt(opt.getOrDefault("rounds", "20"));
    long roundNanos = (long) (Double.parseDouble(opt.getOrDefault("round-seconds", "0.5")) * 1e9);
    List<Case> cases = List.of(
        new Case("sse", "whole", "text/event-stream", List.of(Buffer.buffer(sse)), events(sse)),
        new Case("sse", "event", "text/event-stream", perEvent(sse), events(sse)),
        new Case("json", "whole", "application/json", List.of(Buffer.buffer(json)), 1));
    List<Build> builds = List.of(new Build("base", Path.of(opt.get("baseline-jar"))),
        new Build("current", Path.of(opt.get("current-jar"))));
    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
    for (Case c : cases) {
      Map<String, List<Double>> perCall = new HashMap<>();
      for (int r = 0; r < rounds; r++) {
        for (Build b : builds) {
          long calls = 0;
          long sink = 0;
          long wallEnd = System.nanoTime() + roundNanos;
          long start = cpu.getCurrentThreadCpuTime();
          while (System.nanoTime() < wallEnd) {
            for (int k = 0; k < 100; k++) {
              sink += b.call(c.contentType(), c.chunks());
            }
            calls += 100;
          }
          long used = cpu.getCurrentThreadCpuTime() - start;
          if (sink == 0) {
            throw new IllegalStateException("the tap forwarded nothing");
          }
          perCall.computeIfAbsent(b.name, k -> new ArrayList<>()).add((double) used / calls);
        }
      }
      for (Build b : builds) {
        List<Double> all = perCall.get(b.name);
        double[] late = all.subList(all.size() / 2, all.size()).stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double median = late[late.length / 2];
        System.out.println(String.format(java.util.Locale.ROOT,
            "TAP build=%s payload=%s chunking=%s events=%d ns_per_call=%.0f ns_per_event=%.0f rounds=%d",
            b.name, c.payload(), c.chunking(), c.events(), median, median / c.events(), rounds));
      }
    }
  }

  private static int events(byte[] sse) {
    return perEvent(sse).size();
  }

  /** The stream cut after each blank line: one event per chunk. */
  private static List<Buffer> perEvent(byte[] sse) {
    List<Buffer> out = new ArrayList<>();
    int from = 0;
    for (int i = 0; i + 1 < sse.length; i++) {
      if (sse[i] == '\n' && sse[i + 1] == '\n') {
        out.add(Buffer.buffer(Arrays.copyOfRange(sse, from, i + 2)));
        from = i + 2;
      }
    }
    if (from < sse.length) {
      out.add(Buffer.buffer(Arrays.copyOfRange(sse, from, sse.length)));
    }
    return out;
  }
}
