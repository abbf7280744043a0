package io.tollgate.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/** JFR execution samples of the Kafka Streams stream threads, summed into what limits them ({@link AggregatorBench}). */
final class StreamThreadProfile {
  private StreamThreadProfile() {
  }

  static Recording start() {
    Recording r = new Recording();
    r.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
    r.start();
    return r;
  }

  /** Where the stream threads spent their samples: top frames (self) and a few inclusive buckets. */
  static String summary(Recording recording, Path file) throws java.io.IOException {
    recording.stop();
    recording.dump(file);
    recording.close();
    Map<String, Integer> self = new HashMap<>();
    Map<String, Integer> buckets = new LinkedHashMap<>();
    int samples = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      if (!e.getEventType().getName().equals("jdk.ExecutionSample") || e.getStackTrace() == null) {
        continue;
      }
      var thread = e.getThread("sampledThread");
      if (thread == null || thread.getJavaName() == null || !thread.getJavaName().contains("StreamThread")) {
        continue;
      }
      samples++;
      List<RecordedFrame> frames = e.getStackTrace().getFrames();
      if (!frames.isEmpty()) {
        RecordedFrame top = frames.get(0);
        self.merge(simpleName(top.getMethod().getType().getName()) + "." + top.getMethod().getName(), 1, Integer::sum);
      }
      java.util.Set<String> hit = new java.util.HashSet<>();
      for (RecordedFrame f : frames) {
        String type = f.getMethod().getType().getName();
        String method = f.getMethod().getName();
        String b = bucket(type, method);
        if (b != null) {
          hit.add(b);
        }
      }
      hit.forEach(b -> buckets.merge(b, 1, Integer::sum));
    }
    if (samples == 0) {
      return "no stream-thread samples";
    }
    int n = samples;
    StringBuilder out = new StringBuilder(samples + " samples; inclusive: ");
    buckets.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
        .forEach(b -> out.append(String.format("%s %.0f%%, ", b.getKey(), 100.0 * b.getValue() / n)));
    out.append("top self: ");
    self.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(5)
        .forEach(s -> out.append(String.format("%s %.0f%%, ", s.getKey(), 100.0 * s.getValue() / n)));
    return out.substring(0, out.length() - 2);
  }

  private static String bucket(String type, String method) {
    if (type.startsWith("org.apache.avro.")) {
      return "Avro";
    }
    if (type.startsWith("org.rocksdb.")) {
      return "RocksDB";
    }
    if (type.endsWith("RecordCollectorImpl") && method.equals("send")) {
      return "record sends";
    }
    if (type.endsWith(".KafkaConsumer") || type.endsWith("ClassicKafkaConsumer") || type.endsWith("AsyncKafkaConsumer")) {
      return "consumer";
    }
    if (type.endsWith(".ThreadCache") || type.endsWith(".NamedCache")) {
      return "record cache";
    }
    if (type.startsWith("org.apache.kafka.common.metrics.") || type.endsWith("StreamsMetricsImpl")) {
      return "metrics";
    }
    if (type.endsWith("RecordHeaders") || type.endsWith("RecordHeader")) {
      return "headers";
    }
    if (type.endsWith("TaskManager") && method.equals("commit") || type.endsWith("StreamTask") && method.equals("prepareCommit")) {
      return "commit";
    }
    if (type.startsWith("io.tollgate.")) {
      return "tollgate code";
    }
    return null;
  }

  private static String simpleName(String type) {
    return type.substring(type.lastIndexOf('.') + 1);
  }
}
