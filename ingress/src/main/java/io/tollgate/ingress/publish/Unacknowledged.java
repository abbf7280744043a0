package io.tollgate.ingress.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads, without changing anything, the records an earlier run left in a hand-off directory —
 * the events Kafka never acknowledged, which the publisher resends. Budget enforcement counts
 * their spend as this gateway's own until the totals have it. Call before the publisher opens
 * the directory; unreadable records are skipped (the publisher quarantines them).
 */
public final class Unacknowledged {
  private Unacknowledged() {
  }

  /** Hands each record's value to {@code value}, oldest first; returns how many. */
  public static long forEach(Path dir, Consumer<byte[]> value) {
    if (!Files.isDirectory(dir)) {
      return 0;
    }
    List<Long> bases = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files.map(p -> Segment.baseOf(p.getFileName().toString())).filter(b -> b >= 0).sorted().forEach(bases::add);
    } catch (IOException e) {
      return 0;
    }
    long n = 0;
    for (long base : bases) {
      try (SegmentReader reader = new SegmentReader(dir.resolve(Segment.name(base)), base)) {
        for (Framing.Rec r = reader.next(); r != null; r = reader.next()) {
          value.accept(r.value());
          n++;
        }
      } catch (NoSuchFileException e) {
        // gone meanwhile
      } catch (IOException e) {
        // a damaged segment: the publisher reports it
      }
    }
    return n;
  }
}
