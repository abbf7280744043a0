package io.tollgate.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;

import io.tollgate.schemas.Alert;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.VirtualKey;
import java.util.List;
import org.apache.avro.Schema;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * Fails the build when a schema change could not read what older producers wrote, or when the
 * change was not recorded in {@code src/test/resources/schema-history/}.
 */
class SchemaCompatibilityTest {

  static List<Schema> currentSchemas() {
    return List.of(UsageEvent.getClassSchema(), SpendWindow.getClassSchema(),
        SpendTotal.getClassSchema(), Alert.getClassSchema(), VirtualKey.getClassSchema(),
        Customer.getClassSchema(), Team.getClassSchema(), Budget.getClassSchema());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("currentSchemas")
  void currentSchemaReadsEveryHistoricalVersionAndIsRecorded(Schema current) {
    assertThat(SchemaCompatibilityCheck.problems(current, SchemaHistory.load(current.getName()))).isEmpty();
  }

  @Test
  void anIncompatibleChangeIsRejectedNamingTheField() {
    List<Schema> versions = SchemaHistory.load(getClass().getClassLoader(), "incompatible", "UsageEvent");
    Schema proposed = versions.get(1);
    List<String> problems = SchemaCompatibilityCheck.problems(proposed, versions.subList(0, 1));
    assertThat(problems).anySatisfy(p -> assertThat(p)
        .contains("READER_FIELD_MISSING_DEFAULT_VALUE").contains("region"));
    assertThat(problems).anySatisfy(p -> assertThat(p).contains("TYPE_MISMATCH").contains("status_code"));
  }

  @Test
  void anUnrecordedChangeIsRejected() {
    List<Schema> versions = SchemaHistory.load(getClass().getClassLoader(), "incompatible", "UsageEvent");
    // v1 can read itself, but v2 (the "current" here) is not the newest history entry.
    assertThat(SchemaCompatibilityCheck.problems(versions.get(1), versions.subList(0, 1)))
        .anySatisfy(p -> assertThat(p).contains("differs from the newest history version"));
    assertThat(SchemaCompatibilityCheck.problems(versions.get(0), List.of()))
        .anySatisfy(p -> assertThat(p).contains("no schema history"));
  }
}
