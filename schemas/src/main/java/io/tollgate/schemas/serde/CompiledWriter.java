package io.tollgate.schemas.serde;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.util.Utf8;

/**
 * Avro single-object encoding of a generated record, byte for byte what {@code BinaryMessageEncoder}
 * writes, without its per-field dispatch: the schema is turned once into a tree of field writers.
 * Avro's {@code SpecificDatumWriter} resolves every union branch by reflection on the value and
 * converts every logical type through a conversion lookup per field; on the gateway that was ~8 %
 * of the event loop per call (JFR, 2026-12-04), for a record that has the same shape every time.
 *
 * <p>Covers the types Tollgate's schemas use: null, boolean, int, long, double, string, records,
 * arrays, maps, two-branch unions with null, and the logical types {@code timestamp-millis} and
 * {@code date}. {@link #of} returns null for any other schema, and the serde keeps Avro's own
 * writer for it. {@code CompiledWriterTest} proves byte equality on random records of every schema.
 */
final class CompiledWriter {
  private interface Part {
    void write(Object value, Out out);
  }

  private final byte[] header;
  private final Part root;

  private CompiledWriter(byte[] header, Part root) {
    this.header = header;
    this.root = root;
  }

  /** A writer for {@code schema}, or null when it uses a type this class does not cover. */
  static CompiledWriter of(Schema schema) {
    Part root = compile(schema);
    if (root == null) {
      return null;
    }
    long fingerprint = SchemaNormalization.parsingFingerprint64(schema);
    byte[] header = new byte[10];
    header[0] = (byte) 0xC3;
    header[1] = 0x01;
    for (int i = 0; i < 8; i++) {
      header[2 + i] = (byte) (fingerprint >>> (8 * i)); // little-endian, as the single-object spec says
    }
    return new CompiledWriter(header, root);
  }

  /** The record's single-object encoding. Throws NullPointerException or ClassCastException where Avro would. */
  byte[] encode(IndexedRecord record) {
    Out out = new Out();
    out.bytes(header, 0, header.length);
    root.write(record, out);
    return out.toByteArray();
  }

  private static Part compile(Schema s) {
    LogicalType logical = s.getLogicalType();
    if (logical != null) {
      return switch (logical.getName()) {
        case "timestamp-millis" -> s.getType() == Schema.Type.LONG ? CompiledWriter::timestampMillis : null;
        case "date" -> s.getType() == Schema.Type.INT ? CompiledWriter::date : null;
        default -> null;
      };
    }
    return switch (s.getType()) {
      case NULL -> (v, out) -> {
        if (v != null) {
          throw new ClassCastException("not null: " + v.getClass().getName());
        }
      };
      case BOOLEAN -> (v, out) -> out.raw((Boolean) v ? 1 : 0);
      case INT -> (v, out) -> out.varLong((Integer) v);
      case LONG -> (v, out) -> out.varLong((Long) v);
      case DOUBLE -> (v, out) -> out.doubleLe((Double) v);
      case STRING -> CompiledWriter::string;
      case RECORD -> record(s);
      case ARRAY -> array(s);
      case MAP -> map(s);
      case UNION -> union(s);
      default -> null;
    };
  }

  private static Part record(Schema s) {
    List<Schema.Field> fields = s.getFields();
    Part[] parts = new Part[fields.size()];
    int[] positions = new int[fields.size()];
    for (int i = 0; i < parts.length; i++) {
      parts[i] = compile(fields.get(i).schema());
      positions[i] = fields.get(i).pos();
      if (parts[i] == null) {
        return null;
      }
    }
    return (v, out) -> {
      IndexedRecord r = (IndexedRecord) v;
      for (int i = 0; i < parts.length; i++) {
        parts[i].write(r.get(positions[i]), out);
      }
    };
  }

  private static Part array(Schema s) {
    Part item = compile(s.getElementType());
    if (item == null) {
      return null;
    }
    return (v, out) -> {
      Collection<?> items = (Collection<?>) v;
      if (!items.isEmpty()) {
        out.varLong(items.size()); // one block, then the 0 that ends the array (as Avro writes it)
        for (Object o : items) {
          item.write(o, out);
        }
      }
      out.raw(0);
    };
  }

  private static Part map(Schema s) {
    Part value = compile(s.getValueType());
    if (value == null) {
      return null;
    }
    return (v, out) -> {
      Map<?, ?> entries = (Map<?, ?>) v;
      if (!entries.isEmpty()) {
        out.varLong(entries.size());
        for (Map.Entry<?, ?> e : entries.entrySet()) {
          string(e.getKey(), out);
          value.write(e.getValue(), out);
        }
      }
      out.raw(0);
    };
  }

  /** Only {@code [null, X]} and {@code [X, null]}: what every optional field of ours is. */
  private static Part union(Schema s) {
    List<Schema> branches = s.getTypes();
    if (branches.size() != 2) {
      return null;
    }
    int nullIndex = branches.get(0).getType() == Schema.Type.NULL ? 0
        : branches.get(1).getType() == Schema.Type.NULL ? 1 : -1;
    if (nullIndex < 0) {
      return null;
    }
    int valueIndex = 1 - nullIndex;
    Part value = compile(branches.get(valueIndex));
    if (value == null) {
      return null;
    }
    return (v, out) -> {
      if (v == null) {
        out.raw(2 * nullIndex); // the branch index, zig-zag: 0 → 0, 1 → 2
      } else {
        out.raw(2 * valueIndex);
        value.write(v, out);
      }
    };
  }

  private static void timestampMillis(Object v, Out out) {
    out.varLong(v instanceof Instant i ? i.toEpochMilli() : (Long) v);
  }

  private static void date(Object v, Out out) {
    out.varLong(v instanceof LocalDate d ? d.toEpochDay() : (Integer) v);
  }

  private static void string(Object v, Out out) {
    if (v instanceof Utf8 u) {
      out.varLong(u.getByteLength());
      out.bytes(u.getBytes(), 0, u.getByteLength());
      return;
    }
    byte[] b = ((CharSequence) v).toString().getBytes(StandardCharsets.UTF_8);
    out.varLong(b.length);
    out.bytes(b, 0, b.length);
  }

  /** A growable buffer; Avro's zig-zag varints. */
  private static final class Out {
    private byte[] buf = new byte[512];
    private int size;

    void raw(int b) {
      ensure(1);
      buf[size++] = (byte) b;
    }

    void varLong(long n) {
      ensure(10);
      long z = (n << 1) ^ (n >> 63);
      while ((z & ~0x7FL) != 0) {
        buf[size++] = (byte) ((z & 0x7F) | 0x80);
        z >>>= 7;
      }
      buf[size++] = (byte) z;
    }

    void doubleLe(double d) {
      ensure(8);
      long bits = Double.doubleToRawLongBits(d);
      for (int i = 0; i < 8; i++) {
        buf[size++] = (byte) (bits >>> (8 * i));
      }
    }

    void bytes(byte[] b, int from, int n) {
      ensure(n);
      System.arraycopy(b, from, buf, size, n);
      size += n;
    }

    private void ensure(int n) {
      if (size + n > buf.length) {
        buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
      }
    }

    byte[] toByteArray() {
      return java.util.Arrays.copyOf(buf, size);
    }
  }

  /** The field names a writer could not be compiled for, for the message that says why Avro's is kept. */
  static List<String> uncovered(Schema schema) {
    List<String> out = new ArrayList<>();
    for (Schema.Field f : schema.getType() == Schema.Type.RECORD ? schema.getFields() : List.<Schema.Field>of()) {
      if (compile(f.schema()) == null) {
        out.add(f.name());
      }
    }
    return out;
  }
}
