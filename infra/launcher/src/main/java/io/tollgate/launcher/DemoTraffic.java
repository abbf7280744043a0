package io.tollgate.launcher;

import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ./tollgate run --demo}: a few minutes of realistic synthetic traffic through the gateway,
 * so the spend tables, the dashboards and the alerts have something to show. Several customers
 * (each with a usual tool and model), Claude Code (streaming Messages with prompt caching), Codex
 * (streaming Responses), Gemini CLI (streaming {@code streamGenerateContent?alt=sse} with its
 * User-Agent and {@code x-goog-api-key}), Cursor and the SDKs (Chat Completions, Messages), and one spending spike:
 * a customer burning Opus tokens until the $50/day rule fires, and one broken prompt cache: from a
 * minute boundary about a quarter into the run, {@link #CACHE_BREAK_CUSTOMER}'s Claude Code calls
 * write their whole prompt prefix to the cache on every call instead of reading it (what a timestamp
 * in the system prompt does), so the demo's minute-window cache-break rule fires once. Three calls in four carry a feature tag
 * ({@code x-litellm-tags} or body {@code metadata.tags}, as Claude Code's {@code ANTHROPIC_CUSTOM_HEADERS}
 * and the SDKs send them), so the spend-by-tag report and panel have data. Token counts are set with the mock
 * provider's {@code x-mock-usage} header, so the demo only runs against the mock provider — never
 * against a real one, where it would cost money.
 */
final class DemoTraffic implements AutoCloseable {
  /** The customer behind the spike (the alert names it). */
  static final String SPIKE_CUSTOMER = "wayne-enterprises";
  /** The customer whose prompt cache breaks (the cache-break alert names it). */
  static final String CACHE_BREAK_CUSTOMER = "hooli-search";

  /** The product features the demo's calls are tagged with; the spike is the agent loop. */
  static final List<String> FEATURES = List.of("feature:code-review", "feature:chat", "feature:search",
      "feature:summaries");
  static final String SPIKE_FEATURE = "feature:agent-loop";

  private record Persona(String customer, String tool, String userAgent, String api, String model, int inputK,
                         int cacheReadK, int outputTokens) {
  }

  private static final List<Persona> PERSONAS = List.of(
      new Persona("acme-platform", "claude-code", "claude-cli/2.1.12 (external, cli)", "messages", "claude-sonnet-4-5", 3, 40, 900),
      new Persona("acme-platform", "codex", "codex_cli_rs/0.58.0 (Linux 6.8.0; x86_64) xterm-256color", "responses", "gpt-5-codex", 6, 20, 1200),
      new Persona("globex-research", "claude-code", "claude-cli/2.0.31 (external, sdk-cli)", "messages", "claude-opus-4-1", 2, 30, 600),
      new Persona("globex-research", "anthropic-sdk-python", "Anthropic/Python 0.72.0", "messages", "claude-haiku-4-5", 4, 0, 300),
      new Persona("initech-dev", "cursor", "cursor/1.7.44", "chat", "gpt-5", 8, 4, 700),
      new Persona("initech-dev", "codex", "codex_exec/0.57.0 (Mac OS 15.1.0; arm64)", "responses", "gpt-5-codex", 5, 15, 800),
      new Persona("umbrella-ml", "openai-sdk-python", "OpenAI/Python 2.8.1", "chat", "gpt-5-mini", 2, 0, 400),
      new Persona("hooli-search", "claude-code", "claude-cli/2.1.12 (external, cli)", "messages", "claude-sonnet-4-5", 5, 60, 1500),
      new Persona("hooli-search", "gemini-cli", "GeminiCLI/0.61.0/gemini-2.5-pro (linux; x64; terminal)", "gemini",
          "gemini-2.5-pro", 12, 30, 900),
      new Persona("umbrella-ml", "gemini-cli", "GeminiCLI-tui/0.61.0/gemini-2.5-flash (darwin; arm64; terminal)",
          "gemini", "gemini-2.5-flash", 8, 0, 400));

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "demo-traffic");
    t.setDaemon(true);
    return t;
  });
  private final Semaphore inFlight = new Semaphore(16);
  private final Random random = new Random(2026);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final String gateway;
  private final PrintStream out;
  private final long endNanos;
  private final long spikeAtNanos;
  /** Wall-clock time (a UTC minute boundary: the alert rule reads minute windows) the cache breaks. */
  private final long cacheBreakAtMillis;
  private volatile boolean cacheBroken;

  /** The gateway's master key, or null on an open gateway (each persona then sends a key of its own). */
  private final String key;
  /** The demo team's key (acme-platform's calls use it), or null when not made. */
  private volatile String teamKey;

  private DemoTraffic(String gateway, String key, Duration length, PrintStream out) {
    this.gateway = Objects.requireNonNull(gateway, "gateway");
    this.key = key;
    this.out = Objects.requireNonNull(out, "out");
    long start = System.nanoTime();
    this.endNanos = start + length.toNanos();
    this.spikeAtNanos = start + length.toNanos() * 6 / 10;
    // at least 45 s of normal traffic first (the baseline), then a whole minute of broken traffic
    this.cacheBreakAtMillis = cacheBreakAt(System.currentTimeMillis(), length);
  }

  /** The first UTC minute boundary at least max(45 s, a quarter of the run) after {@code startMillis}. */
  static long cacheBreakAt(long startMillis, Duration length) {
    long earliest = startMillis + Math.max(45_000, length.toMillis() / 4);
    return (earliest + 59_999) / 60_000 * 60_000;
  }

  /** Starts sending about four calls a second to {@code gateway} for {@code length}. */
  static DemoTraffic start(String gateway, Duration length, PrintStream out) {
    return start(gateway, null, length, out);
  }

  /** Same, authenticating with {@code key} (the master key of {@code ./tollgate run}). */
  static DemoTraffic start(String gateway, String key, Duration length, PrintStream out) {
    DemoTraffic demo = new DemoTraffic(gateway, key, length, out);
    if (key != null) {
      demo.scheduler.execute(demo::accounts); // before the first call: the scheduler has one thread
    }
    demo.scheduler.scheduleAtFixedRate(demo::tick, 0, 250, TimeUnit.MILLISECONDS);
    demo.scheduler.scheduleAtFixedRate(demo::report, 30, 30, TimeUnit.SECONDS);
    return demo;
  }

  /** The demo's team, its key and customers with budgets (the Keys and Teams & customers pages show them). */
  static final String TEAM = "demo-platform";
  static final String TEAM_KEY_ALIAS = "demo-acme-platform";
  /** The customers the demo gives a budget: generous, so no demo call is refused. */
  static final List<String> BUDGETED = List.of("acme-platform", "globex-research", "initech-dev");

  /**
   * With the master key: creates (when missing) the team {@link #TEAM} with a monthly budget, a key
   * of that team for {@code acme-platform}'s calls, and budgets with limits for {@link #BUDGETED}.
   * Through the management API, as a user would; a rerun on kept data finds them there.
   */
  private void accounts() {
    try {
      manage("/team/new", "{\"team_id\":\"" + TEAM + "\",\"team_alias\":\"Platform team\",\"max_budget\":5000,"
          + "\"budget_duration\":\"30d\",\"tpm_limit\":50000000}");
      int i = 0;
      for (String customer : BUDGETED) {
        manage("/customer/new", "{\"user_id\":\"" + customer + "\",\"max_budget\":" + (1000 * ++i)
            + ",\"budget_duration\":\"30d\",\"rpm_limit\":" + (600 * i) + "}");
      }
      HttpResponse<String> made = manage("/key/generate", "{\"key_alias\":\"" + TEAM_KEY_ALIAS + "-"
          + Long.toString(System.currentTimeMillis(), 36) + "\",\"team_id\":\"" + TEAM + "\",\"max_budget\":2000,"
          + "\"budget_duration\":\"30d\",\"rpm_limit\":100000}");
      if (made.statusCode() == 200) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"key\"\\s*:\\s*\"(sk-[^\"]+)\"").matcher(made.body());
        if (m.find()) {
          teamKey = m.group(1);
        }
      }
      out.printf("Demo: team %s with key %s (used by acme-platform's calls) and budgets for %s; see %s/ui/#/manage%n",
          TEAM, teamKey == null ? "(not made)" : TEAM_KEY_ALIAS + "-…", String.join(", ", BUDGETED), gateway);
    } catch (Exception e) {
      out.println("Demo: could not create the demo team, key and customers (" + e.getMessage() + "); traffic goes on");
    }
  }

  /** One management call with the master key; answers 400 when the thing exists already (a rerun). */
  private HttpResponse<String> manage(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(20))
        .header("content-type", "application/json").header("authorization", "Bearer " + key)
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private void tick() {
    long now = System.nanoTime();
    if (now >= endNanos) {
      out.printf("Demo traffic finished: %d calls (%d failed). The spend is in ClickHouse and the gateway's /global/spend/report.%n",
          sent.get(), failed.get());
      scheduler.shutdown();
      return;
    }
    Persona p = PERSONAS.get(random.nextInt(PERSONAS.size()));
    long input = scale(p.inputK() * 1000);
    long cacheRead = scale(p.cacheReadK() * 1000);
    long output = scale(p.outputTokens());
    // Each persona works on one feature; a quarter of the calls are untagged, as in real traffic.
    List<String> tags = random.nextInt(4) == 0 ? List.of()
        : List.of(FEATURES.get(Math.floorMod((p.customer() + p.tool()).hashCode(), FEATURES.size())), "env:prod");
    boolean inHeader = p.api().equals("gemini") || random.nextBoolean();
    if (p.customer().equals(CACHE_BREAK_CUSTOMER) && p.tool().equals("claude-code")
        && System.currentTimeMillis() >= cacheBreakAtMillis) {
      if (!cacheBroken) {
        cacheBroken = true;
        out.printf("Demo: %s's prompt cache breaks now (its Claude Code calls write the cache instead of reading it);"
            + " a cache-break alert follows within the minute.%n", CACHE_BREAK_CUSTOMER);
      }
      send(p, input, 0, cacheRead, output, tags, inHeader); // the prefix is written, not read
    } else {
      send(p, input, cacheRead, 0, output, tags, inHeader);
    }
    if (now >= spikeAtNanos && now < spikeAtNanos + TimeUnit.SECONDS.toNanos(5)) {
      // The spike: ~$6 of Opus per call (400k input tokens), until the $50/day rule fires.
      send(new Persona(SPIKE_CUSTOMER, "claude-code", "claude-cli/2.1.12 (external, cli)", "messages",
          "claude-opus-4-1", 400, 0, 2000), 400_000, 0, 2000, List.of(SPIKE_FEATURE, "env:prod"), true);
    }
  }

  private long scale(long tokens) {
    return tokens == 0 ? 0 : Math.max(1, Math.round(tokens * (0.5 + random.nextDouble())));
  }

  private void send(Persona p, long input, long cacheRead, long output, List<String> tags, boolean inHeader) {
    send(p, input, cacheRead, 0, output, tags, inHeader);
  }

  /**
   * @param tags     the call's tags (none: untagged)
   * @param inHeader tags in {@code x-litellm-tags} (Gemini CLI's and Claude Code's custom headers), else in body
   *                 {@code metadata.tags} (the SDKs)
   */
  private void send(Persona p, long input, long cacheRead, long cacheWrite, long output, List<String> tags,
                    boolean inHeader) {
    if (!inFlight.tryAcquire()) {
      return; // the gateway is slower than the demo: skip rather than pile up
    }
    String session = UUID.randomUUID().toString();
    String bodyTags = tags.isEmpty() || inHeader ? ""
        : "\"tags\":[" + String.join(",", tags.stream().map(t -> "\"" + t + "\"").toList()) + "]";
    String body = switch (p.api()) {
      case "messages" -> "{\"model\":\"" + p.model() + "\",\"max_tokens\":4096,\"stream\":" + p.tool().equals("claude-code")
          + ",\"metadata\":{\"user_id\":\"{\\\"session_id\\\":\\\"" + session + "\\\"}\""
          + (bodyTags.isEmpty() ? "" : "," + bodyTags) + "},"
          + "\"messages\":[{\"role\":\"user\",\"content\":\"demo\"}]}";
      case "responses" -> "{\"model\":\"" + p.model() + "\",\"stream\":true,\"input\":\"demo\""
          + (bodyTags.isEmpty() ? "" : ",\"metadata\":{" + bodyTags + "}") + "}";
      case "gemini" -> "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"demo\"}]}],"
          + "\"generationConfig\":{\"thinkingConfig\":{\"includeThoughts\":true}}}";
      default -> "{\"model\":\"" + p.model() + "\",\"user\":\"" + p.customer() + "\","
          + (bodyTags.isEmpty() ? "" : "\"metadata\":{" + bodyTags + "},")
          + "\"messages\":[{\"role\":\"user\",\"content\":\"demo\"}]}";
    };
    String path = switch (p.api()) {
      case "messages" -> "/v1/messages" + (p.tool().equals("claude-code") ? "?beta=true" : "");
      case "responses" -> "/v1/responses";
      case "gemini" -> "/v1beta/models/" + p.model() + ":streamGenerateContent?alt=sse";
      default -> "/v1/chat/completions";
    };
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(30))
        .header("content-type", "application/json").header("user-agent", p.userAgent())
        .header("x-mock-usage", "input=" + input + ",output=" + output + ",cache_read=" + cacheRead
            + (cacheWrite > 0 ? ",cache_write_5m=" + cacheWrite : ""))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (inHeader && !tags.isEmpty()) {
      request.header("x-litellm-tags", String.join(",", tags));
    }
    String demoKey = teamKey != null && p.customer().equals("acme-platform") ? teamKey
        : key != null ? key : "sk-demo-" + p.customer();
    if (p.api().equals("gemini")) {
      // GEMINI_API_KEY goes in x-goog-api-key; GEMINI_CLI_CUSTOM_HEADERS can name the customer
      request.header("x-goog-api-key", demoKey).header("x-litellm-customer-id", p.customer());
    } else if (p.api().equals("messages")) {
      request.header("x-api-key", demoKey).header("x-litellm-customer-id", p.customer());
    } else {
      request.header("authorization", "Bearer " + demoKey)
          .header("x-litellm-end-user-id", p.customer());
    }
    http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
      inFlight.release();
      sent.incrementAndGet();
      if (error != null || response.statusCode() >= 400) {
        failed.incrementAndGet();
      }
    });
  }

  /** Waits until the demo has sent its last call and every answer is in. */
  boolean awaitDone(Duration timeout) throws InterruptedException {
    return scheduler.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS)
        && inFlight.tryAcquire(16, timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  long sent() {
    return sent.get();
  }

  long failed() {
    return failed.get();
  }

  private void report() {
    out.printf("Demo traffic: %d calls so far (%d failed)%n", sent.get(), failed.get());
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
