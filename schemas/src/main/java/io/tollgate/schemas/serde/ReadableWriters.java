package io.tollgate.schemas.serde;

import java.util.Objects;
import java.util.stream.Collectors;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.SchemaCompatibility.SchemaPairCompatibility;
import org.apache.avro.message.SchemaStore;

/**
 * The writer schemas a store finds, admitted only when this reader can read them. The store is
 * shared by every record type, so a fingerprint may name another record (bytes on the wrong topic)
 * or a newer version that broke the compatibility rule; Avro would then fail mid-body with an
 * opaque type error, or worse read the wrong fields. This says which writer and why instead.
 */
final class ReadableWriters implements SchemaStore {
  private final Schema reader;
  private final SchemaStore store;

  ReadableWriters(Schema reader, SchemaStore store) {
    this.reader = Objects.requireNonNull(reader, "reader");
    this.store = Objects.requireNonNull(store, "store");
  }

  @Override
  public Schema findByFingerprint(long fingerprint) {
    Schema writer = store.findByFingerprint(fingerprint);
    if (writer == null) {
      return null;
    }
    if (!writer.getFullName().equals(reader.getFullName()) && !reader.getAliases().contains(writer.getFullName())) {
      throw new UnreadableWriterException("schema fingerprint 0x" + SchemaTopic.hex(fingerprint) + " is "
          + writer.getFullName() + ", not " + reader.getFullName() + " (a record of another type on this topic?)");
    }
    SchemaPairCompatibility result = SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    if (result.getType() != SchemaCompatibilityType.COMPATIBLE) {
      String why = result.getResult().getIncompatibilities().stream()
          .map(i -> i.getType() + " at " + SchemaCompatibilityCheck.readable(reader, i.getLocation()))
          .collect(Collectors.joining("; "));
      throw new UnreadableWriterException("writer schema 0x" + SchemaTopic.hex(fingerprint) + " of "
          + writer.getFullName() + " (from the " + store + ") cannot be read by this version: " + why);
    }
    return writer;
  }

  /** The store knows the writer schema, but this reader cannot read it: the bytes are poison here. */
  static final class UnreadableWriterException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UnreadableWriterException(String message) {
      super(message);
    }
  }
}
