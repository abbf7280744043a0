package io.tollgate.reconciler.config;

import io.tollgate.schemas.config.ConfigFile;
import io.tollgate.schemas.config.Env;
import io.tollgate.schemas.config.Problems;
import io.tollgate.schemas.config.ReconciliationSection;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns {@code tollgate.reconciliation} of the shared config file into a {@link ReconcilerConfig},
 * reporting every problem at once. Admin keys come from {@code os.environ/NAME} (a literal key is
 * refused: it would sit in a file); messages name keys, never values.
 *
 * <pre>
 * tollgate:
 *   reconciliation:
 *     lookback_days: 7
 *     poll_interval_hours: 24
 *     settle_hours: 48
 *     drift_percent: 2
 *     drift_usd: 1
 *     min_drift_usd: 0.05
 *     channels: [slack]
 *     anthropic: {admin_key: os.environ/ANTHROPIC_ADMIN_KEY, api_key_ids: [apikey_01...], workspace_ids: [wrkspc_01...]}
 *     openai: {admin_key: os.environ/OPENAI_ADMIN_KEY, project_ids: [proj_abc]}
 * </pre>
 */
public final class ReconcilerConfigLoader {
  static final int DEFAULT_LOOKBACK_DAYS = 7;
  static final int MAX_LOOKBACK_DAYS = 90;
  static final int DEFAULT_POLL_HOURS = 24;
  static final int DEFAULT_SETTLE_HOURS = 48;
  static final BigDecimal DEFAULT_PERCENT = new BigDecimal("2");
  static final BigDecimal DEFAULT_USD = new BigDecimal("1");
  static final BigDecimal DEFAULT_MIN_USD = new BigDecimal("0.05");
  static final URI ANTHROPIC = URI.create("https://api.anthropic.com");
  static final URI OPENAI = URI.create("https://api.openai.com");
  private static final Set<String> CHANNELS = Set.of("slack", "email", "log");
  private static final String PATH = "tollgate.reconciliation";

  private ReconcilerConfigLoader() {
  }

  public static ReconcilerConfig fromFile(Path file, Map<String, String> env) {
    return from(ConfigFile.load(file), env);
  }

  /** Throws {@link io.tollgate.schemas.config.ConfigException} listing every error. */
  public static ReconcilerConfig from(ConfigFile file, Map<String, String> env) {
    Problems problems = file.problems();
    ReconciliationSection s = file.root().tollgate().reconciliation();
    if (s == null) {
      s = new ReconciliationSection(null, null, null, null, null, null, null, null, null);
    }
    Env e = new Env(env);
    int lookback = range(problems, PATH + ".lookback_days", s.lookbackDays(), DEFAULT_LOOKBACK_DAYS, 1, MAX_LOOKBACK_DAYS);
    int poll = range(problems, PATH + ".poll_interval_hours", s.pollIntervalHours(), DEFAULT_POLL_HOURS, 1, 24 * 7);
    int settle = range(problems, PATH + ".settle_hours", s.settleHours(), DEFAULT_SETTLE_HOURS, 0, 24 * 30);
    long percent = scaled(problems, PATH + ".drift_percent", s.driftPercent(), DEFAULT_PERCENT, 2);
    long usd = scaled(problems, PATH + ".drift_usd", s.driftUsd(), DEFAULT_USD, 9);
    long min = scaled(problems, PATH + ".min_drift_usd", s.minDriftUsd(), DEFAULT_MIN_USD, 9);
    List<String> channels = s.channels().isEmpty() ? List.of("log") : s.channels();
    for (String c : channels) {
      if (c == null || !CHANNELS.contains(c)) {
        problems.error(PATH + ".channels", "'" + c + "' is not a channel (slack, email, log)");
      }
    }
    ReconcilerConfig.Anthropic anthropic = null;
    if (s.anthropic() != null) {
      String where = PATH + ".anthropic";
      String key = adminKey(problems, e, where, s.anthropic().adminKey());
      URI base = url(problems, where + ".base_url", s.anthropic().baseUrl(), ANTHROPIC);
      ids(problems, where + ".api_key_ids", s.anthropic().apiKeyIds());
      ids(problems, where + ".workspace_ids", s.anthropic().workspaceIds());
      if (key != null && base != null) {
        anthropic = new ReconcilerConfig.Anthropic(key, s.anthropic().apiKeyIds(), s.anthropic().workspaceIds(), base);
      }
    }
    ReconcilerConfig.OpenAi openai = null;
    if (s.openai() != null) {
      String where = PATH + ".openai";
      String key = adminKey(problems, e, where, s.openai().adminKey());
      URI base = url(problems, where + ".base_url", s.openai().baseUrl(), OPENAI);
      ids(problems, where + ".project_ids", s.openai().projectIds());
      if (key != null && base != null) {
        openai = new ReconcilerConfig.OpenAi(key, s.openai().projectIds(), base);
      }
    }
    problems.throwIfErrors();
    return new ReconcilerConfig(lookback, Duration.ofHours(poll), Duration.ofHours(settle),
        new ReconcilerConfig.Drift(percent, usd, min), channels, anthropic, openai, problems.warnings());
  }

  private static String adminKey(Problems problems, Env env, String where, String value) {
    if (value == null || value.isBlank()) {
      problems.error(where + ".admin_key", "is required (os.environ/NAME)");
      return null;
    }
    if (!value.startsWith(Env.PREFIX)) {
      problems.error(where + ".admin_key", "must be os.environ/NAME (an admin key does not belong in a file; value not shown)");
      return null;
    }
    return env.resolve(where + ".admin_key", value, problems);
  }

  private static URI url(Problems problems, String where, String value, URI fallback) {
    if (value == null) {
      return fallback;
    }
    try {
      URI u = URI.create(value.strip().replaceAll("/+$", ""));
      if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
        return u;
      }
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    problems.error(where, "must be an http(s) URL");
    return null;
  }

  private static void ids(Problems problems, String where, List<String> ids) {
    for (String id : ids) {
      if (id == null || id.isBlank() || id.length() > 200) {
        problems.error(where, "must hold non-empty ids of at most 200 characters");
        return;
      }
    }
  }

  private static int range(Problems problems, String where, Integer value, int fallback, int min, int max) {
    if (value == null) {
      return fallback;
    }
    if (value < min || value > max) {
      problems.error(where, "must be " + min + "-" + max);
    }
    return value;
  }

  /** {@code value} × 10^scale as a long (percent → basis points, USD → nano-USD); must be ≥ 0. */
  private static long scaled(Problems problems, String where, BigDecimal value, BigDecimal fallback, int scale) {
    BigDecimal v = value == null ? fallback : value;
    if (v.signum() < 0 || v.compareTo(new BigDecimal("1000000")) > 0) {
      problems.error(where, "must be 0-1000000");
      return 0;
    }
    return v.movePointRight(scale).setScale(0, RoundingMode.HALF_UP).longValueExact();
  }
}
