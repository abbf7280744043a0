package io.tollgate.schemas.config;

import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import com.fasterxml.jackson.databind.introspect.AnnotatedParameter;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Reads the YAML config and binds its sections to records with Jackson, reporting problems instead
 * of throwing at the first one. Before binding, the tree is walked against the records' own
 * properties (as Jackson sees them, so the two cannot disagree): every key no record binds is a
 * warning with its path ({@link Ignored} keys as "not implemented"), and every scalar must already
 * have the type its property declares — {@code port: "5x87"} or {@code z_warning: abc} is an error,
 * never a coercion to a default. Quoted numbers ({@code port: "587"}) and booleans are accepted as
 * LiteLLM (pydantic) accepts them.
 */
public final class ConfigTree {
  private static final ObjectMapper YAML = YAMLMapper.builder()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .build();
  private static final ObjectMapper BINDER = JsonMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES) // reported by check(), with paths
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .addHandler(new AlreadyReported())
      .build();
  private static final Map<JavaType, Map<String, JavaType>> PROPERTIES = new ConcurrentHashMap<>();

  private ConfigTree() {
  }

  /** An empty mapping, for "no file". */
  public static JsonNode empty() {
    return JsonNodeFactory.instance.objectNode();
  }

  /**
   * Parses {@code file}; an empty file is an empty mapping.
   *
   * @throws ConfigException when it cannot be read or is not YAML (the message quotes no line of
   *                         the file: the line may hold a secret)
   */
  public static JsonNode read(Path file) {
    try {
      JsonNode root = YAML.readTree(Files.readAllBytes(file));
      return root == null || root.isMissingNode() || root.isNull() ? empty() : root;
    } catch (JacksonException e) {
      // The first line only: the parser's further lines quote the file, which may hold a secret.
      String why = String.valueOf(e.getOriginalMessage()).lines().findFirst().orElse("").trim();
      throw new ConfigException(List.of(file + " is not valid YAML (" + why
          + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()) + ")"));
    } catch (IOException e) {
      throw new ConfigException(List.of("cannot read config " + file + ": " + e.getClass().getSimpleName()));
    }
  }

  /**
   * Checks {@code node} (null or missing = empty) against {@code type}, then binds it; never null.
   * Problems go to {@code problems} with paths under {@code path}.
   */
  public static <T> T bind(JsonNode node, Class<T> type, String path, Problems problems) {
    JsonNode n = node == null || node.isMissingNode() || node.isNull() ? empty() : node;
    int errorsBefore = problems.errorCount();
    check(n, BINDER.constructType(type), path, problems);
    try {
      T value = BINDER.treeToValue(n.isObject() ? n : empty(), type);
      return value != null ? value : BINDER.treeToValue(empty(), type);
    } catch (IOException | IllegalArgumentException e) {
      if (problems.errorCount() == errorsBefore) {
        problems.error(path.isEmpty() ? "the configuration" : path, "cannot be read (" + e.getClass().getSimpleName() + ")");
      }
      try {
        return BINDER.treeToValue(empty(), type);
      } catch (IOException impossible) {
        throw new IllegalStateException(impossible);
      }
    }
  }

  /** The walk described above; exposed for tests. */
  static void check(JsonNode n, JavaType type, String path, Problems problems) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return;
    }
    Class<?> raw = type.getRawClass();
    if (raw == JsonNode.class || raw == Object.class) {
      return;
    }
    if (type.isCollectionLikeType()) {
      if (!n.isArray()) {
        problems.error(path, "must be a list");
        return;
      }
      for (int i = 0; i < n.size(); i++) {
        check(n.get(i), type.getContentType(), path + "[" + i + "]", problems);
      }
    } else if (type.isMapLikeType()) {
      if (!n.isObject()) {
        problems.error(path, "must be a mapping");
        return;
      }
      n.properties().forEach(e -> check(e.getValue(), type.getContentType(), child(path, e.getKey()), problems));
    } else if (raw == String.class) {
      if (n.isContainerNode()) {
        problems.error(path, "must be a text value, not a " + (n.isArray() ? "list" : "mapping"));
      }
    } else if (raw == Integer.class || raw == Long.class) {
      BigInteger v = wholeNumber(n);
      long min = raw == Integer.class ? Integer.MIN_VALUE : Long.MIN_VALUE;
      long max = raw == Integer.class ? Integer.MAX_VALUE : Long.MAX_VALUE;
      if (v == null) {
        problems.error(path, "must be a whole number");
      } else if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
        problems.error(path, "is out of range");
      }
    } else if (raw == Double.class || raw == BigDecimal.class) {
      if (decimal(n) == null) {
        problems.error(path, "must be a number");
      }
    } else if (raw == Boolean.class) {
      if (!n.isBoolean() && !(n.isTextual() && Set.of("true", "false").contains(n.asText().trim().toLowerCase()))) {
        problems.error(path, "must be true or false");
      }
    } else if (raw.isRecord()) {
      checkRecord(n, type, raw, path, problems);
    } else {
      throw new IllegalStateException("config records use wrapper types, String, List, Map or records: " + type);
    }
  }

  private static void checkRecord(JsonNode n, JavaType type, Class<?> raw, String path, Problems problems) {
    if (!n.isObject()) {
      problems.error(path, "must be a mapping");
      return;
    }
    Map<String, JavaType> known = properties(type);
    Ignored ignored = raw.getAnnotation(Ignored.class);
    Set<String> unimplemented = ignored == null ? Set.of() : Set.of(ignored.value());
    Predicate<String> extra = extraKeys(raw);
    n.properties().forEach(e -> {
      String where = child(path, e.getKey());
      JavaType t = known.get(e.getKey());
      if (t != null) {
        check(e.getValue(), t, where, problems);
      } else if (extra.test(e.getKey())) {
        return; // the record checks these values itself
      } else if (unimplemented.contains(e.getKey())) {
        problems.warn(where, "not implemented by Tollgate, ignored");
      } else {
        problems.warn(where, "unknown key, ignored");
      }
    });
  }

  /** The YAML key → type of every property a record binds, from Jackson's own view of it. */
  private static Map<String, JavaType> properties(JavaType type) {
    return PROPERTIES.computeIfAbsent(type, t -> {
      Map<String, JavaType> out = new LinkedHashMap<>();
      for (BeanPropertyDefinition p : BINDER.getDeserializationConfig().introspect(t).findProperties()) {
        AnnotatedParameter param = p.getConstructorParameter();
        if (param != null && !param.hasAnnotation(JsonAnySetter.class)) {
          out.put(p.getName(), param.getType());
        }
      }
      return Collections.unmodifiableMap(out);
    });
  }

  private static Predicate<String> extraKeys(Class<?> raw) {
    ExtraKeys extra = raw.getAnnotation(ExtraKeys.class);
    if (extra == null) {
      return key -> false;
    }
    try {
      return extra.value().getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private static BigInteger wholeNumber(JsonNode n) {
    if (n.isIntegralNumber()) {
      return n.bigIntegerValue();
    }
    BigDecimal d = n.isTextual() ? decimal(n) : n.isNumber() ? n.decimalValue() : null;
    if (d == null || d.stripTrailingZeros().scale() > 0 || n.isFloatingPointNumber() || n.isTextual()
        && !n.asText().trim().matches("[+-]?\\d+")) {
      return null;
    }
    return d.toBigIntegerExact();
  }

  private static BigDecimal decimal(JsonNode n) {
    if (n.isNumber()) {
      return n.decimalValue();
    }
    if (n.isTextual()) {
      try {
        return new BigDecimal(n.asText().trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  /** {@code path.key}, or {@code key} at the root. */
  public static String child(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /** A list without nulls (absent = empty), unmodifiable: what records hold. */
  public static <T> List<T> list(List<T> values) {
    if (values == null) {
      return List.of();
    }
    List<T> out = new ArrayList<>();
    values.stream().filter(v -> v != null).forEach(out::add);
    return Collections.unmodifiableList(out);
  }

  /** A map without null values (absent = empty), unmodifiable, in file order. */
  public static <V> Map<String, V> map(Map<String, V> values) {
    Map<String, V> out = new LinkedHashMap<>();
    if (values != null) {
      values.forEach((k, v) -> {
        if (v != null) {
          out.put(k, v);
        }
      });
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * Binding runs after {@link #check}, which reported every value of the wrong type: such a value
   * binds as null instead of aborting the rest of the file.
   */
  private static final class AlreadyReported extends DeserializationProblemHandler {
    @Override
    public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> targetType, String value, String msg) {
      return null;
    }

    @Override
    public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> targetType, Number value, String msg) {
      return null;
    }

    @Override
    public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken t, JsonParser p,
                                        String msg) throws IOException {
      p.skipChildren();
      return null;
    }

    @Override
    public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass,
                                            ValueInstantiator inst, JsonParser p, String msg) throws IOException {
      p.skipChildren();
      return null;
    }
  }
}
