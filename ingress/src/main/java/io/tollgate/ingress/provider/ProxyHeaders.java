package io.tollgate.ingress.provider;

import java.util.Set;

/**
 * Headers a load balancer or reverse proxy in front of the gateway adds about the client's
 * connection ({@code X-Forwarded-For}, {@code -Proto}, {@code -Host}, {@code -Port},
 * {@code X-Real-IP}, {@code Forwarded}). Tollgate reads none of them — identity, budgets and
 * metering come from keys and headers of the API itself, never from a client address a client
 * could forge — and never passes them upstream: they describe the caller's network and the
 * deployment in front of the gateway, which a provider has no business learning.
 */
final class ProxyHeaders {
  private static final Set<String> EXACT = Set.of("forwarded", "x-real-ip", "x-client-ip", "x-original-forwarded-for",
      "true-client-ip", "cf-connecting-ip");

  private ProxyHeaders() {
  }

  /** {@code lowerCaseName}: a header name in lower case. */
  static boolean fromProxy(String lowerCaseName) {
    return lowerCaseName.startsWith("x-forwarded-") || EXACT.contains(lowerCaseName);
  }
}
