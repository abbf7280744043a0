package io.tollgate.ingress.publish;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the framing of earlier releases' spill log ({@code usage-spill.log} and
 * {@code usage-spill.draining}: a 4-byte length, then the serialized event) and of the dead-letter
 * file. At start the publisher moves what an older gateway left there into the hand-off log, so an
 * upgrade loses nothing.
 */
final class LegacySpill {
  static final List<String> FILES = List.of("usage-spill.draining", "usage-spill.log");

  private LegacySpill() {
  }

  /** The whole records of {@code path}, in order; a torn tail is ignored. */
  static List<byte[]> read(Path path) throws IOException {
    List<byte[]> records = new ArrayList<>();
    if (!Files.exists(path)) {
      return records;
    }
    try (DataInputStream in = new DataInputStream(new BufferedInputStream(
        Channels.newInputStream(FileChannel.open(path, StandardOpenOption.READ))))) {
      while (true) {
        int length;
        try {
          length = in.readInt();
        } catch (EOFException e) {
          break;
        }
        if (length < 0 || length > Framing.MAX_BODY) {
          break; // torn or corrupt tail: stop at the last whole record
        }
        byte[] record = new byte[length];
        try {
          in.readFully(record);
        } catch (EOFException e) {
          break;
        }
        records.add(record);
      }
    }
    return records;
  }
}
