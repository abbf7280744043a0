package io.tollgate.schemas.clickhouse;

import java.io.IOException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/**
 * Writes one column value at a time in ClickHouse's RowBinary format, in the column order given
 * to {@link ClickHouseClient#insertRowBinary}. Our own interface, so no caller depends on the
 * JDBC driver (which is to be swapped once tests can run a current server). Types are named as
 * in ClickHouse; DateTime is whole UTC seconds.
 */
public interface RowBinaryOut {
  void writeString(String value) throws IOException;

  void writeUInt8(int value) throws IOException;

  void writeBool(boolean value) throws IOException;

  void writeUInt16(int value) throws IOException;

  void writeUInt32(long value) throws IOException;

  void writeInt32(int value) throws IOException;

  void writeUInt64(long value) throws IOException;

  void writeInt64(long value) throws IOException;

  void writeFloat64(double value) throws IOException;

  void writeDateTime(Instant value) throws IOException;

  void writeDate(LocalDate value) throws IOException;

  void writeStringArray(List<String> values) throws IOException;

  /** Nullable(UInt32): null or the value. */
  void writeNullableUInt32(Long value) throws IOException;

  /** Nullable(String): null or the value. */
  void writeNullableString(String value) throws IOException;

  /** Source of rows for one streaming insert. */
  @FunctionalInterface
  interface RowSource {
    /** Writes every row; returns how many rows it wrote. */
    long writeTo(RowBinaryOut out) throws IOException;
  }
}
