package io.tollgate.ingress.publish;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What an earlier run left in a hand-off directory: its segments in order, each with the number
 * of good records (reading stops at a torn or damaged one), sealed, none acknowledged. Empty
 * segments are deleted. A restarted gateway resends all of these records.
 */
final class Recovery {
  private Recovery() {
  }

  static List<Segment> segments(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Long> bases = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files.map(p -> Segment.baseOf(p.getFileName().toString())).filter(b -> b >= 0).sorted().forEach(bases::add);
    }
    List<Segment> found = new ArrayList<>();
    long next = 0;
    for (long base : bases) {
      Path file = dir.resolve(Segment.name(base));
      int count = 0;
      long bytes;
      try (SegmentReader reader = new SegmentReader(file, base)) {
        while (reader.next() != null) {
          count++;
        }
        bytes = reader.position();
      }
      // Bases only grow and a segment's records end before the next base; one that does not
      // (cannot happen unless files were copied in by hand) is left alone rather than misread.
      if (base < next) {
        continue;
      }
      if (count == 0) {
        Files.deleteIfExists(file);
        continue;
      }
      Segment s = new Segment(dir, base);
      s.written(count, bytes);
      s.seal();
      found.add(s);
      next = s.end();
    }
    return found;
  }
}
