package io.tollgate.bench.chaos;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Alerting is killed while it delivers: a local Slack webhook holds every message a second before
 * answering; customers cross a $1 daily threshold one after another, and once a delivery is being
 * held the alerting process gets SIGKILL, then starts again. Every alert must reach Slack; a
 * message sent twice (the one in flight at the kill) is counted as duplicated, and whether the
 * notifier marked the resend as a possible repeat.
 */
final class NotifierKill {
  private static final Pattern CUSTOMER = Pattern.compile("customer `([^`]+)`");

  private NotifierKill() {
  }

  static Result run(ChaosMain.Context ctx, String id, String title) throws Exception {
    Map<String, AtomicInteger> delivered = new ConcurrentHashMap<>();
    AtomicInteger holding = new AtomicInteger();
    AtomicInteger marked = new AtomicInteger(); // messages the notifier marked as a possible repeat
    HttpServer slack = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    slack.setExecutor(Executors.newFixedThreadPool(4));
    slack.createContext("/hook", ex -> {
      holding.incrementAndGet();
      try {
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Matcher m = CUSTOMER.matcher(body);
        Thread.sleep(1000);
        // Only the crossing customers count: the background traffic's own customer may cross $1 too.
        if (m.find() && m.group(1).contains("-alert-")) {
          delivered.computeIfAbsent(m.group(1), k -> new AtomicInteger()).incrementAndGet();
          if (body.contains("Possible repeat")) {
            marked.incrementAndGet();
          }
        }
        ex.sendResponseHeaders(200, -1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        holding.decrementAndGet();
        ex.close();
      }
    });
    slack.start();
    String yaml = """
        tollgate:
          alerts:
            slack: {webhook_url: "http://127.0.0.1:%d/hook"}
            thresholds:
              - {id: chaos-daily-1, scope: customer, period: day, amount_usd: 1, channels: [slack]}
        """.formatted(slack.getAddress().getPort());
    try (Run run = ctx.run(id, null, 0, yaml)) {
      run.begin();
      int alerts = run.scale.secs(16, 6);
      HttpClient http = HttpClient.newHttpClient();
      String base = "http://" + run.stack.gatewayHost() + ":" + run.stack.gatewayPort() + "/v1/messages";
      for (int k = 0; k < alerts / 2; k++) {
        cross(http, base, run.customer + "-alert-" + k);
        run.pause(0.5);
      }
      long deadline = System.nanoTime() + Stack.ready().toNanos();
      while (holding.get() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      run.faultStart("SIGKILL alerting while a Slack delivery is in flight (" + delivered.size() + " delivered)");
      int before = delivered.size();
      run.stack.alerting.kill();
      run.stack.alerting.start(Stack.ready());
      long restarted = System.nanoTime();
      run.faultEnd();
      for (int k = alerts / 2; k < alerts; k++) {
        cross(http, base, run.customer + "-alert-" + k);
        run.pause(0.5);
      }
      deadline = System.nanoTime() + run.scale.settleS() * 1_000_000_000L;
      while (delivered.size() < alerts && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      double allIn = (System.nanoTime() - restarted) / 1e9;
      run.pause(3); // a duplicate would come right behind
      int duplicates = delivered.values().stream().mapToInt(n -> n.get() - 1).sum();
      run.notes.add("alerts: " + alerts + " expected, " + delivered.size() + " delivered (" + before
          + " before the kill), " + (alerts - delivered.size()) + " lost, " + duplicates
          + " sent twice (" + marked.get() + " message(s) marked as a possible repeat)"
          + (delivered.size() == alerts ? String.format(", all in %.1f s after the restart", allIn) : ""));
      if (duplicates > 0) {
        run.notes.add("**the message in flight at the kill was delivered again** (at-least-once; the notifier"
            + " marks such a resend as a possible repeat, docs/alerting.md)");
      }
      return run.finish(title, ctx.command(id), delivered.size() == alerts);
    } finally {
      slack.stop(0);
    }
  }

  /** One call of about $1.05 (100k input, 50k output tokens) for {@code customer}. */
  private static void cross(HttpClient http, String base, String customer) throws Exception {
    // A loaded machine can take its time with one call; the scenario is about the notifier.
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base)).timeout(Duration.ofSeconds(120))
        .header("x-api-key", "sk-chaos").header("x-litellm-customer-id", customer)
        .header("x-mock-usage", "input=100000,output=50000").header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[]}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("crossing call for " + customer + " answered " + r.statusCode());
    }
  }
}
