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

  /** The word-at-a-time scan finds what a byte-by-byte scan finds, at every start, end and byte value near a line end. */
  @Test
  void lineEndIsTheFirstLfOrCrWhereverItLies() {
    java.util.Random random = new java.util.Random(42);
    byte[] near = {'\n', '\r', 0x0B, 0x0C, 0x09, 0x0E, 0x00, 0x01, (byte) 0x8A, (byte) 0x8D, (byte) 0xFF, 'a', ':'};
    for (int round = 0; round < 2_000; round++) {
      byte[] b = new byte[1 + random.nextInt(40)];
      for (int k = 0; k < b.length; k++) {
        b[k] = random.nextInt(4) == 0 ? (byte) random.nextInt(256) : near[random.nextInt(near.length)];
      }
      int from = random.nextInt(b.length);
      int end = from + random.nextInt(b.length - from + 1);
      int expected = from;
      while (expected < end && b[expected] != '\n' && b[expected] != '\r') {
        expected++;
      }
      assertThat(SseFramer.lineEnd(b, from, end)).as("round %d", round).isEqualTo(expected);
    }
  }

  /** More names than the framer remembers, some of one length and one prefix, repeated and interleaved. */
  @Test
  void eventNamesStayRightPastTheRememberedOnes() {
    StringBuilder text = new StringBuilder();
    List<Event> expected = new ArrayList<>();
    String[] names = {"content_block_delta", "content_block_start", "content_block_stop", "message_start", "ping",
        "message_delta", "message_stop", "n1", "n2", "n3", "n4", "content_block_delta", "é"};
    for (int round = 0; round < 3; round++) {
      for (String name : names) {
        for (int k = 0; k < 2; k++) {
          text.append("event: ").append(name).append("\ndata: ").append(round).append('\n').append('\n');
          expected.add(new Event(name, String.valueOf(round)));
        }
      }
    }
    assertThat(frame(text.toString(), 7, null)).containsExactlyElementsOf(expected);
    assertThat(frame(text.toString(), text.length(), null)).containsExactlyElementsOf(expected);
  }
}
