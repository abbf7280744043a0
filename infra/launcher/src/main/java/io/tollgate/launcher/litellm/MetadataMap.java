package io.tollgate.launcher.litellm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A LiteLLM {@code metadata} JSON object as the string map Tollgate's records hold: strings as they
 * are, other values as compact JSON, {@code tags} taken out as the key's tags. Capped (entries,
 * name and value lengths, tags), and entries that may hold credentials (LiteLLM's per-key
 * {@code logging} callbacks carry logging-service keys) are left out: the records travel through
 * Kafka and a gateway's snapshot. Every left-out part is named (never its value) in the notes.
 */
final class MetadataMap {
  static final int MAX_ENTRIES = 64;
  static final int MAX_NAME = 128;
  static final int MAX_VALUE = 1024;
  static final int MAX_TAGS = 64;
  static final int MAX_TAG = 128;
  private static final Pattern SECRET_NAME =
      Pattern.compile("logging|.*(secret|password|passwd|api_key|apikey|token|credential|private_key).*");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The map (sorted by name, so two imports encode the same bytes), the tags, and what was left out. */
  record Metadata(SortedMap<String, String> entries, List<String> tags, List<String> notes) {
  }

  private MetadataMap() {
  }

  static Metadata of(String json, boolean takeTags) {
    SortedMap<String, String> entries = new TreeMap<>();
    List<String> tags = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    if (json == null || json.isBlank()) {
      return new Metadata(entries, tags, notes);
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      notes.add("metadata is not valid JSON; left out");
      return new Metadata(entries, tags, notes);
    }
    if (root == null || root.isNull()) {
      return new Metadata(entries, tags, notes);
    }
    if (!root.isObject()) {
      notes.add("metadata is not a JSON object; left out");
      return new Metadata(entries, tags, notes);
    }
    TreeMap<String, JsonNode> sorted = new TreeMap<>();
    root.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
    for (Map.Entry<String, JsonNode> e : sorted.entrySet()) {
      String name = e.getKey();
      JsonNode value = e.getValue();
      if (takeTags && name.equals("tags")) {
        tags(value, tags, notes);
        continue;
      }
      if (value == null || value.isNull()) {
        continue;
      }
      if (SECRET_NAME.matcher(name.toLowerCase(Locale.ROOT)).matches()) {
        notes.add("metadata entry '" + shorten(name) + "' left out: it may hold credentials");
        continue;
      }
      if (name.length() > MAX_NAME) {
        notes.add("metadata entry '" + shorten(name) + "' left out: name longer than " + MAX_NAME + " characters");
        continue;
      }
      String text = value.isTextual() ? value.textValue() : value.toString();
      if (text.length() > MAX_VALUE) {
        notes.add("metadata entry '" + name + "' left out: value longer than " + MAX_VALUE + " characters");
        continue;
      }
      if (entries.size() >= MAX_ENTRIES) {
        notes.add("metadata entry '" + name + "' left out: more than " + MAX_ENTRIES + " entries");
        continue;
      }
      entries.put(name, text);
    }
    return new Metadata(entries, tags, notes);
  }

  private static void tags(JsonNode value, List<String> tags, List<String> notes) {
    if (value == null || value.isNull()) {
      return;
    }
    if (!value.isArray()) {
      notes.add("metadata.tags is not an array; left out");
      return;
    }
    for (JsonNode tag : value) {
      if (!tag.isTextual() || tag.textValue().isBlank()) {
        notes.add("a metadata.tags element is not a non-empty string; left out");
      } else if (tag.textValue().length() > MAX_TAG) {
        notes.add("a tag longer than " + MAX_TAG + " characters left out");
      } else if (tags.size() >= MAX_TAGS) {
        notes.add("tags beyond " + MAX_TAGS + " left out");
        return;
      } else if (!tags.contains(tag.textValue())) {
        tags.add(tag.textValue());
      }
    }
  }

  private static String shorten(String name) {
    return name.length() <= 40 ? name : name.substring(0, 40) + "…";
  }
}
