package io.tollgate.ingress.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.VirtualKey;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RequestTagsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String KEY_HASH = KeyAuth.sha256("sk-tagged-key-0000000000");

  private final Map<String, Integer> dropped = new TreeMap<>();
  private final Directory directory = new Directory() {
    @Override
    public VirtualKey key(String keyHash) {
      return KEY_HASH.equals(keyHash) ? VirtualKey.newBuilder().setKeyHash(keyHash).setTeamId("t1")
          .setTags(List.of("key-tag", "shared")).setMetadata(Map.of("tags", "[\"key-meta\"]"))
          .setCreatedAt(Instant.EPOCH).build() : null;
    }

    @Override
    public Team team(String teamId) {
      return "t1".equals(teamId) ? Team.newBuilder().setTeamId("t1").setMetadata(Map.of("tags", "[\"team-tag\",\"shared\"]"))
          .setCreatedAt(Instant.EPOCH).build() : null;
    }

    @Override
    public Customer customer(String customerId) {
      return null;
    }

    @Override
    public Budget budget(String budgetId) {
      return null;
    }
  };
  private final RequestTags tags = new RequestTags(directory, (reason, n) -> dropped.merge(reason, n, Integer::sum));

  private static ObjectNode body(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json);
  }

  private static Function<String, String> header(String value) {
    return name -> name.equals(RequestTags.HEADER) ? value : null;
  }

  @Test
  void keyAndTeamTagsComeFirstThenTheClientsInLiteLlmsOrderEachOnce() throws Exception {
    ObjectNode b = body("{\"metadata\":{\"tags\":[\"feature:chat\",\" shared \"]},"
        + "\"litellm_metadata\":{\"tags\":[\"lm\"]},\"tags\":[\"root\",\"feature:chat\"]}");
    RequestTags.Tags t = tags.resolve(header(" hdr-a , ,hdr-b,lm"), b, KEY_HASH);
    assertThat(t.tags()).containsExactly("key-tag", "shared", "key-meta", "team-tag", "feature:chat", "lm",
        "hdr-a", "hdr-b", "root");
    assertThat(t.clientSource()).isEqualTo("metadata.tags");
    assertThat(dropped).isEmpty();
  }

  @Test
  void anUnknownKeyOrNoKeyHasOnlyTheClientsTags() throws Exception {
    assertThat(tags.resolve(header("a,b"), body("{}"), null).tags()).containsExactly("a", "b");
    assertThat(tags.resolve(name -> null, body("{\"metadata\":{\"user_id\":\"u\"}}"), "00ff").tags()).isEmpty();
    assertThat(tags.resolve(name -> null, null, null)).isEqualTo(RequestTags.Tags.NONE);
  }

  @Test
  void tooManyTagsAreDroppedAndTooLongOnesCutEachCounted() throws Exception {
    StringBuilder many = new StringBuilder("{\"metadata\":{\"tags\":[");
    for (int i = 0; i < 40; i++) {
      many.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
    }
    many.append(",\"").append("x".repeat(500)).append("\",7,null]}}");
    RequestTags.Tags t = tags.resolve(name -> null, body(many.toString()), KEY_HASH);
    assertThat(t.tags()).hasSize(RequestTags.MAX_TAGS);
    assertThat(t.tags().subList(0, 4)).as("the key's and team's tags are never the ones dropped")
        .containsExactly("key-tag", "shared", "key-meta", "team-tag");
    assertThat(t.tags()).allMatch(s -> s.length() <= RequestTags.MAX_TAG);
    // 4 server tags + 28 client tags kept; 12 plain ones and the cut long one did not fit
    assertThat(dropped).containsEntry("count", 13).containsEntry("length", 1).containsEntry("invalid", 2);
  }

  @Test
  void aHugeArrayIsCountedNotWalked() throws Exception {
    StringBuilder many = new StringBuilder("{\"tags\":[");
    for (int i = 0; i < 10_000; i++) {
      many.append(i == 0 ? "" : ",").append("\"t").append(i).append('"');
    }
    RequestTags.Tags t = tags.resolve(name -> null, body(many.append("]}").toString()), null);
    assertThat(t.tags()).hasSize(RequestTags.MAX_TAGS);
    assertThat(dropped.get("count")).isEqualTo(10_000 - RequestTags.MAX_TAGS);
  }

  @Test
  void tagsThatAreNoArrayAreInvalidAndStillCountAsClientTags() throws Exception {
    RequestTags.Tags t = tags.resolve(name -> null, body("{\"metadata\":{\"tags\":\"a,b\"}}"), null);
    assertThat(t.tags()).isEmpty();
    assertThat(t.clientSource()).isEqualTo("metadata.tags");
    assertThat(dropped).containsEntry("invalid", 1);
  }

  @Test
  void whereTheClientSentTagsIsFoundForRejection() throws Exception {
    assertThat(RequestTags.clientSource(name -> null, body("{\"metadata\":{\"user_id\":\"u\"}}"))).isNull();
    assertThat(RequestTags.clientSource(name -> null, body("{\"litellm_metadata\":{\"tags\":[]}}")))
        .isEqualTo("litellm_metadata.tags");
    assertThat(RequestTags.clientSource(header("a"), body("{}"))).isEqualTo(RequestTags.HEADER);
    assertThat(RequestTags.clientSource(name -> null, body("{\"tags\":[\"a\"]}"))).isEqualTo("tags");
    assertThat(RequestTags.rejection("metadata.tags")).isEqualTo("Client-side 'metadata.tags' not allowed in "
        + "request. 'reject_clientside_metadata_tags'=True. Tags can only be set via API key metadata.");
  }
}
