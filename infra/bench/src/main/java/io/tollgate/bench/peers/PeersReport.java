package io.tollgate.bench.peers;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the "Gateway vs peers" section from the lines {@link PeerCell} appended: into
 * BENCHMARKS.md between {@link PeersTables#BEGIN} and {@link PeersTables#END} (the rest of the
 * file untouched; the section is appended when the markers are missing), or, with
 * {@code --standalone true}, as a file of its own (the quick smoke run). Exits 1 when an expected
 * cell is missing or measured nothing, or when Tollgate's metering did not happen, so the smoke
 * test fails on a harness that only looks like it ran.
 */
public final class PeersReport {
  private PeersReport() {
  }

  public static void main(String[] args) throws IOException {
    Map<String, String> opt = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      opt.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    List<CellRecord> records = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of(opt.get("results")), StandardCharsets.UTF_8)) {
      CellRecord.parse(line).ifPresent(records::add);
    }
    List<String> notes = Files.exists(Path.of(opt.get("notes")))
        ? Files.readAllLines(Path.of(opt.get("notes")), StandardCharsets.UTF_8) : List.of();
    List<String> expected = Arrays.asList(opt.getOrDefault("expect", "").split(","));
    PeersTables.Context ctx = new PeersTables.Context(
        ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")),
        opt.get("command"), opt.get("machine"), opt.get("pinning"), opt.get("load"),
        Integer.parseInt(opt.get("rate")), Integer.parseInt(opt.get("seconds")));
    List<String> problems = PeersTables.problems(records, expected);
    String body = PeersTables.render(ctx, records, notes, problems);
    Path out = Path.of(opt.get("out"));
    if (Boolean.parseBoolean(opt.getOrDefault("standalone", "false"))) {
      Files.writeString(out, "## Gateway vs peers (quick smoke run, not a measurement)\n\n" + body, StandardCharsets.UTF_8);
    } else {
      String old = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "# Benchmarks\n";
      Files.writeString(out, PeersTables.replaceSection(old, body), StandardCharsets.UTF_8);
    }
    System.out.print(body);
    if (!problems.isEmpty()) {
      System.err.println("bench peers: " + String.join("; ", problems));
      System.exit(1);
    }
  }
}
