package io.tollgate.aggregator.topology;

/**
 * Record keys of the aggregates. Parts are length-prefixed ({@code 4:acme}) so no customer, model
 * or tool name can make two different groups collide on a compacted topic.
 */
public final class SpendKeys {
  private SpendKeys() {
  }

  public static String group(String... parts) {
    StringBuilder out = new StringBuilder();
    for (String part : parts) {
      String p = part == null ? "" : part;
      if (out.length() > 0) {
        out.append('|');
      }
      out.append(p.length()).append(':').append(p);
    }
    return out.toString();
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
