package io.tollgate.aggregator.topology;

/**
 * Record keys of the aggregates. Parts are length-prefixed ({@code 4:acme}) so no customer, model
 * or tool name can make two different groups collide on a compacted topic.
 */
public final class SpendKeys {
  private SpendKeys() {
  }

  public static String group(String... parts) {
    int length = 0; // sized once: the key is built per event and target on the stream threads
    for (String part : parts) {
      int n = part == null ? 0 : part.length();
      length += digits(n) + 2 + n; // length, ':', part, '|'
    }
    StringBuilder out = new StringBuilder(length);
    for (String part : parts) {
      String p = part == null ? "" : part;
      if (out.length() > 0) {
        out.append('|');
      }
      out.append(p.length()).append(':').append(p);
    }
    return out.toString();
  }

  private static int digits(int n) {
    int d = 1;
    while (n >= 10) {
      n /= 10;
      d++;
    }
    return d;
  }

  /** The parts of a {@link #group} key, in order. */
  public static String[] split(String key, int count) {
    String[] parts = new String[count];
    int pos = 0;
    for (int i = 0; i < count; i++) {
      int colon = key.indexOf(':', pos);
      int length = Integer.parseInt(key.substring(pos, colon));
      parts[i] = key.substring(colon + 1, colon + 1 + length);
      pos = colon + 1 + length + 1;
    }
    return parts;
  }
}
