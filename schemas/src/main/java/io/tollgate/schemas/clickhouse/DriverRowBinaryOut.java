package io.tollgate.schemas.clickhouse;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import ru.yandex.clickhouse.util.ClickHouseRowBinaryStream;

/** {@link RowBinaryOut} over the legacy driver's stream; DateTime/Date written as raw numbers (no time-zone games). */
final class DriverRowBinaryOut implements RowBinaryOut {
  private final ClickHouseRowBinaryStream out;

  DriverRowBinaryOut(ClickHouseRowBinaryStream out) {
    this.out = out;
  }

  @Override
  public void writeString(String value) throws IOException {
    out.writeString(value == null ? "" : value);
  }

  @Override
  public void writeUInt8(int value) throws IOException {
    out.writeUInt8(value);
  }

  @Override
  public void writeBool(boolean value) throws IOException {
    out.writeUInt8(value ? 1 : 0);
  }

  @Override
  public void writeUInt16(int value) throws IOException {
    out.writeUInt16(value);
  }

  @Override
  public void writeUInt32(long value) throws IOException {
    out.writeUInt32(value);
  }

  @Override
  public void writeInt32(int value) throws IOException {
    out.writeInt32(value);
  }

  @Override
  public void writeUInt64(long value) throws IOException {
    if (value < 0) {
      throw new IllegalArgumentException("UInt64 column given a negative value " + value);
    }
    out.writeInt64(value);
  }

  @Override
  public void writeInt64(long value) throws IOException {
    out.writeInt64(value);
  }

  @Override
  public void writeFloat64(double value) throws IOException {
    out.writeFloat64(value);
  }

  @Override
  public void writeDateTime(Instant value) throws IOException {
    out.writeUInt32(value.getEpochSecond());
  }

  @Override
  public void writeDate(LocalDate value) throws IOException {
    out.writeUInt16((int) value.toEpochDay());
  }

  @Override
  public void writeStringArray(List<String> values) throws IOException {
    out.writeUnsignedLeb128(values.size());
    for (String v : values) {
      out.writeString(v == null ? "" : v);
    }
  }

  @Override
  public void writeNullableUInt32(Long value) throws IOException {
    out.markNextNullable(value == null);
    if (value != null) {
      out.writeUInt32(value);
    }
  }

  @Override
  public void writeNullableString(String value) throws IOException {
    out.markNextNullable(value == null);
    if (value != null) {
      out.writeString(value);
    }
  }
}
