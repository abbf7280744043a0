package io.tollgate.schemas.serde;

import io.tollgate.schemas.Alert;
import io.tollgate.schemas.Budget;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.Team;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.VirtualKey;
import org.apache.avro.message.SchemaStore;

/**
 * A new serde per call for each Tollgate record type; each reads its whole schema history, and the
 * variants given a {@link SchemaStore} also read newer writers whose schema the store has.
 */
public final class TollgateSerdes {
  private TollgateSerdes() {
  }

  public static AvroSerde<UsageEvent> usageEvent() {
    return new AvroSerde<>(UsageEvent.class);
  }

  public static AvroSerde<UsageEvent> usageEvent(SchemaStore store) {
    return AvroSerde.withStore(UsageEvent.class, store);
  }

  public static AvroSerde<SpendWindow> spendWindow() {
    return new AvroSerde<>(SpendWindow.class);
  }

  public static AvroSerde<SpendWindow> spendWindow(SchemaStore store) {
    return AvroSerde.withStore(SpendWindow.class, store);
  }

  public static AvroSerde<SpendTotal> spendTotal() {
    return new AvroSerde<>(SpendTotal.class);
  }

  public static AvroSerde<SpendTotal> spendTotal(SchemaStore store) {
    return AvroSerde.withStore(SpendTotal.class, store);
  }

  public static AvroSerde<Alert> alert() {
    return new AvroSerde<>(Alert.class);
  }

  public static AvroSerde<Alert> alert(SchemaStore store) {
    return AvroSerde.withStore(Alert.class, store);
  }

  public static AvroSerde<VirtualKey> virtualKey() {
    return new AvroSerde<>(VirtualKey.class);
  }

  public static AvroSerde<VirtualKey> virtualKey(SchemaStore store) {
    return AvroSerde.withStore(VirtualKey.class, store);
  }

  public static AvroSerde<Customer> customer() {
    return new AvroSerde<>(Customer.class);
  }

  public static AvroSerde<Customer> customer(SchemaStore store) {
    return AvroSerde.withStore(Customer.class, store);
  }

  public static AvroSerde<Team> team() {
    return new AvroSerde<>(Team.class);
  }

  public static AvroSerde<Team> team(SchemaStore store) {
    return AvroSerde.withStore(Team.class, store);
  }

  public static AvroSerde<Budget> budget() {
    return new AvroSerde<>(Budget.class);
  }

  public static AvroSerde<Budget> budget(SchemaStore store) {
    return AvroSerde.withStore(Budget.class, store);
  }
}
