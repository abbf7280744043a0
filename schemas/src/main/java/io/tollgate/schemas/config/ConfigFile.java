package io.tollgate.schemas.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The one config file of every app, a superset of LiteLLM's {@code config.yaml}, bound once:
 * {@code model_list}, {@code general_settings}, {@code litellm_settings} (incl. {@code
 * model_group_settings}), a root-level {@code model_group_settings} (older Tollgate configs) and
 * the {@code tollgate:} section. LiteLLM's other top-level sections are {@link Ignored}.
 *
 * <p>{@link #problems()} holds what the file itself gets wrong (unknown keys, values of the wrong
 * type); each app adds what its own part needs (environment references, rule semantics).
 */
public final class ConfigFile {
  private final Root root;
  private final Problems problems;

  private ConfigFile(Root root, Problems problems) {
    this.root = root;
    this.problems = problems;
  }

  /** The file's top level. */
  @Ignored({"router_settings", "environment_variables", "guardrails", "callback_settings", "credential_list",
      "mcp_servers", "mcp_tools", "vector_store_registry", "files_settings", "assistant_settings",
      "finetune_settings", "search_tools", "prompts", "include", "pass_through_endpoints", "litellm_proxy_settings"})
  public record Root(List<ModelEntry> modelList, GeneralSettings generalSettings, LitellmSettings litellmSettings,
                     LitellmSettings.ModelGroupSettings modelGroupSettings, TollgateSection tollgate) {
    public Root {
      modelList = ConfigTree.list(modelList);
      generalSettings = generalSettings == null ? new GeneralSettings(null, null, null, null, null) : generalSettings;
      litellmSettings = litellmSettings == null ? new LitellmSettings(null, null, null, null) : litellmSettings;
      modelGroupSettings = modelGroupSettings == null ? LitellmSettings.ModelGroupSettings.EMPTY : modelGroupSettings;
      tollgate = tollgate == null ? TollgateSection.EMPTY : tollgate;
    }
  }

  /** Reads and binds {@code file}; null = no file (every default). */
  public static ConfigFile load(Path file) {
    return of(file == null ? ConfigTree.empty() : ConfigTree.read(file));
  }

  /** Binds an already parsed tree (tests, the launcher's built-in config). */
  public static ConfigFile of(JsonNode tree) {
    Objects.requireNonNull(tree);
    Problems problems = new Problems();
    if (!tree.isObject() && !tree.isMissingNode() && !tree.isNull()) {
      problems.error("the configuration", "must be a YAML mapping");
    }
    Root root = ConfigTree.bind(tree, Root.class, "", problems);
    root.generalSettings().validate(problems, "general_settings");
    for (int i = 0; i < root.modelList().size(); i++) {
      root.modelList().get(i).validate(problems, "model_list[" + i + "]");
    }
    root.tollgate().validate(problems, "tollgate");
    return new ConfigFile(root, problems);
  }

  public Root root() {
    return root;
  }

  /** A copy of the file's own problems, for an app to add its own to. */
  public Problems problems() {
    Problems copy = new Problems();
    copy.addAll(problems);
    return copy;
  }
}
