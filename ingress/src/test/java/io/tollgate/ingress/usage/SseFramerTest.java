package io.tollgate.ingress.usage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class SseFramerTest {
  private record Event(String name, String data) {
  }

  private static List<Event> frame(String text, int chunkSize, ByteArrayOutputStream raw) {
    List<Event> events = new ArrayList<>();
    SseFramer framer = new SseFramer((name, data, rawBytes) -> {
      if (rawBytes != null) {
        raw.writeBytes(rawBytes);
      }
      if (name != null || data.length > 0) {
        events.add(new Event(name, new String(data, StandardCharsets.UTF_8)));
      }
    }, raw != null);
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i += chunkSize) {
      framer.feed(bytes, i, Math.min(chunkSize, bytes.length - i));
    }
    if (raw != null) {
      raw.writeBytes(framer.pendingRaw());
    }
    return events;
  }

  @Test
  void handlesEveryLineEndingCommentsAndMultiLineData() {
    String text = ": keep-alive\r\nevent: a\r\ndata: one\r\ndata: two\r\n\r\n"
        + "data:no-space\n\n"
        + "event: b\rdata: {\"x\":\"é\"}\r\r"
        + "id: 7\nretry: 10\ndata: last\n\n";
    for (int size = 1; size <= text.length(); size++) {
      assertThat(frame(text, size, null)).as("chunk size %d", size).containsExactly(
          new Event("a", "one\ntwo"), new Event(null, "no-space"), new Event("b", "{\"x\":\"é\"}"),
          new Event(null, "last"));
    }
  }

  @Test
  void rawBytesReassembleToExactlyTheInput() {
    String text = "event: a\r\ndata: 1\r\n\r\n: c\n\ndata: 2\n\ndata: unfinished";
    for (int size = 1; size <= 7; size++) {
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      frame(text, size, raw);
      assertThat(raw.toString(StandardCharsets.UTF_8)).isEqualTo(text);
    }
  }

  @Test
  void emptyChunksBetweenTheHalvesOfACrLfChangeNothing() {
    String text = "event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n";
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    for (int size = 1; size <= 5; size++) {
      List<Event> events = new ArrayList<>();
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      SseFramer framer = new SseFramer((name, data, rawBytes) -> {
        raw.writeBytes(rawBytes);
        if (name != null || data.length > 0) {
          events.add(new Event(name, new String(data, StandardCharsets.UTF_8)));
        }
      }, true);
      for (int i = 0; i < bytes.length; i += size) {
        framer.feed(bytes, i, Math.min(size, bytes.length - i));
        framer.feed(new byte[0], 0, 0);
      }
      raw.writeBytes(framer.pendingRaw());
      assertThat(events).as("chunk size %d", size).containsExactly(new Event("a", "1"), new Event(null, "2"));
      assertThat(raw.toString(StandardCharsets.UTF_8)).isEqualTo(text);
    }
  }
}
