package io.tollgate.schemas.serde;

import io.tollgate.schemas.Alert;
import io.tollgate.schemas.Customer;
import io.tollgate.schemas.SpendTotal;
import io.tollgate.schemas.SpendWindow;
import io.tollgate.schemas.UsageEvent;
import io.tollgate.schemas.VirtualKey;

/** A new serde per call for each Tollgate record type; each reads its whole schema history. */
public final class TollgateSerdes {
  private TollgateSerdes() {
  }

  public static AvroSerde<UsageEvent> usageEvent() {
    return new AvroSerde<>(UsageEvent.class);
  }

  public static AvroSerde<SpendWindow> spendWindow() {
    return new AvroSerde<>(SpendWindow.class);
  }

  public static AvroSerde<SpendTotal> spendTotal() {
    return new AvroSerde<>(SpendTotal.class);
  }

  public static AvroSerde<Alert> alert() {
    return new AvroSerde<>(Alert.class);
  }

  public static AvroSerde<VirtualKey> virtualKey() {
    return new AvroSerde<>(VirtualKey.class);
  }

  public static AvroSerde<Customer> customer() {
    return new AvroSerde<>(Customer.class);
  }
}
