package io.tollgate.launcher;

import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** Prints one line per start-up step with its duration, so a first run that installs things shows where it is. */
final class Progress {
  private final PrintStream out;

  Progress(PrintStream out) {
    this.out = Objects.requireNonNull(out, "out");
  }

  <T> T step(String what, Supplier<T> action) {
    out.printf("  %-46s ", what + " …");
    out.flush();
    long start = System.nanoTime();
    try {
      T result = action.get();
      out.printf("ok (%.1f s)%n", (System.nanoTime() - start) / 1e9);
      return result;
    } catch (RuntimeException e) {
      out.printf("FAILED after %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      throw e;
    }
  }

  PrintStream out() {
    return out;
  }

  void line(String text) {
    out.println(text);
  }
}
