package io.tollgate.bench;

/** A benchmark's own section of BENCHMARKS.md, between its begin and end markers. */
public final class BenchSections {
  private BenchSections() {}

  /**
   * {@code old} with the section from {@code begin} to {@code end} (and the newline after it)
   * replaced by {@code section}, or with {@code section} appended when the markers are missing.
   */
  public static String replace(String old, String begin, String end, String section) {
    int b = old.indexOf(begin);
    int e = old.indexOf(end);
    if (b < 0 || e < b) {
      return old.stripTrailing() + "\n\n" + section;
    }
    int after = e + end.length();
    if (after < old.length() && old.charAt(after) == '\n') {
      after++;
    }
    return old.substring(0, b) + section + old.substring(after);
  }
}
