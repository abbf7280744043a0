package io.tollgate.ingress.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The tags of a call ("spend by feature"), from the same places as LiteLLM: the key's tags
 * ({@code tags}, or {@code metadata.tags} as LiteLLM's {@code /key/generate} stores them), the
 * team's {@code metadata.tags}, then what the client sent: body {@code metadata.tags},
 * {@code litellm_metadata.tags}, the {@code x-litellm-tags} header (comma-separated) and a body
 * {@code tags} array. Merged in that order, trimmed, blanks skipped, duplicates kept once.
 *
 * <p>The key's and the team's tags come first so the caps only ever drop what a client sent. A
 * call is never refused for its tags (LiteLLM caps nothing and refuses nothing there): at most
 * {@value #MAX_TAGS} tags, each cut to {@value #MAX_TAG} characters, non-string entries skipped,
 * and each of those counted by {@code dropped(reason, n)}. With LiteLLM's
 * {@code general_settings.reject_clientside_metadata_tags} the client's tags are refused (400) instead.
 * Pure: directory lookups in memory, no I/O.
 */
public final class RequestTags {
  public static final String HEADER = "x-litellm-tags";
  public static final int MAX_TAGS = io.tollgate.schemas.RequestTagLimits.MAX_TAGS;
  public static final int MAX_TAG = io.tollgate.schemas.RequestTagLimits.MAX_TAG_LENGTH;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A counter of tags not kept: reason {@code count}, {@code length} (cut, still kept) or {@code invalid}. */
  public interface DroppedTags {
    DroppedTags NONE = (reason, n) -> { };

    void dropped(String reason, int n);
  }

  /**
   * The tags of one call.
   *
   * @param tags         the merged, capped tags (never null)
   * @param clientSource where the client sent tags ({@code metadata.tags}, {@code x-litellm-tags} …), or null
   */
  public record Tags(List<String> tags, String clientSource) {
    public static final Tags NONE = new Tags(List.of(), null);
  }

  private final Directory directory;
  private final DroppedTags metrics;

  public RequestTags(Directory directory, DroppedTags metrics) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /**
   * @param header  case-insensitive header lookup
   * @param body    the parsed body, or null when it could not be read (the header and key still count)
   * @param keyHash the authenticated key's hash, or null
   */
  public Tags resolve(Function<String, String> header, ObjectNode body, String keyHash) {
    Merge merge = new Merge();
    VirtualKey key = keyHash == null ? null : directory.key(keyHash);
    if (key != null) {
      key.getTags().forEach(merge::add);
      merge.addJsonArray(key.getMetadata().get("tags"));
      Team team = key.getTeamId() == null ? null : directory.team(key.getTeamId());
      if (team != null) {
        merge.addJsonArray(team.getMetadata().get("tags"));
      }
    }
    String source = null;
    if (body != null) {
      source = merge.addNode(body.path("metadata").get("tags"), "metadata.tags", source);
      source = merge.addNode(body.path("litellm_metadata").get("tags"), "litellm_metadata.tags", source);
    }
    String headerValue = header.apply(HEADER);
    if (headerValue != null) {
      source = source == null ? HEADER : source;
      for (String part : headerValue.split(",", MAX_TAGS * 4 + 1)) {
        merge.add(part);
      }
    }
    if (body != null) {
      source = merge.addNode(body.get("tags"), "tags", source);
    }
    merge.report(metrics);
    return merge.tags.isEmpty() && source == null ? Tags.NONE : new Tags(List.copyOf(merge.tags), source);
  }

  /** Whether the client sent tags anywhere (what {@code reject_clientside_metadata_tags} refuses). */
  public static String clientSource(Function<String, String> header, ObjectNode body) {
    if (body != null) {
      if (body.path("metadata").has("tags")) {
        return "metadata.tags";
      }
      if (body.path("litellm_metadata").has("tags")) {
        return "litellm_metadata.tags";
      }
    }
    if (header.apply(HEADER) != null) {
      return HEADER;
    }
    return body != null && body.has("tags") ? "tags" : null;
  }

  /** LiteLLM's words when {@code reject_clientside_metadata_tags} refuses a call. */
  public static String rejection(String source) {
    return "Client-side '" + source + "' not allowed in request. 'reject_clientside_metadata_tags'=True. "
        + "Tags can only be set via API key metadata.";
  }

  private static final class Merge {
    final Set<String> tags = new LinkedHashSet<>();
    int overCount;
    int cut;
    int invalid;

    void add(String raw) {
      if (raw == null) {
        invalid++;
        return;
      }
      String tag = raw.strip();
      if (tag.isEmpty() || tags.contains(tag)) {
        return;
      }
      if (tag.length() > MAX_TAG) {
        int end = Character.isHighSurrogate(tag.charAt(MAX_TAG - 1)) ? MAX_TAG - 1 : MAX_TAG;
        tag = tag.substring(0, end);
        if (tags.contains(tag)) {
          return;
        }
        cut++;
      }
      if (tags.size() >= MAX_TAGS) {
        overCount++;
        return;
      }
      tags.add(tag);
    }

    /** A body field: only an array counts (as in LiteLLM); anything else is one invalid entry. */
    String addNode(JsonNode node, String where, String source) {
      if (node == null) {
        return source;
      }
      if (!node.isArray()) {
        invalid++;
        return source == null ? where : source;
      }
      int seen = 0;
      for (JsonNode item : node) {
        if (++seen > MAX_TAGS * 4) {
          overCount += node.size() - seen + 1; // the rest cannot fit: counted, not walked
          break;
        }
        if (item.isTextual()) {
          add(item.asText());
        } else {
          invalid++;
        }
      }
      return source == null ? where : source;
    }

    /** Metadata values are strings; a list of tags there is its JSON text ({@code ["a","b"]}). */
    void addJsonArray(String text) {
      if (text == null || text.isBlank()) {
        return;
      }
      try {
        JsonNode node = JSON.readTree(text);
        if (node.isArray()) {
          node.forEach(n -> add(n.isTextual() ? n.asText() : null));
        } else if (node.isTextual()) {
          add(node.asText());
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        add(text); // a plain string: one tag
      }
    }

    void report(DroppedTags metrics) {
      if (overCount > 0) {
        metrics.dropped("count", overCount);
      }
      if (cut > 0) {
        metrics.dropped("length", cut);
      }
      if (invalid > 0) {
        metrics.dropped("invalid", invalid);
      }
    }
  }
}
