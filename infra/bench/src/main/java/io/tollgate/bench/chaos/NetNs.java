package io.tollgate.bench.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces, one for the gateway (and its upstream, the mock provider) and one for
 * the broker, joined to each other and to the root namespace (the harness, the aggregator,
 * ClickHouse) by veth pairs. The broker's address lives on its namespace's loopback and is routed
 * to from both sides, so one advertised address serves every client; cutting the gateway↔broker
 * link ({@link #cut}) takes the veth's broker end down: the gateway's packets to the broker go
 * nowhere while everything else keeps talking. Needs root ({@code ip netns}, iproute2).
 */
final class NetNs implements AutoCloseable {
  static final String GATEWAY_NS = "tgchaos-gw";
  static final String KAFKA_NS = "tgchaos-kafka";
  static final String BROKER_IP = "10.231.9.1";
  static final String GATEWAY_IP = "10.231.1.2";
  private static final String LINK = "tgc-k-gw";

  private NetNs() {
  }

  /** Whether this process may make namespaces; null when it may, else why not. */
  static String whyNot() {
    try {
      String uid = new String(new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
          StandardCharsets.UTF_8).trim();
      if (!uid.equals("0")) {
        return "skipped: needs root for ip netns (id -u is " + uid + ")";
      }
      run(false, "ip", "netns", "list");
      return null;
    } catch (IOException | RuntimeException e) {
      return "skipped: ip netns is not usable here (" + e.getMessage() + ")";
    }
  }

  static NetNs create() {
    NetNs ns = new NetNs();
    ns.teardown(); // leftovers of an interrupted run
    try {
      ip("netns", "add", GATEWAY_NS);
      ip("netns", "add", KAFKA_NS);
      in(GATEWAY_NS, "ip", "link", "set", "lo", "up");
      in(KAFKA_NS, "ip", "link", "set", "lo", "up");
      in(KAFKA_NS, "ip", "addr", "add", BROKER_IP + "/32", "dev", "lo");
      // root ↔ gateway: the load generator reaches the gateway here
      veth("tgc-r-gw", null, "10.231.1.1/30", "tgc-gw-r", GATEWAY_NS, GATEWAY_IP + "/30");
      // gateway ↔ broker: the link the scenario cuts
      veth("tgc-gw-k", GATEWAY_NS, "10.231.2.1/30", LINK, KAFKA_NS, "10.231.2.2/30");
      // root ↔ broker: the aggregator's path
      veth("tgc-r-k", null, "10.231.3.1/30", "tgc-k-r", KAFKA_NS, "10.231.3.2/30");
      in(GATEWAY_NS, "ip", "route", "add", BROKER_IP + "/32", "via", "10.231.2.2");
      ip("route", "add", BROKER_IP + "/32", "via", "10.231.3.2");
      return ns;
    } catch (RuntimeException e) {
      ns.teardown();
      throw e;
    }
  }

  Stack.Net net() {
    return new Stack.Net(GATEWAY_NS, KAFKA_NS, BROKER_IP, GATEWAY_IP);
  }

  /** The gateway↔broker link goes down on the broker's side (the gateway's end loses its carrier). */
  void cut() {
    in(KAFKA_NS, "ip", "link", "set", LINK, "down");
  }

  void heal() {
    in(KAFKA_NS, "ip", "link", "set", LINK, "up");
  }

  private static void veth(String a, String nsA, String ipA, String b, String nsB, String ipB) {
    ip("link", "add", a, "type", "veth", "peer", "name", b);
    if (nsA != null) {
      ip("link", "set", a, "netns", nsA);
    }
    ip("link", "set", b, "netns", nsB);
    exec(nsA, "ip", "addr", "add", ipA, "dev", a);
    exec(nsA, "ip", "link", "set", a, "up");
    exec(nsB, "ip", "addr", "add", ipB, "dev", b);
    exec(nsB, "ip", "link", "set", b, "up");
  }

  private static void exec(String ns, String... cmd) {
    if (ns == null) {
      run(true, cmd);
    } else {
      in(ns, cmd);
    }
  }

  private static void ip(String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(List.of(args));
    run(true, cmd.toArray(String[]::new));
  }

  private static void in(String ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    cmd.addAll(List.of(args));
    run(true, cmd.toArray(String[]::new));
  }

  private static void run(boolean mustSucceed, String... cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " hung");
      }
      if (mustSucceed && p.exitValue() != 0) {
        throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Deleting a namespace deletes its veth ends, and with them their peers in the root namespace. */
  private void teardown() {
    run(false, "ip", "route", "del", BROKER_IP + "/32");
    run(false, "ip", "netns", "del", GATEWAY_NS);
    run(false, "ip", "netns", "del", KAFKA_NS);
    run(false, "ip", "link", "del", "tgc-r-gw");
    run(false, "ip", "link", "del", "tgc-r-k");
  }

  @Override
  public void close() {
    teardown();
  }
}
