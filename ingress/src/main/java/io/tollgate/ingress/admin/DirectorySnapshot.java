package io.tollgate.ingress.admin;

import io.tollgate.schemas.topics.Topics;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * The management state on local disk, so that a gateway restarted while Kafka is unreachable
 * starts with every key, team, customer and budget instead of refusing everyone. The file holds
 * the records as the topics do (Avro single-object encoding, so a newer release reads an older
 * snapshot), which means key hashes only, never a key. Written to a temporary file, forced to
 * disk, then renamed over the old one: a crash leaves the old snapshot or the new, never half.
 *
 * <pre>
 * "TGDS" | version int (1) | written-at millis long
 * 4 × (topic name UTF | count int | count × (key UTF | length int | record bytes))
 * CRC-32 of everything before, as a long
 * </pre>
 */
final class DirectorySnapshot {
  static final String FILE_NAME = "management-state.snapshot";
  private static final int MAGIC = 0x54474453; // "TGDS"
  private static final int VERSION = 1;
  private static final int MAX_RECORD_BYTES = 1 << 20;
  private static final List<String> TOPICS = List.of(Topics.KEYS.name(), Topics.TEAMS.name(),
      Topics.CUSTOMERS.name(), Topics.BUDGETS.name());

  private DirectorySnapshot() {
  }

  static void write(Path file, DirectoryState state, long nowMillis) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeLong(nowMillis);
    for (String topic : TOPICS) {
      Map<String, ?> map = mapOf(state, topic);
      // A copy: the map may change while it is written, and the count must match the entries.
      List<? extends Map.Entry<String, ?>> entries = List.copyOf(map.entrySet());
      out.writeUTF(topic);
      out.writeInt(entries.size());
      for (Map.Entry<String, ?> e : entries) {
        byte[] record = state.encode(topic, e.getValue());
        out.writeUTF(e.getKey());
        out.writeInt(record.length);
        out.write(record);
      }
    }
    out.flush();
    CRC32 crc = new CRC32();
    crc.update(bytes.toByteArray());
    out.writeLong(crc.getValue());
    out.flush();
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes.toByteArray());
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /**
   * The state in {@code file}; null when there is none.
   *
   * @throws IOException when the file exists but is damaged or of an unknown version
   */
  static Loaded read(Path file) throws IOException {
    byte[] all;
    try {
      all = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return null;
    }
    if (all.length < 24) {
      throw new IOException("snapshot " + file + " is truncated");
    }
    CRC32 crc = new CRC32();
    crc.update(all, 0, all.length - 8);
    long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
    if (stored != crc.getValue()) {
      throw new IOException("snapshot " + file + " is damaged (checksum)");
    }
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(all, 0, all.length - 8));
    if (in.readInt() != MAGIC) {
      throw new IOException(file + " is not a management-state snapshot");
    }
    int version = in.readInt();
    if (version != VERSION) {
      throw new IOException("snapshot " + file + " has version " + version + "; this release reads " + VERSION);
    }
    long written = in.readLong();
    DirectoryState state = new DirectoryState();
    for (int t = 0; t < TOPICS.size(); t++) {
      String topic = in.readUTF();
      int count = in.readInt();
      if (count < 0) {
        throw new IOException("snapshot " + file + " is damaged (count)");
      }
      for (int i = 0; i < count; i++) {
        String key = in.readUTF();
        int len = in.readInt();
        if (len < 0 || len > MAX_RECORD_BYTES) {
          throw new IOException("snapshot " + file + " is damaged (record length)");
        }
        byte[] record = in.readNBytes(len);
        if (!state.apply(topic, key, record)) {
          throw new IOException("snapshot " + file + " holds a record of " + topic + " this release cannot read");
        }
      }
    }
    return new Loaded(state, written);
  }

  /** A snapshot read back and when it was written. */
  record Loaded(DirectoryState state, long writtenAtMillis) {
  }

  private static Map<String, ?> mapOf(DirectoryState s, String topic) {
    return topic.equals(Topics.KEYS.name()) ? s.keys : topic.equals(Topics.TEAMS.name()) ? s.teams
        : topic.equals(Topics.CUSTOMERS.name()) ? s.customers : s.budgets;
  }
}
