package io.tollgate.bench.peers;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** What every request of a cell is: a POST of one body with fixed headers to one URL. */
public record LoadSpec(String url, String body, Map<String, String> headers) {
  public LoadSpec {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(body, "body");
    headers = Map.copyOf(new LinkedHashMap<>(headers));
  }
}
